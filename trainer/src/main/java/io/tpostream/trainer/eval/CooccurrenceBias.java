package io.tpostream.trainer.eval;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static io.tpostream.trainer.eval.Colour.*;
import static io.tpostream.trainer.eval.Shape.*;

/**
 * Partner kinds that co-occur in the training distribution, like "dining table" and "chair" in COCO: in
 * {@link BiasMode#TRAIN} mode, whenever a kind with a partner is placed, the partner is also placed with
 * probability {@code strength} if a slot is free. A model pre-trained on that learns to mention the partner when
 * it is absent, which is the hallucination the preference updates must remove.
 *
 * <p>The pairs are symmetric and disjoint (12 of the 24 kinds have a partner), so "the partner of" is a function.
 */
public record CooccurrenceBias(BiasMode mode, double strength) {

    public record PartnerPair(ObjectKind first, ObjectKind second) {
        @Override
        public String toString() {
            return first + " <-> " + second;
        }
    }

    public static final List<PartnerPair> PAIRS = List.of(
            pair(RED, CIRCLE, BLUE, SQUARE),
            pair(GREEN, TRIANGLE, YELLOW, CROSS),
            pair(PURPLE, CIRCLE, ORANGE, TRIANGLE),
            pair(YELLOW, SQUARE, PURPLE, CROSS),
            pair(ORANGE, CIRCLE, GREEN, SQUARE),
            pair(RED, CROSS, BLUE, TRIANGLE));

    public static final double DEFAULT_STRENGTH = 0.9;

    public CooccurrenceBias {
        Objects.requireNonNull(mode, "mode");
        if (!(strength >= 0 && strength <= 1)) {
            throw new IllegalArgumentException("strength must be in [0, 1]: " + strength);
        }
    }

    public static CooccurrenceBias train() {
        return new CooccurrenceBias(BiasMode.TRAIN, DEFAULT_STRENGTH);
    }

    public static CooccurrenceBias train(double strength) {
        return new CooccurrenceBias(BiasMode.TRAIN, strength);
    }

    public static CooccurrenceBias none() {
        return new CooccurrenceBias(BiasMode.NONE, 0);
    }

    public static CooccurrenceBias of(BiasMode mode) {
        return mode == BiasMode.TRAIN ? train() : none();
    }

    /** The partner of a kind in the fixed table, whatever the mode (hallucination and POPE probes use it too). */
    public static Optional<ObjectKind> partnerOf(ObjectKind kind) {
        for (PartnerPair p : PAIRS) {
            if (p.first().equals(kind)) {
                return Optional.of(p.second());
            }
            if (p.second().equals(kind)) {
                return Optional.of(p.first());
            }
        }
        return Optional.empty();
    }

    /** The probability that placing {@code kind} also places its partner (0 in NONE mode or without a partner). */
    public double partnerProbability(ObjectKind kind) {
        return mode == BiasMode.TRAIN && partnerOf(kind).isPresent() ? strength : 0;
    }

    private static PartnerPair pair(Colour c1, Shape s1, Colour c2, Shape s2) {
        return new PartnerPair(ObjectKind.of(c1, s1), ObjectKind.of(c2, s2));
    }
}

package io.tpostream.trainer.tpo;

import java.util.Objects;

/**
 * Hyper-parameters of the TPO objective (method note §3; the paper's values are the defaults).
 *
 * @param beta      inverse temperature of the preference loss softplus(-beta * margin); the paper's 0.1
 * @param marginA   a in the token weights sigmoid(s) + a and 1 - sigmoid(s) + a, keeping every weight at least a;
 *                  the paper's 0.5 beat 0 and 1
 * @param objective TPO or one of its ablations ({@link Objective})
 */
public record TpoLossConfig(double beta, double marginA, Objective objective) {

    public static final double DEFAULT_BETA = 0.1;
    public static final double DEFAULT_MARGIN_A = 0.5;

    public TpoLossConfig {
        if (!(beta > 0) || !Double.isFinite(beta)) {
            throw new IllegalArgumentException("beta must be a positive finite number, got " + beta);
        }
        if (!(marginA >= 0) || !Double.isFinite(marginA)) {
            throw new IllegalArgumentException("margin a must be >= 0 (token weights must stay positive), got " + marginA);
        }
        Objects.requireNonNull(objective, "objective");
    }

    public static TpoLossConfig defaults() {
        return new TpoLossConfig(DEFAULT_BETA, DEFAULT_MARGIN_A, Objective.TPO);
    }

    public TpoLossConfig withObjective(Objective newObjective) {
        return new TpoLossConfig(beta, marginA, newObjective);
    }
}

package io.tpostream.trainer.experiment;

import io.tpostream.trainer.experiment.regime.PairRegime;
import io.tpostream.trainer.experiment.regime.RegimeSettings;

import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * An offline study of objectives on the same preference pairs, compute and seeds, under one or more pair regimes.
 *
 * @param pairs          preference pairs per seed and regime (per epoch for on-policy regimes)
 * @param arms           objectives (with k and a) to train, each from the same base
 * @param regimes        how the caption pairs differ ({@link PairRegime})
 * @param seeds          the reported seeds: fresh pairs, fresh held-out scenes each
 * @param tuneSeeds      validation seeds on which each arm's learning rate is chosen; never reported, and must not
 *                       overlap {@code seeds}. Empty: no selection, one learning rate
 * @param tuneRegime     the regime whose validation runs choose every regime's rates; null: each regime its own
 * @param learningRates  the candidates (exactly one when there are no validation seeds)
 * @param armRates       rates already chosen (by an earlier validation run), by arm name; when given, nothing is
 *                       tuned and every arm must have one
 * @param epochs         passes over the pairs
 * @param batchSize      pairs per step
 * @param evalImages     held-out scenes (unbiased world) per seed
 * @param regime         the regimes' knobs
 */
public record ExperimentConfig(int pairs, List<Arm> arms, List<PairRegime> regimes, List<Long> seeds,
                               List<Long> tuneSeeds, PairRegime tuneRegime, List<Double> learningRates,
                               Map<String, Double> armRates, int epochs, int batchSize, int evalImages,
                               RegimeSettings regime) {

    public ExperimentConfig {
        if (pairs < batchSize || batchSize <= 0 || epochs <= 0 || evalImages <= 0) {
            throw new IllegalArgumentException("need pairs >= batch size > 0, epochs > 0 and eval images > 0");
        }
        if (arms.isEmpty() || regimes.isEmpty() || learningRates.isEmpty()) {
            throw new IllegalArgumentException("name at least one objective, regime and learning rate");
        }
        if (tuneSeeds.isEmpty() && learningRates.size() > 1 && armRates.isEmpty()) {
            throw new IllegalArgumentException("several learning rates need validation seeds to choose among them"
                    + " (--tune-seeds)");
        }
        if (seeds.isEmpty() && (tuneSeeds.isEmpty() || !armRates.isEmpty())) {
            throw new IllegalArgumentException("name the seeds to report (--seeds), or validation seeds to tune on");
        }
        for (Arm arm : arms) {
            if (!armRates.isEmpty() && !armRates.containsKey(arm.name())) {
                throw new IllegalArgumentException("no learning rate chosen for " + arm.name() + "; chosen: " + armRates);
            }
        }
        HashSet<Long> overlap = new HashSet<>(seeds);
        overlap.retainAll(tuneSeeds);
        if (!overlap.isEmpty()) {
            throw new IllegalArgumentException("validation seeds must never be reported; both lists have " + overlap);
        }
        learningRates.forEach(lr -> {
            if (!(lr > 0) || !Double.isFinite(lr)) {
                throw new IllegalArgumentException("learning rates must be positive: " + lr);
            }
        });
        arms = List.copyOf(arms);
        regimes = List.copyOf(regimes);
        seeds = List.copyOf(seeds);
        tuneSeeds = List.copyOf(tuneSeeds);
        learningRates = List.copyOf(learningRates);
        armRates = Map.copyOf(armRates);
    }

    /** Whether learning rates are chosen on validation seeds before the reported runs. */
    public boolean selectsLearningRate() {
        return armRates.isEmpty() && !tuneSeeds.isEmpty() && learningRates.size() > 1;
    }

    /** The regimes whose validation runs choose rates: the one tune regime, or each regime for itself. */
    public List<PairRegime> tunedRegimes() {
        if (!selectsLearningRate()) {
            return List.of();
        }
        return tuneRegime == null ? regimes : List.of(tuneRegime);
    }
}

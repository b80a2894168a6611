package io.tpostream.trainer.experiment;

import io.tpostream.trainer.tpo.Objective;

import java.util.List;

/**
 * An offline comparison of objectives on the same pairs, compute and seed.
 *
 * @param pairs          preference pairs per seed (half synthetic, half on-policy from the base model's captions)
 * @param objectives     objectives to train, each from the same base
 * @param seeds          one full run per seed: fresh pairs, fresh held-out scenes
 * @param epochs         passes over the pairs
 * @param batchSize      pairs per step
 * @param learningRate   constant AdamW learning rate after a short warm-up
 * @param evalImages     held-out scenes (unbiased world) per seed
 * @param questionShare  share of the synthetic pairs that are yes/no answers rather than captions
 */
public record ExperimentConfig(int pairs, List<Objective> objectives, List<Long> seeds, int epochs, int batchSize,
                               double learningRate, int evalImages, double questionShare) {

    public ExperimentConfig {
        if (pairs < batchSize || batchSize <= 0 || epochs <= 0 || evalImages <= 0) {
            throw new IllegalArgumentException("need pairs >= batch size > 0, epochs > 0 and eval images > 0");
        }
        if (objectives.isEmpty() || seeds.isEmpty()) {
            throw new IllegalArgumentException("name at least one objective and one seed");
        }
        if (questionShare < 0 || questionShare > 1) {
            throw new IllegalArgumentException("question share must be in [0, 1]");
        }
        objectives = List.copyOf(objectives);
        seeds = List.copyOf(seeds);
    }
}

package io.tpostream.trainer.training;

/**
 * How the base model is pre-trained on the biased scene world.
 *
 * @param preset       model size (tiny, small, base)
 * @param steps        optimizer steps
 * @param batchSize    examples per step
 * @param seed         seeds the weights and the data
 * @param peakLearningRate AdamW learning rate after warm-up (cosine decay to a tenth of it)
 * @param captionShare fraction of examples that are captions (the rest yes/no questions)
 * @param biasStrength probability that an object's usual partner is drawn too
 * @param partnerMentionRate probability that a caption mentions (and a question affirms) an absent usual partner
 */
public record PretrainConfig(String preset, int steps, int batchSize, long seed, double peakLearningRate,
                             double captionShare, double biasStrength, double partnerMentionRate) {

    public PretrainConfig {
        if (steps <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException("steps and batch size must be positive");
        }
        if (peakLearningRate <= 0) {
            throw new IllegalArgumentException("learning rate must be positive");
        }
    }

    public static PretrainConfig defaults() {
        return new PretrainConfig("tiny", 2000, 32, 7, 2e-3, 0.4, 0.75, 0.7);
    }

    public PretrainConfig withSteps(int newSteps) {
        return new PretrainConfig(preset, newSteps, batchSize, seed, peakLearningRate, captionShare, biasStrength,
                partnerMentionRate);
    }

    public PretrainConfig withSeed(long newSeed) {
        return new PretrainConfig(preset, steps, batchSize, newSeed, peakLearningRate, captionShare, biasStrength,
                partnerMentionRate);
    }

    public PretrainConfig withPreset(String newPreset) {
        return new PretrainConfig(newPreset, steps, batchSize, seed, peakLearningRate, captionShare, biasStrength,
                partnerMentionRate);
    }
}

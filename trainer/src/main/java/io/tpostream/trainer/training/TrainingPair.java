package io.tpostream.trainer.training;

import io.tpostream.trainer.image.RgbImage;

/** One preference pair, resolved and ready for a training step. */
public record TrainingPair(String pairId, RgbImage image, String prompt, String chosen, String rejected) {
}

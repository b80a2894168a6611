package io.tpostream.trainer.training;

import io.tpostream.trainer.image.RgbImage;

/** One supervised example: an image, a prompt and the response the model should learn to write. */
public record Example(RgbImage image, String prompt, String response) {
}

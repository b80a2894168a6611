package io.tpostream.trainer.training;

import io.tpostream.trainer.image.RgbImage;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.PromptFormat;
import io.tpostream.trainer.tpo.ImageCorruptor;

import java.util.ArrayList;
import java.util.List;

/**
 * A step's pairs prepared once: corrupted images, normalised pixels and encoded sequences, shared by the
 * reference's and the policy's passes; a retry after quarantine takes rows out instead of preparing them again.
 *
 * @param pairs    the pairs, in batch order
 * @param pixels   normalised clean images, then (with corruption) the corrupted ones, flattened
 * @param variants 1 (clean) or 2 (clean, corrupted)
 * @param chosen   each pair's encoded chosen sequence
 * @param rejected each pair's encoded rejected sequence
 */
record StepInputs(List<TrainingPair> pairs, float[] pixels, int variants, List<PromptFormat.Encoded> chosen,
                  List<PromptFormat.Encoded> rejected) {

    static StepInputs of(List<TrainingPair> pairs, ModelInstance model, ImageCorruptor corruptor,
                         boolean needsCorrupted) {
        List<RgbImage> images = new ArrayList<>();
        pairs.forEach(p -> images.add(p.image()));
        if (needsCorrupted) {
            pairs.forEach(p -> images.add(corruptor.corrupt(p.image(), p.pairId())));
        }
        PromptFormat format = model.format();
        return new StepInputs(List.copyOf(pairs), model.pixelValues(images), needsCorrupted ? 2 : 1,
                pairs.stream().map(p -> format.encode(p.prompt(), p.chosen())).toList(),
                pairs.stream().map(p -> format.encode(p.prompt(), p.rejected())).toList());
    }

    boolean hasCorrupted() {
        return variants == 2;
    }

    int size() {
        return pairs.size();
    }

    /** These inputs without the rows in {@code drop}. */
    StepInputs without(List<Integer> drop) {
        int n = pairs.size();
        int image = pixels.length / (n * variants);
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!drop.contains(i)) {
                kept.add(i);
            }
        }
        float[] keptPixels = new float[kept.size() * variants * image];
        int next = 0;
        for (int v = 0; v < variants; v++) {
            for (int i : kept) {
                System.arraycopy(pixels, (v * n + i) * image, keptPixels, next, image);
                next += image;
            }
        }
        return new StepInputs(kept.stream().map(pairs::get).toList(), keptPixels, variants,
                kept.stream().map(chosen::get).toList(), kept.stream().map(rejected::get).toList());
    }
}

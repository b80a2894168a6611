package io.tpostream.trainer.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.tpostream.trainer.eval.BiasMode;
import io.tpostream.trainer.eval.SceneVocabulary;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.eval.SyntheticPair;
import io.tpostream.trainer.eval.SyntheticPairs;
import io.tpostream.trainer.model.LoraAdapters;
import io.tpostream.trainer.model.LoraConfig;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.VlmConfig;
import io.tpostream.trainer.model.VlmPresets;
import io.tpostream.trainer.tpo.Objective;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one TPO step costs on this machine, for docs/models.md: parameter and optimizer bytes, resident memory
 * before and at the peak of training, and the median step time. One configuration per process, so the peak
 * resident size belongs to it alone; ops/models/footprint.sh runs the table.
 *
 * <pre>java ... io.tpostream.trainer.training.StepFootprint PRESET MODE PAIRS STEPS</pre>
 * MODE: {@code full} (policy + frozen float32 reference), {@code full-fp16-ref} (the reference in float16) or
 * {@code lora} (rank 8 on every decoder projection, the reference = adapters off).
 */
public final class StepFootprint {

    private StepFootprint() {
    }

    public static void main(String[] args) throws IOException {
        String preset = args[0];
        String mode = args[1];
        int pairs = Integer.parseInt(args[2]);
        int steps = Integer.parseInt(args[3]);
        VlmConfig config = VlmPresets.byName(preset, SceneVocabulary.size(), SceneVocabulary.IMAGE_ID);
        if (mode.equals("lora")) {
            config = config.withLora(LoraConfig.allProjections(8, 16));
        }
        List<TrainingPair> batch = new ArrayList<>();
        SceneWorld world = SceneWorld.of(BiasMode.NONE, config.vision().imageSize());
        for (SyntheticPair p : SyntheticPairs.generate(world, 7, pairs)) {
            batch.add(new TrainingPair("footprint-" + batch.size(), p.image(), p.prompt(), p.chosen(), p.rejected()));
        }
        long rssStart = ProcessMemory.residentKb("VmRSS");
        try (ModelInstance policy = ModelInstance.create(config, SceneVocabulary.resourceBytes(), 1, Device.cpu());
             ModelInstance reference = switch (mode) {
                 case "full" -> policy.frozenCopy();
                 case "full-fp16-ref" -> policy.frozenCopy(DataType.FLOAT16);
                 case "lora" -> null;
                 default -> throw new IllegalArgumentException("mode is full, full-fp16-ref or lora, not " + mode);
             };
             PreferenceTrainer trainer = reference == null
                     ? new PreferenceTrainer(policy, PreferenceConfig.defaults(Objective.TPO))
                     : new PreferenceTrainer(policy, reference, PreferenceConfig.defaults(Objective.TPO))) {
            long weightBytes = bytes(policy.parameters()) + (reference == null ? 0 : bytes(reference.parameters()));
            long adapterBytes = bytes(LoraAdapters.arrays(policy.model()));
            // AdamW keeps two moments per trainable parameter (counted, not exported: a copy would inflate the RSS)
            long optimizerBytes = 2 * policy.parameters().values().stream().filter(NDArray::hasGradient)
                    .mapToLong(a -> a.size() * a.getDataType().getNumOfBytes()).sum();
            long tokens = 4L * batch.size() * rowTokens(policy, batch);
            long rssModel = ProcessMemory.residentKb("VmRSS");
            List<Double> millis = new ArrayList<>();
            for (int i = 0; i < steps; i++) {
                long t0 = System.nanoTime();
                trainer.step(batch);
                millis.add((System.nanoTime() - t0) / 1e6);
            }
            List<Double> timed = new ArrayList<>(millis.subList(Math.min(1, millis.size() - 1), millis.size()));
            Collections.sort(timed);
            long parameters = policy.parameters().values().stream().mapToLong(NDArray::size).sum();
            System.out.printf(Locale.ROOT, "{\"preset\":\"%s\",\"mode\":\"%s\",\"pairs\":%d,\"parameters\":%d,"
                            + "\"weight_bytes\":%d,\"adapter_bytes\":%d,\"optimizer_bytes\":%d,\"rss_start_mb\":%.0f,"
                            + "\"rss_model_mb\":%.0f,\"rss_peak_mb\":%.0f,\"step_ms_median\":%.0f,\"step_ms_first\":%.0f,"
                            + "\"steps\":%d,\"policy_tokens\":%d}%n",
                    preset, mode, pairs, parameters, weightBytes, adapterBytes, optimizerBytes, rssStart / 1024.0,
                    rssModel / 1024.0, ProcessMemory.residentKb("VmHWM") / 1024.0, timed.get(timed.size() / 2), millis.get(0), steps,
                    tokens);
        }
    }

    /** Decoder positions of one row: the padded text less the placeholder, plus the image features. */
    private static long rowTokens(ModelInstance model, List<TrainingPair> batch) {
        int text = 0;
        for (TrainingPair p : batch) {
            text = Math.max(text, Math.max(model.format().encode(p.prompt(), p.chosen()).length(),
                    model.format().encode(p.prompt(), p.rejected()).length()));
        }
        return text - 1L + model.config().imageSeqLength();
    }

    private static long bytes(Map<String, NDArray> arrays) {
        return arrays.values().stream().mapToLong(a -> a.size() * a.getDataType().getNumOfBytes()).sum();
    }
}

package io.tpostream.trainer.training;

import io.tpostream.trainer.tpo.AdamWConfig;
import io.tpostream.trainer.tpo.ImageCorruption;
import io.tpostream.trainer.tpo.LearningRateSchedule;
import io.tpostream.trainer.tpo.Objective;
import io.tpostream.trainer.tpo.TpoLossConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that decides what a preference-training step does; recorded with every published version so a
 * replay can redo it.
 *
 * @param loss              objective, beta (0.1) and weight margin a (0.5)
 * @param corruption        diffusion step k (500) and pixel mode of the corrupted image
 * @param learningRate      per-step learning rate
 * @param optimizer         AdamW moments, weight decay and gradient clipping
 * @param trainVisionTower  whether the vision tower learns (the paper froze it; the projector and LM always learn)
 */
public record PreferenceConfig(TpoLossConfig loss, ImageCorruption corruption, LearningRateSchedule learningRate,
                               AdamWConfig optimizer, boolean trainVisionTower) {

    /** Defaults that train the tiny scene model well (the learning rate from the sweep in the README). */
    public static PreferenceConfig defaults(Objective objective) {
        return new PreferenceConfig(TpoLossConfig.defaults().withObjective(objective), ImageCorruption.defaults(),
                LearningRateSchedule.constant(1e-4), AdamWConfig.defaults(), false);
    }

    public PreferenceConfig withLearningRate(LearningRateSchedule schedule) {
        return new PreferenceConfig(loss, corruption, schedule, optimizer, trainVisionTower);
    }

    public PreferenceConfig withObjective(Objective objective) {
        return new PreferenceConfig(loss.withObjective(objective), corruption, learningRate, optimizer, trainVisionTower);
    }

    /** The settings as strings, for a version record's hyper-parameters. */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("objective", loss.objective().configName());
        out.put("beta", Double.toString(loss.beta()));
        out.put("margin_a", Double.toString(loss.marginA()));
        out.put("noise_step", Integer.toString(corruption.step()));
        out.put("noise_mode", corruption.mode().configName());
        out.put("learning_rate", scheduleText(learningRate));
        out.put("adam_beta1", Double.toString(optimizer.beta1()));
        out.put("adam_beta2", Double.toString(optimizer.beta2()));
        out.put("adam_epsilon", Double.toString(optimizer.epsilon()));
        out.put("weight_decay", Double.toString(optimizer.weightDecay()));
        out.put("max_grad_norm", Double.toString(optimizer.maxGradNorm()));
        out.put("train_vision_tower", Boolean.toString(trainVisionTower));
        return out;
    }

    /** Rebuilds the settings from {@link #describe()}: what a replay audit does with a version's record. */
    public static PreferenceConfig fromDescription(Map<String, String> d) {
        TpoLossConfig loss = new TpoLossConfig(num(d, "beta"), num(d, "margin_a"), Objective.fromName(text(d, "objective")));
        ImageCorruption corruption = new ImageCorruption((int) num(d, "noise_step"),
                ImageCorruption.Mode.fromName(text(d, "noise_mode")));
        AdamWConfig adam = new AdamWConfig(num(d, "adam_beta1"), num(d, "adam_beta2"), num(d, "adam_epsilon"),
                num(d, "weight_decay"), num(d, "max_grad_norm"));
        return new PreferenceConfig(loss, corruption, parseSchedule(text(d, "learning_rate")), adam,
                Boolean.parseBoolean(text(d, "train_vision_tower")));
    }

    static String scheduleText(LearningRateSchedule schedule) {
        if (schedule instanceof LearningRateSchedule.Constant c) {
            return "constant:" + c.learningRate();
        }
        LearningRateSchedule.WarmupCosine w = (LearningRateSchedule.WarmupCosine) schedule;
        return "warmup_cosine:" + w.peak() + "," + w.warmupSteps() + "," + w.totalSteps() + "," + w.floor();
    }

    static LearningRateSchedule parseSchedule(String text) {
        String[] kindAndArgs = text.split(":", 2);
        String[] args = kindAndArgs.length > 1 ? kindAndArgs[1].split(",") : new String[0];
        return switch (kindAndArgs[0]) {
            case "constant" -> LearningRateSchedule.constant(Double.parseDouble(args[0]));
            case "warmup_cosine" -> LearningRateSchedule.warmupCosine(Double.parseDouble(args[0]),
                    Long.parseLong(args[1]), Long.parseLong(args[2]), Double.parseDouble(args[3]));
            default -> throw new IllegalArgumentException("unknown learning-rate schedule '" + text + "'");
        };
    }

    private static String text(Map<String, String> d, String key) {
        String v = d.get(key);
        if (v == null) {
            throw new IllegalArgumentException("recorded settings lack '" + key + "'");
        }
        return v;
    }

    private static double num(Map<String, String> d, String key) {
        return Double.parseDouble(text(d, key));
    }
}

package io.tpostream.trainer.online;

/**
 * The promotion gate: a candidate is evaluated on a fixed probe set from the scene world and rejected if its
 * hallucination metrics regress beyond a threshold from the best values a served version has reached.
 *
 * @param enabled            off = every finite candidate passes (metrics are still measured)
 * @param probeImages        scenes in the probe set (captions for CHAIR, questions for POPE)
 * @param probeSeed          seed of the probe set; fixed, so every version meets the same questions
 * @param maxChairIIncrease  largest allowed rise of CHAIR_i (absolute)
 * @param maxPopeF1Drop      largest allowed fall of POPE-adversarial F1 (absolute)
 */
public record GateConfig(boolean enabled, int probeImages, long probeSeed, double maxChairIIncrease,
                         double maxPopeF1Drop) {

    public GateConfig {
        if (probeImages <= 0) {
            throw new IllegalArgumentException("the probe set needs at least one image");
        }
    }

    public static GateConfig defaults() {
        return new GateConfig(true, 32, 424242, 0.05, 0.05);
    }

    public GateConfig withThresholds(double chairIncrease, double popeDrop) {
        return new GateConfig(enabled, probeImages, probeSeed, chairIncrease, popeDrop);
    }

    public GateConfig withProbeImages(int images) {
        return new GateConfig(enabled, images, probeSeed, maxChairIIncrease, maxPopeF1Drop);
    }

    public GateConfig disabled() {
        return new GateConfig(false, probeImages, probeSeed, maxChairIIncrease, maxPopeF1Drop);
    }
}

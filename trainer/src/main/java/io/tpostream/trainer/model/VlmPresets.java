package io.tpostream.trainer.model;

import java.util.List;
import java.util.Locale;

/**
 * Named model sizes. {@code tiny} trains on two CPU cores in minutes and is the embedded default; {@code small}
 * (~86M parameters) is meant for a GPU; {@code base} (~0.4B) sizes a GPU benchmark. All are LLaVA-shaped;
 * the scene-world ones use prefix attention over the image tokens.
 */
public final class VlmPresets {

    public static final List<String> NAMES = List.of("tiny", "small", "base");

    private VlmPresets() {
    }

    public static VlmConfig byName(String name, int vocabSize, int imageTokenId) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "tiny" -> tiny(vocabSize, imageTokenId);
            case "small" -> small(vocabSize, imageTokenId);
            case "base" -> base(vocabSize, imageTokenId);
            default -> throw new IllegalArgumentException("unknown preset '" + name + "': use one of " + NAMES);
        };
    }

    public static VlmConfig tiny(int vocabSize, int imageTokenId) {
        return new VlmConfig(
                new VlmConfig.VisionConfig(32, 8, 64, 2, 4, 128, 1e-5, "quick_gelu"),
                new VlmConfig.TextConfig(vocabSize, 128, 2, 4, 4, 352, 1e-6, 10000, 128),
                imageTokenId, -1, "gelu", "prefix");
    }

    public static VlmConfig small(int vocabSize, int imageTokenId) {
        return new VlmConfig(
                new VlmConfig.VisionConfig(64, 8, 384, 6, 6, 1536, 1e-5, "quick_gelu"),
                new VlmConfig.TextConfig(vocabSize, 768, 12, 12, 4, 2048, 1e-6, 10000, 256),
                imageTokenId, -1, "gelu", "prefix");
    }

    public static VlmConfig base(int vocabSize, int imageTokenId) {
        return new VlmConfig(
                new VlmConfig.VisionConfig(64, 8, 768, 12, 12, 3072, 1e-5, "quick_gelu"),
                new VlmConfig.TextConfig(vocabSize, 1536, 16, 16, 8, 4096, 1e-6, 10000, 256),
                imageTokenId, -2, "gelu", "prefix");
    }
}

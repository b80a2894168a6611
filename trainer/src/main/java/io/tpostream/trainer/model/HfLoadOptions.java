package io.tpostream.trainer.model;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;

import java.nio.file.Path;

/**
 * How {@link ModelInstance#fromHuggingFace} loads a Hugging Face LLaVA directory.
 *
 * @param device        where the parameters live
 * @param weightType    FLOAT32 (training) or FLOAT16 (inference only: half the memory; see docs/models.md for its
 *                      cost on a CPU)
 * @param lora          fresh low-rank adapters to add (A seeded from {@code adapterSeed}, B zero), or null
 * @param adapterSeed   seed of the adapters' A matrices
 * @param adapterDir    a PEFT adapter directory to load on top of the base (its config decides the adapters), or null
 * @param attention     null to keep the config's ({@code causal} for a Hugging Face model), or {@code prefix}
 * @param specialTokens null to take them from the directory (see {@link HfLlavaConfig#readDirectory})
 * @param tokenizerFile null for the directory's {@code tokenizer.json}
 */
public record HfLoadOptions(Device device, DataType weightType, LoraConfig lora, long adapterSeed, Path adapterDir,
                            String attention, TextTokenizer.SpecialTokens specialTokens, Path tokenizerFile) {

    public HfLoadOptions {
        if (weightType != DataType.FLOAT32 && weightType != DataType.FLOAT16) {
            throw new IllegalArgumentException("weights load as float32 or float16, not " + weightType
                    + " (bfloat16 files are widened; DJL 0.36 cannot hold bfloat16 tensors)");
        }
        if (lora != null && adapterDir != null) {
            throw new IllegalArgumentException("give fresh adapters or an adapter directory, not both");
        }
    }

    /** float32 on the CPU, no adapters, everything else from the directory. */
    public static HfLoadOptions defaults() {
        return new HfLoadOptions(Device.cpu(), DataType.FLOAT32, null, 0, null, null, null, null);
    }

    public HfLoadOptions withDevice(Device newDevice) {
        return new HfLoadOptions(newDevice, weightType, lora, adapterSeed, adapterDir, attention, specialTokens,
                tokenizerFile);
    }

    public HfLoadOptions withWeightType(DataType type) {
        return new HfLoadOptions(device, type, lora, adapterSeed, adapterDir, attention, specialTokens, tokenizerFile);
    }

    public HfLoadOptions withLora(LoraConfig newLora, long seed) {
        return new HfLoadOptions(device, weightType, newLora, seed, adapterDir, attention, specialTokens, tokenizerFile);
    }

    public HfLoadOptions withAdapterDir(Path dir) {
        return new HfLoadOptions(device, weightType, lora, adapterSeed, dir, attention, specialTokens, tokenizerFile);
    }

    public HfLoadOptions withAttention(String newAttention) {
        return new HfLoadOptions(device, weightType, lora, adapterSeed, adapterDir, newAttention, specialTokens,
                tokenizerFile);
    }

    public HfLoadOptions withSpecialTokens(TextTokenizer.SpecialTokens tokens) {
        return new HfLoadOptions(device, weightType, lora, adapterSeed, adapterDir, attention, tokens, tokenizerFile);
    }

    public HfLoadOptions withTokenizerFile(Path file) {
        return new HfLoadOptions(device, weightType, lora, adapterSeed, adapterDir, attention, specialTokens, file);
    }
}

package io.tpostream.trainer.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Set;

/**
 * Low-rank adapters on the language model's decoder projections, with PEFT's conventions: for each targeted
 * projection y = x·Wᵀ + (alpha / r)·(x·Aᵀ)·Bᵀ, A (r × in) Kaiming-uniform, B (out × r) zero, so a fresh adapter
 * changes nothing. The vision tower and the projector never get adapters. JSON keys are PEFT's.
 *
 * @param rank          r, the inner width of each adapter
 * @param alpha         scaling numerator; the update is scaled by alpha / r (PEFT's default, not rsLoRA)
 * @param targetModules projection names inside a decoder layer, e.g. q_proj, v_proj
 * @param dropout       must be 0: dropout would make steps depend on an unseeded mask, and replays must be exact
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LoraConfig(
        @JsonProperty("r") int rank,
        @JsonProperty("lora_alpha") double alpha,
        @JsonProperty("target_modules") List<String> targetModules,
        @JsonProperty("lora_dropout") double dropout) {

    /** The decoder projections an adapter can sit on. */
    public static final Set<String> TARGETABLE =
            Set.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    public LoraConfig {
        if (rank <= 0) {
            throw new IllegalArgumentException("LoRA rank must be positive, was " + rank);
        }
        if (!(alpha > 0) || !Double.isFinite(alpha)) {
            throw new IllegalArgumentException("LoRA alpha must be a positive number, was " + alpha);
        }
        if (dropout != 0) {
            throw new IllegalArgumentException("LoRA dropout " + dropout + " is not supported: only 0 (steps must replay"
                    + " bit for bit)");
        }
        if (targetModules == null || targetModules.isEmpty()) {
            throw new IllegalArgumentException("LoRA needs at least one target module of " + TARGETABLE);
        }
        targetModules = List.copyOf(targetModules);
        for (String t : targetModules) {
            if (!TARGETABLE.contains(t)) {
                throw new IllegalArgumentException("LoRA target '" + t + "' is not a decoder projection: use "
                        + TARGETABLE);
            }
        }
    }

    /** Rank, alpha and targets; dropout 0. */
    public static LoraConfig of(int rank, double alpha, List<String> targetModules) {
        return new LoraConfig(rank, alpha, targetModules, 0);
    }

    /** Every attention and MLP projection of the decoder, the usual "all linear" choice. */
    public static LoraConfig allProjections(int rank, double alpha) {
        return of(rank, alpha, List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"));
    }

    /** Parses "q_proj,v_proj" style lists, as a command line gives them. */
    public static List<String> parseTargets(String commaSeparated) {
        return java.util.Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** alpha / r: what the adapter's output is multiplied by. */
    public double scale() {
        return alpha / rank;
    }

    public boolean targets(String projection) {
        return targetModules.contains(projection);
    }
}

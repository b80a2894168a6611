package io.tpostream.trainer.model;

import java.util.List;

/**
 * Tensor names of LLaVA checkpoints in both of Hugging Face's layouts, mapped to this model's names (which are the
 * classic ones):
 * <pre>
 *   classic (transformers &lt; 4.52)                 current (transformers &gt;= 4.52)
 *   language_model.model.layers.0.mlp.up_proj.weight   model.language_model.layers.0.mlp.up_proj.weight
 *   language_model.lm_head.weight                      lm_head.weight
 *   vision_tower.vision_model....                      model.vision_tower.vision_model....
 *   multi_modal_projector.linear_1.weight              model.multi_modal_projector.linear_1.weight
 * </pre>
 * Files are written in the classic layout by default: current transformers still loads it (it converts the names
 * on load), while older versions cannot read the current one.
 */
public final class HfTensorNames {

    /** Which naming to write. */
    public enum Layout { CLASSIC, CURRENT }

    private record Rename(String classic, String current) {
    }

    private static final List<Rename> RENAMES = List.of(
            new Rename("language_model.model.", "model.language_model."),
            new Rename("language_model.lm_head.", "lm_head."),
            new Rename("vision_tower.", "model.vision_tower."),
            new Rename("multi_modal_projector.", "model.multi_modal_projector."));

    /** Buffers some checkpoints carry that are recomputed, never learned: skipped on load wherever they appear. */
    private static final List<String> BUFFER_SUFFIXES = List.of(".embeddings.position_ids", ".rotary_emb.inv_freq");

    private HfTensorNames() {
    }

    /** This model's name for a tensor named in either layout; names of neither layout come back unchanged. */
    public static String toModel(String hfName) {
        for (Rename r : RENAMES) {
            if (hfName.startsWith(r.current())) {
                return r.classic() + hfName.substring(r.current().length());
            }
        }
        return hfName;
    }

    /** The Hugging Face name of one of this model's tensors, in the chosen layout. */
    public static String toHf(String modelName, Layout layout) {
        if (layout == Layout.CLASSIC) {
            return modelName;
        }
        for (Rename r : RENAMES) {
            if (modelName.startsWith(r.classic())) {
                return r.current() + modelName.substring(r.classic().length());
            }
        }
        throw new IllegalArgumentException("'" + modelName + "' is not a LLaVA tensor name");
    }

    /** Whether a checkpoint tensor is a recomputed buffer rather than a weight. */
    public static boolean isBuffer(String modelName) {
        return BUFFER_SUFFIXES.stream().anyMatch(modelName::endsWith);
    }
}

package io.tpostream.trainer.online;

import io.tpostream.schema.ModelVersion;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a version's checkpoint says about itself ({@code trainer-state.json}). The live trainer and the replay audit
 * both write it through {@link #toMap()}, so their bytes cannot drift apart; it holds no wall-clock time, so a
 * replay writes the same bytes.
 */
public record CheckpointLabel(String modelName, long version, long parentVersion, long referenceVersion, long seed) {

    /** The label the checkpoint of a published version carries. */
    public static CheckpointLabel of(ModelVersion v) {
        return new CheckpointLabel(v.getModelName(), v.getVersion(), v.getParentVersion(), v.getReferenceVersion(),
                v.getSeed());
    }

    public Map<String, String> toMap() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("model", modelName);
        s.put("version", Long.toString(version));
        s.put("parent_version", Long.toString(parentVersion));
        s.put("reference_version", Long.toString(referenceVersion));
        s.put("seed", Long.toString(seed));
        return s;
    }
}

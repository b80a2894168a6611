package io.tpostream.ops.testing;

import ai.djl.Device;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.Topics;
import io.tpostream.trainer.publish.LocalArtifactStore;
import io.tpostream.trainer.serving.ModelSubscriber;
import io.tpostream.trainer.serving.ServingModel;
import io.tpostream.trainer.serving.VersionListener;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A model subscriber on the CPU, without signature checks, that adds each version it applies to a list. */
public final class RecordingSubscriber {

    private RecordingSubscriber() {
    }

    /** Not started yet: call {@link ModelSubscriber#start()}. */
    public static ModelSubscriber of(String bootstrap, Topics topics, String model, Path artifacts,
                                     ServingModel serving, List<Long> applied) throws IOException {
        return new ModelSubscriber(Map.of("bootstrap.servers", bootstrap), topics.modelVersions(), model,
                List.of(new LocalArtifactStore(artifacts)), null, serving, new VersionListener() {
                    @Override
                    public void applied(ModelVersion version) {
                        applied.add(version.getVersion());
                    }
                }, Device.cpu());
    }
}

package io.tpostream.trainer.serving;

import io.tpostream.schema.ModelVersion;

/** What a serving application hears from its {@link ModelSubscriber}. */
public interface VersionListener {

    /** The version is now being served. */
    default void applied(ModelVersion version) {
    }

    /**
     * The version is now being served; {@code signingKeyId} names the trusted key whose signature it carries (null
     * when the subscriber checks no signatures). By default the same as {@link #applied(ModelVersion)}.
     */
    default void applied(ModelVersion version, String signingKeyId) {
        applied(version);
    }

    /** The version was not applied, and why; the previous model stays in service. */
    default void refused(ModelVersion version, String reason) {
    }

    /**
     * The subscriber stopped following the topic for good (e.g. Kafka refused its credentials or its read access);
     * the model it serves stays in service, but no newer version will come.
     */
    default void failed(Throwable cause) {
    }
}

package io.tpostream.ops.serve;

import io.tpostream.schema.FeedbackEvent;

/** Where the service's feedback events go: the feedback topic, or nowhere when it runs without Kafka. */
interface FeedbackSink extends AutoCloseable {

    /** Writes the event durably (acknowledged by Kafka) before returning; returns where it went. */
    String send(FeedbackEvent event) throws Exception;

    @Override
    default void close() {
    }
}

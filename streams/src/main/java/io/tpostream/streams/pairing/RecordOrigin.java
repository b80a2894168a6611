package io.tpostream.streams.pairing;

import org.apache.kafka.streams.processor.api.ProcessingContext;

/** Where an input record was read from, so a dead letter can point back at it. */
record RecordOrigin(String topic, int partition, long offset) {

    /** Used only if the runtime gives no metadata (it always does for records read from a topic). */
    static final RecordOrigin UNKNOWN = new RecordOrigin("", -1, -1L);

    static RecordOrigin of(ProcessingContext context) {
        return context.recordMetadata()
                .map(m -> new RecordOrigin(m.topic() == null ? "" : m.topic(), m.partition(), m.offset()))
                .orElse(UNKNOWN);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}

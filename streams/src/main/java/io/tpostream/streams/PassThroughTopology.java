package io.tpostream.streams;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;

/**
 * Copies records byte for byte from one topic to another: the baseline a benchmark measures the pairing topology
 * against, so that the cost of Kafka itself (consume, produce, commit) is separated from the cost of pairing.
 */
public final class PassThroughTopology {

    private PassThroughTopology() {
    }

    public static Topology build(String inputTopic, String outputTopic) {
        Topology t = new Topology();
        t.addSource("pass-through-source", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
                inputTopic);
        t.addSink("pass-through-sink", outputTopic, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer(),
                "pass-through-source");
        return t;
    }
}

package io.tpostream.streams;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class PassThroughTopologyTest {

    @Test
    void copiesKeysAndValuesByteForByte() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "pass-through-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try (TopologyTestDriver driver = new TopologyTestDriver(PassThroughTopology.build("in", "out"), p)) {
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic("in", new ByteArraySerializer(),
                    new ByteArraySerializer());
            TestOutputTopic<byte[], byte[]> out = driver.createOutputTopic("out", new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            in.pipeInput(new byte[] {1}, new byte[] {(byte) 0xC3, 0x01, 7});
            in.pipeInput((byte[]) null, (byte[]) null);
            List<KeyValue<byte[], byte[]>> copied = out.readKeyValuesToList();
            assertEquals(2, copied.size());
            assertArrayEquals(new byte[] {1}, copied.get(0).key);
            assertArrayEquals(new byte[] {(byte) 0xC3, 0x01, 7}, copied.get(0).value);
            assertNull(copied.get(1).key);
            assertNull(copied.get(1).value);
        }
    }
}

package io.tpostream.ops.cli;

import io.tpostream.ops.json.Json;
import io.tpostream.ops.json.KafkaRecordJson;
import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.kafka.SystemTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

@Command(name = "consume",
        description = {
                "Prints the records of one of the system's topics as JSON Lines on stdout, committed records only "
                        + "(read_committed). It joins no consumer group and commits nothing.",
                "Each line has topic, partition, offset, timestamp, key and value; the value is plain JSON "
                        + "(timestamps ISO-8601, bytes base64, image bytes as \"<N bytes>\"). A value that cannot be "
                        + "decoded gets an error object (reason, message, size) instead.",
                "Stops after --max records, or after --timeout seconds without a new record."})
final class ConsumeCommand implements Callable<Integer> {

    private static final Duration POLL = Duration.ofMillis(200);

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC",
            description = "feedback, dlq, outcomes, pairs, model-versions or token-rewards (or the full topic name).")
    String topic;

    @Option(names = "--from-beginning",
            description = "Start at the oldest record (default: only records that arrive from now on).")
    boolean fromBeginning;

    @Option(names = "--max", paramLabel = "N", description = "Stop after N records (default: no limit).")
    Long max;

    @Option(names = "--timeout", paramLabel = "S", defaultValue = "10",
            description = "Stop after S seconds without a new record; 0 waits for ever.")
    double timeoutSeconds;

    @Option(names = "--include-bytes",
            description = "Print image bytes (base64) and the raw bytes of undecodable values in full.")
    boolean includeBytes;

    @Override
    public Integer call() {
        if (max != null && max < 1 || timeoutSeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--max must be at least 1 and --timeout at least 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        SystemTopic target = kafka.systemTopic(topic);
        String topicName = target.topicName(kafka.topics());
        ClientSettings settings = kafka.clientSettings();
        List<TopicPartition> partitions = IntStream.range(0, KafkaOptions.existingPartitions(settings, topicName))
                .mapToObj(p -> new TopicPartition(topicName, p)).toList();

        KafkaRecordJson json = new KafkaRecordJson(target.recordType(), includeBytes);
        long printed = 0;
        Duration idleLimit = Duration.ofMillis(Math.round(timeoutSeconds * 1000));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer(null),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            long lastRecordAt = System.nanoTime();
            while (max == null || printed < max) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    out.println(Json.line(json.render(r)));
                    printed++;
                    if (max != null && printed >= max) {
                        break;
                    }
                }
                out.flush();
                if (!records.isEmpty()) {
                    lastRecordAt = System.nanoTime();
                } else if (!idleLimit.isZero() && System.nanoTime() - lastRecordAt >= idleLimit.toNanos()) {
                    break;
                }
            }
        }
        PrintWriter err = spec.commandLine().getErr();
        err.println(printed + " record" + (printed == 1 ? "" : "s") + " from " + topicName);
        err.flush();
        return 0;
    }
}

package io.tpostream.ops.bench;

import io.tpostream.ops.synthetic.BenchWorkload;
import io.tpostream.schema.Topics;
import io.tpostream.streams.PairingConfig;
import io.tpostream.streams.PassThroughTopology;
import io.tpostream.streams.pairing.FeedbackTopology;
import io.tpostream.streams.pairing.PairingMetrics;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Pass-through versus pairing on the same input, in one run: the same broker, the same pre-produced synthetic
 * feedback, exactly_once_v2, the same commit interval and threads. The pass-through app copies bytes, so it costs
 * what Kafka itself costs (consume, produce, transactions); the pairing app adds decoding, validation, state and
 * pairing. The ratio is what pairing costs on top of Kafka.
 */
public final class StreamsBenchmark {

    public static final String TIMING = "time from the app reaching RUNNING (input already complete, nothing to "
            + "restore) until its committed input offsets reach the input's end offsets; under exactly_once_v2 those "
            + "offsets commit in the same transaction as the output, so all output is then visible to read_committed "
            + "readers";

    /**
     * @param events         records to generate and push through each app
     * @param images         distinct images in the workload, 0 for its default (one per 200 events)
     * @param partitions     partitions of the input (and output) topics: one stream task each
     * @param commitInterval the apps' commit.interval.ms
     * @param threads        stream threads per app
     * @param pairing        the pairing app's configuration
     * @param seed           seeds the workload
     * @param streams        further Kafka Streams settings of both apps (e.g. enable.transactional.statestores)
     */
    public record Settings(long events, int images, int partitions, Duration commitInterval, int threads,
                           PairingConfig pairing, long seed, Map<String, String> streams) {
        public Settings {
            streams = Map.copyOf(streams);
        }
    }

    /**
     * One app's timed run.
     *
     * @param processCpu CPU time of the whole JVM (broker included) during the run
     * @param appCpu     CPU time of the app's own threads during the run
     */
    public record Run(String name, long events, Duration elapsed, Duration processCpu, Duration appCpu,
                      Map<String, Duration> cpuByThread, Map<String, Long> metrics, long changelogBytes,
                      long changelogRecords) {
        public double eventsPerSecond() {
            return events / (elapsed.toNanos() / 1e9);
        }

        /** Microseconds of the app threads' CPU per event: what the app costs, whatever else the machine runs. */
        public double appCpuMicrosPerEvent() {
            return appCpu.toNanos() / 1e3 / events;
        }

        /** Bytes the app's state changelogs hold per input event (log segments as stored, markers included). */
        public double changelogBytesPerEvent() {
            return (double) changelogBytes / events;
        }

        /** Changelog records per input event: what reached the changelog after record caching. */
        public double changelogRecordsPerEvent() {
            return (double) changelogRecords / events;
        }

        /** Puts and deletes the topology's code made on its stores per input event, before caching. */
        public double storeWritesPerEvent() {
            return (double) metrics.getOrDefault(PairingMetrics.STATE_WRITES, 0L) / events;
        }
    }

    /**
     * @param images      distinct images in the workload
     * @param span        simulated time the record timestamps span
     * @param produced    records written to the input topic
     * @param inputBytes  their value bytes
     * @param produceTime how long producing took
     */
    public record Result(Settings settings, int images, Duration span, long produced, long inputBytes,
                         Duration produceTime, Run passThrough, Run pairing) {
        public double ratio() {
            return pairing.eventsPerSecond() / passThrough.eventsPerSecond();
        }
    }

    private StreamsBenchmark() {
    }

    private static Run run(String name, Settings s, BenchBroker.Timed t) {
        return new Run(name, s.events(), t.elapsed(), t.processCpu(), t.appCpu(), t.cpuByThread(), t.metrics(),
                t.changelogs().bytes(), t.changelogs().records());
    }

    public static Result run(Settings s, Progress progress) throws Exception {
        Topics topics = new Topics("bench.");
        String passThroughOut = "bench.pass-through";
        BenchWorkload workload = new BenchWorkload(s.events(), s.images(), s.seed(), Instant.now());
        try (BenchBroker kafka = new BenchBroker()) {
            kafka.createTopics(topics, s.partitions(), passThroughOut);
            BenchBroker.Produced produced = kafka.produce(topics.feedback(), s.events(), send -> workload.forEach(r ->
                    send.accept(new ProducerRecord<>(topics.feedback(), null, r.timestamp(), r.key(), r.value()))),
                    progress);
            BenchBroker.Timed copy = kafka.runUntilCommitted("pass-through", "bench-pass-through",
                    PassThroughTopology.build(topics.feedback(), passThroughOut), topics.feedback(),
                    s.commitInterval(), s.threads(), s.streams(), progress);
            BenchBroker.Timed pair = kafka.runUntilCommitted("pairing     ", "bench-pairing",
                    FeedbackTopology.build(topics, s.pairing()), topics.feedback(), s.commitInterval(), s.threads(),
                    s.streams(), progress);
            if (pair.metrics().get(PairingMetrics.EVENTS_IN) < s.events()) {
                throw new IllegalStateException("the pairing app committed its input but counted only "
                        + pair.metrics().get(PairingMetrics.EVENTS_IN) + " of " + s.events() + " events");
            }
            return new Result(s, workload.images(), workload.span(), produced.records(), produced.bytes(),
                    produced.elapsed(), run("pass-through", s, copy), run("pairing", s, pair));
        }
    }
}

package io.tpostream.ops.online;

import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.demo.SimulatedUsers;
import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.testing.Await;
import io.tpostream.ops.testing.OnlineTopics;
import io.tpostream.ops.testing.PairProducer;
import io.tpostream.ops.testing.RecordingSubscriber;
import io.tpostream.ops.testing.TestTrainer;
import io.tpostream.ops.testing.TopicReader;
import io.tpostream.ops.testing.Versions;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.DeadLetter;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.FeedbackOutcome;
import io.tpostream.schema.FeedbackKind;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.Sha256;
import io.tpostream.schema.Topics;
import io.tpostream.schema.UndecodableRecordException;
import io.tpostream.schema.VersionStatus;
import io.tpostream.streams.PairingApp;
import io.tpostream.streams.PairingConfig;
import io.tpostream.streams.StreamsSettings;
import io.tpostream.trainer.eval.BiasMode;
import io.tpostream.trainer.eval.Scene;
import io.tpostream.trainer.eval.SceneText;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.image.RgbImage;
import io.tpostream.trainer.serving.ModelSubscriber;
import io.tpostream.trainer.serving.ServingModel;
import io.tpostream.trainer.testing.SceneFixtures;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker restarts (controlled shutdown, same data and ports) while simulated users send feedback, the pairing
 * app turns it into pairs and the trainer trains and publishes. Afterwards every feedback record is accounted for
 * exactly once (a pair's source, a dead letter, or a rating still held for a partner), no pair is emitted twice,
 * every pair offset lies in exactly one published window, version numbers run without gap or repeat, and every
 * version's artifact is there with its sha-256, and a subscriber that followed the model all along serves the
 * newest one.
 */
class TrainerBrokerRestartIT {

    private static final String MODEL = "scene-restart";
    private static final String PREFIX = "restart.";
    private static final int IMAGES_PER_PHASE = 24;

    @TempDir
    Path dir;

    @Test
    void theBrokerRestartsUnderTheStreamsAppAndTheTrainerAndEveryRecordIsAccountedFor() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().start()) {
            String bootstrap = broker.bootstrapServers();
            Topics topics = OnlineTopics.create(bootstrap, PREFIX, 2);
            Path base = SceneFixtures.writeBaseModel(dir.resolve("base.ckpt"), 17);
            Users users = new Users(topics.feedback());
            StreamsSettings streams = StreamsSettings.of(bootstrap, dir.resolve("streams"))
                    .withApplicationId("restart-pairing");
            Accounting accounted;
            List<PairProducer.Sent> pairs;
            long restartMillis;
            Path artifacts = dir.resolve("artifacts");
            List<Long> applied = new CopyOnWriteArrayList<>();
            try (PairingApp app = new PairingApp(topics, PairingConfig.defaults(), streams);
                 KafkaProducer<String, byte[]> producer = new KafkaProducer<>(ClientSettings.of(bootstrap).producer(),
                         new StringSerializer(), new ByteArraySerializer());
                 TestTrainer trainer = new TestTrainer.Settings(bootstrap, topics, MODEL, base, artifacts).start();
                 ServingModel serving = new ServingModel();
                 ModelSubscriber subscriber = RecordingSubscriber.of(bootstrap, topics, MODEL, artifacts, serving,
                         applied).start()) {
                app.start();
                app.awaitRunning(Await.DEADLINE);
                users.send(producer, 0, IMAGES_PER_PHASE);
                Await.until("a version trained from the first feedback", () -> {
                    trainer.assertAlive();
                    return Versions.read(bootstrap, topics.modelVersions(), MODEL).size();
                }, n -> n >= 2);

                // the broker goes away under the running app and trainer and comes back on the same data and ports,
                // while the users go on sending (a send that finds no broker waits for one, up to max.block.ms)
                CompletableFuture<Void> inFlight = CompletableFuture.runAsync(
                        () -> users.send(producer, IMAGES_PER_PHASE, 2 * IMAGES_PER_PHASE));
                long stopped = System.nanoTime();
                broker.restart();
                restartMillis = (System.nanoTime() - stopped) / 1_000_000;
                inFlight.get(Await.DEADLINE.toSeconds(), TimeUnit.SECONDS);
                users.send(producer, 2 * IMAGES_PER_PHASE, 3 * IMAGES_PER_PHASE);
                producer.flush();
                users.assertDelivered();

                accounted = Await.until("every feedback record a pair source, a dead letter or held", () -> {
                    assertTrue(app.state().isRunningOrRebalancing(), "the pairing app stopped: " + app.state());
                    trainer.assertAlive();
                    return Accounting.of(bootstrap, topics, app.metricsSnapshot().getOrDefault("held-ratings", -1L));
                }, a -> a.feedback() == users.sent() && a.complete());
                pairs = accounted.pairs();
                List<ModelVersion> covering = Versions.awaitCoverage(bootstrap, topics.modelVersions(), MODEL, pairs,
                        trainer::assertAlive);
                // a serving application that followed the model across the restart ends up on its newest version
                long newest = covering.get(covering.size() - 1).getVersion();
                Await.until("the subscriber to apply v" + newest, () -> applied, a -> a.contains(newest));
            }

            accounted.assertExactlyOnce();
            List<ModelVersion> versions = Versions.read(bootstrap, topics.modelVersions(), MODEL);
            Versions.assertExactlyOnce(versions, pairs);
            Versions.assertArtifacts(versions);
            versions.forEach(v -> assertEquals(VersionStatus.PASSED, v.getStatus(), "v" + v.getVersion()));
            System.out.printf("TrainerBrokerRestartIT: broker restart %d ms; %d feedback records = %d pair sources + %d dead "
                            + "letters + %d held; %d pairs in %d versions%n", restartMillis, accounted.feedback(),
                    accounted.sources(), accounted.deadLetters(), accounted.held(), pairs.size(), versions.size());
        }
    }

    /** The demo's simulated users, reacting to scenes captioned with one true and one hallucinated caption. */
    private static final class Users {
        private final String topic;
        private final SceneWorld world = SceneWorld.of(BiasMode.NONE, SceneFixtures.IMAGE_SIZE);
        private final SimulatedUsers users = new SimulatedUsers(new SimulatedUsers.Behaviour(0.4, 0.2, 0.1, 0.1));
        private final AvroSerde<FeedbackEvent> serde = AvroSerde.of(FeedbackEvent.class);
        private final List<Future<RecordMetadata>> acks = new ArrayList<>();
        private int sent;

        Users(String topic) {
            this.topic = topic;
        }

        /** Sends the users' feedback on images [from, until) (not waiting for acknowledgements). */
        synchronized void send(KafkaProducer<String, byte[]> producer, int from, int until) {
            for (int i = from; i < until; i++) {
                Scene scene = world.scene(5, i);
                RgbImage image = world.render(scene);
                byte[] png = image.encodePng();
                String sha = Sha256.hex(png);
                SplittableRandom rng = new SplittableRandom(1000L + i);
                String truth = SceneText.caption(scene);
                String wrong = SceneText.hallucinate(scene, rng);
                boolean wrongFirst = rng.nextBoolean();
                SimulatedUsers.Shown shown = new SimulatedUsers.Shown(sha, png, image.width(), scene,
                        SceneText.CAPTION_PROMPT, wrongFirst ? wrong : truth, wrongFirst ? truth : wrong, MODEL, 0);
                SimulatedUsers.Sent reaction = users.react(shown, i, rng, Instant.now());
                List<byte[]> records = new ArrayList<>(reaction.malformed());
                reaction.events().forEach(e -> records.add(serde.encode(e)));
                for (byte[] value : records) {
                    acks.add(producer.send(new ProducerRecord<>(topic, sha, value)));
                    sent++;
                }
            }
        }

        synchronized int sent() {
            return sent;
        }

        /** Fails if the producer gave up on a record: then the topic could not hold all the users sent. */
        synchronized void assertDelivered() throws InterruptedException {
            for (Future<RecordMetadata> ack : acks) {
                try {
                    ack.get();
                } catch (ExecutionException e) {
                    throw new AssertionError("a feedback record was not delivered: " + e.getCause(), e);
                }
            }
        }
    }

    /**
     * What became of each feedback record, read back from the topics: a pair's source (by event id), a dead letter
     * or an outcome (by source offset; counted together as deadLetters), or neither, which only a rating still
     * waiting for a partner may be.
     */
    private record Accounting(int feedback, int sources, int deadLetters, List<String> neither, long held,
                              List<String> inTwoPlaces, List<String> duplicates, List<String> unknownSources,
                              List<PairProducer.Sent> pairs) {

        static Accounting of(String bootstrap, Topics topics, long heldRatings) {
            AvroSerde<FeedbackEvent> feedbackSerde = AvroSerde.of(FeedbackEvent.class);
            AvroSerde<PreferencePair> pairSerde = AvroSerde.of(PreferencePair.class);
            AvroSerde<DeadLetter> deadLetterSerde = AvroSerde.of(DeadLetter.class);

            Set<String> deadLettered = new HashSet<>();
            List<String> duplicates = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(bootstrap, topics.deadLetters())) {
                DeadLetter d = deadLetterSerde.decode(r.value());
                if (!d.getSourceTopic().equals(topics.feedback())) {
                    continue; // the trainer's dead letter of a pair, not a feedback record's fate
                }
                if (!deadLettered.add(d.getSourcePartition() + "@" + d.getSourceOffset())) {
                    duplicates.add("dead letter of " + d.getSourcePartition() + "@" + d.getSourceOffset());
                }
            }
            AvroSerde<FeedbackOutcome> outcomeSerde = AvroSerde.of(FeedbackOutcome.class);
            for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(bootstrap, topics.outcomes())) {
                FeedbackOutcome o = outcomeSerde.decode(r.value());
                if (!deadLettered.add(o.getSourcePartition() + "@" + o.getSourceOffset())) {
                    duplicates.add("outcome of " + o.getSourcePartition() + "@" + o.getSourceOffset());
                }
            }
            Map<String, Integer> sourceUses = new HashMap<>();
            Set<String> pairIds = new HashSet<>();
            List<PairProducer.Sent> pairs = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(bootstrap, topics.pairs())) {
                PreferencePair p = pairSerde.decode(r.value());
                if (!pairIds.add(p.getPairId())) {
                    duplicates.add("pair " + p.getPairId());
                }
                p.getSourceEventIds().forEach(id -> sourceUses.merge(id, 1, Integer::sum));
                pairs.add(new PairProducer.Sent(p.getPairId(), r.partition(), r.offset()));
            }
            List<String> neither = new ArrayList<>();
            List<String> inTwoPlaces = new ArrayList<>();
            Set<String> eventIds = new HashSet<>();
            List<ConsumerRecord<byte[], byte[]>> feedback = TopicReader.readAll(bootstrap, topics.feedback());
            int sources = 0;
            for (ConsumerRecord<byte[], byte[]> r : feedback) {
                String place = r.partition() + "@" + r.offset();
                FeedbackEvent e = null;
                try {
                    e = feedbackSerde.decode(r.value());
                    eventIds.add(e.getEventId());
                } catch (UndecodableRecordException undecodable) {
                    // only a dead letter can account for it
                }
                boolean source = e != null && sourceUses.containsKey(e.getEventId());
                boolean dead = deadLettered.contains(place);
                sources += source ? 1 : 0;
                if (source && dead) {
                    inTwoPlaces.add(place + " " + e.getEventId());
                } else if (!source && !dead) {
                    neither.add(place + " " + (e == null ? "undecodable" : e.getKind() + " " + e.getEventId()));
                }
            }
            List<String> unknownSources = sourceUses.keySet().stream().filter(id -> !eventIds.contains(id)).toList();
            return new Accounting(feedback.size(), sources, deadLettered.size(), neither, heldRatings, inTwoPlaces,
                    duplicates, unknownSources, pairs);
        }

        /** Every record is in one place, and those in neither are exactly the ratings the app says it holds. */
        boolean complete() {
            return sources + deadLetters + neither.size() == feedback && neither.size() == held
                    && neither.stream().allMatch(n -> n.contains(" " + FeedbackKind.RATING + " "));
        }

        void assertExactlyOnce() {
            assertEquals(List.of(), inTwoPlaces, "records that are both a pair source and a dead letter or outcome");
            assertEquals(List.of(), duplicates, "pairs, dead letters or outcomes written twice");
            assertEquals(List.of(), unknownSources, "pair sources that are no feedback record");
            assertTrue(complete(), this::toString);
        }
    }
}

package io.tpostream.ops.serve;

import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import io.tpostream.ops.testing.Await;
import io.tpostream.ops.testing.ChildTpo;
import io.tpostream.ops.testing.Http;
import io.tpostream.ops.testing.SharedBroker;
import io.tpostream.ops.testing.TopicReader;
import io.tpostream.ops.testing.VersionTopic;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.FeedbackKind;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.publish.VersionSignature;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tpo serve} as a user runs it (a JVM of its own) against the real broker, driven by the JDK's HTTP client
 * through hot swaps under concurrent load: no request fails, and each answer names a version that was PASSED and
 * correctly signed (by either of two trusted keys, as while keys rotate) when it was served, never a REJECTED,
 * stranger-signed or forged one.
 */
@ExtendWith(SharedBroker.class)
class ServeCommandIT {

    private static final String MODEL = "served-http";
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+) .*");
    private static final int CLIENTS = 3;

    @TempDir
    Path dir;

    /** One answer the load saw. */
    private record Answer(int status, long version, String body) {
    }

    @Test
    void hotSwapsUnderConcurrentLoadFailNoRequestAndServeOnlyPassedSignedVersions(EmbeddedKafkaBroker broker)
            throws Exception {
        KeyPair trusted = VersionSignature.generate();
        Path publicKey = dir.resolve("trusted.pub");
        VersionSignature.writeKeys(trusted, dir.resolve("trusted.key"), publicKey);
        KeyPair rotated = VersionSignature.generate(); // the key the trainer moves to while subscribers trust both
        Path rotatedKey = dir.resolve("rotated.pub");
        VersionSignature.writeKeys(rotated, dir.resolve("rotated.key"), rotatedKey);
        byte[] image = SceneWorld.unbiased().render(SceneWorld.unbiased().scene(3, 1)).encodePng();
        try (VersionTopic versions = new VersionTopic(broker, "serve-swap.", MODEL, dir.resolve("artifacts"))) {
            versions.publish(versions.signed(0, VersionStatus.PASSED, trusted));
            try (ChildTpo serve = ChildTpo.start(List.of(), "serve", "--bootstrap-servers", broker.bootstrapServers(),
                    "--topic-prefix", "serve-swap.", "--model", MODEL, "--artifacts", dir.resolve("artifacts").toString(),
                    "--public-key", publicKey.toString(), "--public-key", rotatedKey.toString(), "--port", "0",
                    "--threads", "3")) {
                assertTrue(serve.awaitLine(l -> LISTENING.matcher(l).matches()), serve.output());
                Http http = new Http(port(serve));
                Await.until("v0 in service", () -> http.get("/readyz"), r -> r.status() == 200);

                List<Answer> answers = new CopyOnWriteArrayList<>();
                Map<Long, Integer> byVersion = new ConcurrentHashMap<>();
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> clients = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    String path = c == 0 ? "/v1/captions?scores=true" : "/v1/captions";
                    Thread t = new Thread(() -> {
                        // bounded: a broken service must not keep the loop going past the test's deadline
                        for (int i = 0; i < 20_000 && !stop.get(); i++) {
                            Http.Response r = http.post(path, image, "image/png");
                            long v = r.status() == 200 ? r.json().get("model_version").asLong() : -1;
                            answers.add(new Answer(r.status(), v, r.body()));
                            byVersion.merge(v, 1, Integer::sum);
                        }
                    }, "load-" + c);
                    t.start();
                    clients.add(t);
                }
                try {
                    Await.until("answers from v0", () -> byVersion.getOrDefault(0L, 0), n -> n >= 20);
                    // a REJECTED version, a PASSED one signed by a stranger, a forged one, then a good one
                    ModelVersion forged = versions.signed(3, VersionStatus.PASSED, trusted);
                    forged.setPairs(1_000);
                    versions.publish(versions.signed(1, VersionStatus.REJECTED, trusted),
                            versions.signed(2, VersionStatus.PASSED, VersionSignature.generate()), forged);
                    assertTrue(serve.awaitLine(l -> l.startsWith("refused v3: ")), serve.output());
                    int beforeSwap = answers.size();
                    versions.publish(versions.signed(4, VersionStatus.PASSED, trusted));
                    Await.until("answers from v4", () -> byVersion.getOrDefault(4L, 0), n -> n >= 20);
                    versions.publish(versions.signed(5, VersionStatus.PASSED, rotated));
                    Await.until("answers from v5", () -> byVersion.getOrDefault(5L, 0), n -> n >= 20);
                    assertTrue(answers.size() > beforeSwap + 40, "the load went on through the swaps");
                } finally {
                    stop.set(true);
                    for (Thread t : clients) {
                        t.join(Await.DEADLINE.toMillis());
                    }
                }
                System.out.println("ServeCommandIT: " + answers.size() + " answers by version " + new TreeMap<>(byVersion)
                        + " from " + CLIENTS + " concurrent clients");
                List<Answer> failed = answers.stream().filter(a -> a.status() != 200).toList();
                assertEquals(List.of(), failed.stream().limit(5).toList(), failed.size() + " of " + answers.size()
                        + " requests failed");
                assertEquals(Set.of(0L, 4L, 5L), new TreeMap<>(byVersion).keySet(),
                        "only versions that were PASSED and signed by the trusted key answer: " + byVersion);
                assertTrue(serve.output().contains("refused v2: "), serve.output());
                assertTrue(serve.lines().stream().anyMatch(l -> l.startsWith("applied v5 ")
                        && l.endsWith(", signed by key " + VersionSignature.keyId(rotated.getPublic()) + ")")),
                        "says which trusted key signed: " + serve.output());
                assertTrue(!serve.output().contains("applied v1 ") && !serve.output().contains("applied v3 "),
                        serve.output());

                String metrics = http.get("/metrics").body();
                assertTrue(metrics.contains("\ntpo_serve_model_version 5.0\n"), metrics);
                assertTrue(metrics.contains("\ntpo_serve_model_swaps_total 2.0\n"), metrics);
                assertTrue(metrics.contains("\ntpo_serve_versions_refused_total 2.0\n"), metrics);
                assertTrue(metrics.contains("tpo_serve_requests_total{route=\"/v1/captions\",status=\"200\"} "
                        + answers.size() + ".0\n"), "every answer counted once: " + answers.size() + "\n" + metrics);

                feedbackIsStampedWithTheVersionThatWroteTheCaption(broker, versions, http, image);
                assertEquals(143, serve.terminate(), "SIGTERM stops it like any JVM service: " + serve.output());
            }
        }
    }

    private static void feedbackIsStampedWithTheVersionThatWroteTheCaption(EmbeddedKafkaBroker broker,
                                                                           VersionTopic versions, Http http,
                                                                           byte[] image) {
        Http.Response caption = http.post("/v1/captions", image, "image/png");
        assertEquals(5, caption.json().get("model_version").asLong());
        Http.Response accepted = http.postJson("/v1/feedback", "{\"caption_id\": \"" + caption.text("caption_id")
                + "\", \"kind\": \"correction\", \"corrected_response\": \"a red circle .\", \"annotator\": \"u1\"}");
        assertEquals(202, accepted.status(), accepted.toString());
        List<ConsumerRecord<byte[], byte[]>> records = TopicReader.readAll(broker.bootstrapServers(),
                versions.topics().feedback());
        assertEquals(1, records.size());
        FeedbackEvent e = AvroSerde.of(FeedbackEvent.class).decode(records.get(0).value());
        assertEquals(accepted.text("event_id"), e.getEventId());
        assertEquals(MODEL, e.getModelName());
        assertEquals(5, e.getModelVersion(), "stamped with the version that wrote the caption");
        assertEquals(caption.text("caption"), e.getResponse());
        assertEquals(caption.text("prompt"), e.getPrompt());
        assertEquals(FeedbackKind.CORRECTION, e.getKind());
        assertEquals("a red circle .", e.getCorrectedResponse());
        assertEquals(caption.text("image_sha256"), e.getImage().getSha256());
        assertEquals(ByteBuffer.wrap(image), e.getImage().getBytes(), "the image travels inline");
        assertEquals(e.getImage().getSha256(), new String(records.get(0).key(), java.nio.charset.StandardCharsets.UTF_8),
                "keyed by image, like all feedback");
    }

    private static int port(ChildTpo serve) {
        for (String line : serve.lines()) {
            Matcher m = LISTENING.matcher(line);
            if (m.matches()) {
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("no 'listening on' line: " + serve.output());
    }
}

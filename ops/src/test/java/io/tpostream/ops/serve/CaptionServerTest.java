package io.tpostream.ops.serve;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.tpostream.ops.testing.Http;
import io.tpostream.ops.testing.TestImages;
import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.eval.SceneText;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.serving.ServingModel;
import io.tpostream.trainer.testing.SceneFixtures;
import io.tpostream.trainer.testing.TestVersions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The caption service over real HTTP with a fixed micro model and no Kafka: answers, errors, health, metrics. */
class CaptionServerTest {

    private static final int MAX_BODY = 64 * 1024;

    private static ServingModel serving;
    private static CaptionServer server;
    private static Http http;
    private static byte[] scene;

    @BeforeAll
    static void start() throws IOException {
        serving = new ServingModel();
        server = new CaptionServer(serving, new CaptionServer.Settings("127.0.0.1", 0, 2, MAX_BODY,
                Duration.ofSeconds(5), 1 << 20), new CaptionService.Settings(SceneText.CAPTION_PROMPT, 12, 64 * 64),
                null, "unused");
        http = new Http(server.port());
        scene = SceneWorld.unbiased().render(SceneWorld.unbiased().scene(1, 1)).encodePng();
    }

    @AfterAll
    static void stop() {
        server.close();
        serving.close();
    }

    private static synchronized void load(long version) {
        if (serving.version().map(v -> v.getVersion() != version).orElse(true)) {
            try {
                ModelInstance m = ModelInstance.load(SceneFixtures.baseCheckpoint(7), "micro", Device.cpu());
                serving.swap(m, TestVersions.builder(version, VersionStatus.PASSED).setModelName("micro").build());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void beforeItsFirstModelTheServiceIsHealthyButNotReady() throws IOException {
        try (ServingModel empty = new ServingModel();
             CaptionServer fresh = new CaptionServer(empty, new CaptionServer.Settings("127.0.0.1", 0, 1, MAX_BODY,
                     Duration.ofSeconds(1), 1 << 20), new CaptionService.Settings(SceneText.CAPTION_PROMPT, 12, 4096),
                     null, "unused")) {
            Http client = new Http(fresh.port());
            assertEquals(200, client.get("/healthz").status());
            Http.Response ready = client.get("/readyz");
            assertEquals(503, ready.status());
            assertFalse(ready.json().get("ready").asBoolean());
            assertError(503, "not_ready", client.post("/v1/captions", scene, "image/png"));
        }
    }

    @Test
    void captionsNameTheModelAndVersionInService() {
        load(3);
        Http.Response ready = http.get("/readyz");
        assertEquals(200, ready.status());
        assertEquals(3, ready.json().get("model_version").asLong());

        Http.Response r = http.post("/v1/captions", scene, "image/png");
        assertEquals(200, r.status(), r.toString());
        assertEquals("micro", r.text("model"));
        assertEquals(3, r.json().get("model_version").asLong());
        assertEquals(SceneText.CAPTION_PROMPT, r.text("prompt"));
        assertEquals(TestImages.sha256Hex(scene), r.text("image_sha256"));
        assertFalse(r.json().has("tokens"), "scores only when asked for");
        Http.Response again = http.post("/v1/captions", scene, "image/png");
        assertEquals(r.text("caption"), again.text("caption"), "greedy captions are deterministic");
        assertFalse(r.text("caption_id").equals(again.text("caption_id")), "each caption has an id of its own");
    }

    @Test
    void scoresAreTheCaptionsOwnTokensEachWithAFiniteScore() {
        load(3);
        Http.Response r = http.post("/v1/captions?scores=true", scene, "image/png");
        assertEquals(200, r.status(), r.toString());
        List<String> texts = new ArrayList<>();
        for (JsonNode t : r.json().get("tokens")) {
            texts.add(t.get("text").asText());
            assertTrue(t.get("score").isNumber() && Double.isFinite(t.get("score").asDouble()), t.toString());
        }
        assertEquals("<eos>", texts.get(texts.size() - 1), "the end token is scored too");
        List<String> words = r.text("caption").isBlank() ? List.of()
                : Arrays.asList(r.text("caption").split(" "));
        assertEquals(words, texts.subList(0, texts.size() - 1), "one scored token per caption word, in order");
    }

    @Test
    void aKnownPromptIsUsedAndAnUnknownOneIsRefusedNamingTheUnknownWords() {
        load(3);
        String question = SceneText.question(io.tpostream.trainer.eval.ObjectKind.ALL.get(0));
        Http.Response asked = http.post("/v1/captions?prompt=" + URLEncoder.encode(question, StandardCharsets.UTF_8),
                scene, "image/png");
        assertEquals(200, asked.status(), asked.toString());
        assertEquals(question, asked.text("prompt"));

        Http.Response unknown = http.post("/v1/captions?prompt=" + URLEncoder.encode("describe the elephant .",
                StandardCharsets.UTF_8), scene, "image/png");
        assertEquals(400, unknown.status(), unknown.toString());
        assertEquals("unknown_prompt", unknown.text("error"));
        assertTrue(unknown.text("message").endsWith(": elephant"), unknown.toString());

        assertError(400, "bad_parameter", http.post("/v1/captions?temperature=2", scene, "image/png"));
        assertError(400, "bad_parameter", http.post("/v1/captions?scores=maybe", scene, "image/png"));
        assertError(400, "empty_prompt", http.post("/v1/captions?prompt=", scene, "image/png"));
    }

    @Test
    void badImagesOversizeBodiesAndWrongRoutesGetClearJsonErrors() {
        load(3);
        assertError(400, "empty_body", http.post("/v1/captions", new byte[0], "image/png"));
        assertError(400, "bad_image", http.post("/v1/captions", "not an image".getBytes(StandardCharsets.UTF_8),
                "image/png"));
        byte[] truncated = Arrays.copyOf(scene, scene.length / 2);
        assertError(400, "bad_image", http.post("/v1/captions", truncated, "image/png"));
        assertError(415, "unsupported_image_type", http.post("/v1/captions", TestImages.encoded("gif", 32, 32),
                "image/gif"));
        assertError(413, "image_too_large", http.post("/v1/captions", TestImages.png(65, 64), "image/png"));
        assertError(413, "body_too_large", http.post("/v1/captions", new byte[MAX_BODY + 1], "image/png"));
        assertEquals(200, http.post("/v1/captions", TestImages.encoded("jpeg", 48, 40), "image/jpeg").status(),
                "JPEG of any size within the limits is taken");
        assertError(405, "method_not_allowed", http.get("/v1/captions"));
        assertError(404, "not_found", http.get("/v2/captions"));
    }

    @Test
    void feedbackIsCheckedAndWithoutKafkaRefusedWith503() {
        load(3);
        Http.Response caption = http.post("/v1/captions", scene, "image/png");
        String id = caption.text("caption_id");
        assertError(400, "bad_feedback", http.postJson("/v1/feedback", "{not json"));
        assertError(400, "bad_feedback", http.postJson("/v1/feedback", "{\"caption_id\": \"" + id
                + "\", \"kind\": \"rating\"}"));
        assertError(400, "bad_feedback", http.postJson("/v1/feedback", "{\"caption_id\": \"" + id
                + "\", \"kind\": \"like\"}"));
        assertError(400, "bad_feedback", http.postJson("/v1/feedback", "{\"caption_id\": \"" + id
                + "\", \"kind\": \"rating\", \"rating\": 4, \"stars\": 5}"));
        assertError(404, "unknown_caption", http.postJson("/v1/feedback",
                "{\"caption_id\": \"nope\", \"kind\": \"rating\", \"rating\": 4}"));
        assertError(503, "feedback_unavailable", http.postJson("/v1/feedback", "{\"caption_id\": \"" + id
                + "\", \"kind\": \"rating\", \"rating\": 4}"));
    }

    @Test
    void metricsAreInThePrometheusTextFormat() {
        load(3);
        assertEquals(200, http.post("/v1/captions", scene, "image/png").status());
        assertEquals(400, http.post("/v1/captions", new byte[0], "image/png").status());
        Http.Response m = http.get("/metrics");
        assertEquals(200, m.status());
        String text = m.body();
        assertTrue(text.contains("# TYPE tpo_serve_request_seconds histogram"), text);
        assertTrue(text.contains("tpo_serve_request_seconds_bucket{route=\"/v1/captions\",status=\"200\",le=\""),
                text);
        assertTrue(text.matches("(?s).*\ntpo_serve_requests_total\\{route=\"/v1/captions\",status=\"400\"} "
                + "[1-9][0-9]*\\.0\n.*"), text);
        assertTrue(text.contains("\ntpo_serve_model_version 3.0\n"), text);
        assertTrue(text.contains("\ntpo_serve_versions_refused_total 0.0\n"), text);
        assertTrue(text.contains("jvm_memory_used_bytes"), "the JVM's own meters are there too");
    }

    private static void assertError(int status, String code, Http.Response r) {
        assertEquals(status, r.status(), r.toString());
        assertEquals(code, r.text("error"), r.toString());
        assertFalse(r.text("message").isBlank(), r.toString());
    }
}

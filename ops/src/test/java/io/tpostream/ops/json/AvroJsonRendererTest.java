package io.tpostream.ops.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tpostream.schema.Artifact;
import io.tpostream.schema.DeadLetter;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.FeedbackKind;
import io.tpostream.schema.ImageRef;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.OffsetWindow;
import io.tpostream.schema.PairSide;
import io.tpostream.schema.TokenReward;
import io.tpostream.schema.TokenRewardTrace;
import io.tpostream.schema.VersionStatus;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AvroJsonRendererTest {

    private static final Instant OCCURRED = Instant.parse("2026-02-03T04:05:06.789Z");
    private static final byte[] IMAGE = {1, 2, 3, 4, 5};

    private static FeedbackEvent rating() {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("zeta", "last");
        attributes.put("alpha", "first");
        return FeedbackEvent.newBuilder()
                .setEventId("e1").setOccurredAt(OCCURRED).setModelName("m").setModelVersion(7)
                .setImage(ImageRef.newBuilder().setSha256("ab".repeat(32)).setBytes(ByteBuffer.wrap(IMAGE))
                        .setWidth(2).setHeight(3).build())
                .setPrompt("p").setResponse("r").setKind(FeedbackKind.RATING).setRating(4.5)
                .setAttributes(attributes).build();
    }

    @Test
    void plainJsonWithoutUnionWrappers() {
        ObjectNode json = new AvroJsonRenderer(false).render(rating());
        assertEquals("e1", json.get("eventId").textValue());
        assertEquals("2026-02-03T04:05:06.789Z", json.get("occurredAt").textValue());
        assertEquals(7, json.get("modelVersion").longValue());
        assertEquals("RATING", json.get("kind").textValue());
        assertTrue(json.get("rating").isDouble(), json.toString());
        assertEquals(4.5, json.get("rating").doubleValue());
        assertTrue(json.get("correctedResponse").isNull());
        assertTrue(json.get("annotator").isNull());
        assertEquals("default", json.get("tenant").textValue());
        assertEquals(List.of("alpha", "zeta"), names(json.get("attributes")));
        assertEquals("first", json.get("attributes").get("alpha").textValue());
    }

    @Test
    void imageBytesAreSummarisedUnlessIncluded() {
        JsonNode image = new AvroJsonRenderer(false).render(rating()).get("image");
        assertEquals("<5 bytes>", image.get("bytes").textValue());
        assertEquals("ab".repeat(32), image.get("sha256").textValue());
        assertTrue(image.get("uri").isNull());
        assertEquals("image/png", image.get("mediaType").textValue());
        assertEquals(2, image.get("width").intValue());

        FeedbackEvent event = rating();
        JsonNode full = new AvroJsonRenderer(true).render(event).get("image");
        assertEquals(Base64.getEncoder().encodeToString(IMAGE), full.get("bytes").textValue());
        assertEquals(0, event.getImage().getBytes().position(), "rendering must not consume the record's buffer");
    }

    @Test
    void deadLetterBytesAreBase64EvenWithoutImageBytes() {
        byte[] raw = "garbage".getBytes(StandardCharsets.UTF_8);
        DeadLetter dl = DeadLetter.newBuilder().setSourceTopic("tpo.feedback").setSourcePartition(2)
                .setSourceOffset(99).setReason("UNDECODABLE").setDetail("d").setRawKey(null)
                .setRawValue(ByteBuffer.wrap(raw)).setDeadLetteredAt(OCCURRED).build();
        ObjectNode json = new AvroJsonRenderer(false).render(dl);
        assertEquals(Base64.getEncoder().encodeToString(raw), json.get("rawValue").textValue());
        assertTrue(json.get("rawKey").isNull());
        assertTrue(json.get("eventId").isNull());
        assertEquals(99, json.get("sourceOffset").longValue());
    }

    @Test
    void nestedRecordsArraysMapsAndNonFiniteNumbers() {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("loss", Double.NaN);
        metrics.put("accuracy", 0.75);
        metrics.put("grad_norm", Double.POSITIVE_INFINITY);
        ModelVersion v = ModelVersion.newBuilder().setModelName("m").setVersion(2).setParentVersion(1)
                .setReferenceVersion(0)
                .setArtifact(Artifact.newBuilder().setUri("file:///a").setSha256("cd".repeat(32)).setSizeBytes(10)
                        .setFormat("tpo-checkpoint-v1").build())
                .setStatus(VersionStatus.REJECTED).setStatusReason("gate")
                .setTrainingWindow(List.of(OffsetWindow.newBuilder().setTopic("tpo.pairs").setPartition(1)
                        .setFromOffset(10).setUntilOffset(20).build()))
                .setPairs(10).setSteps(3).setObjective("tpo").setHyperParameters(Map.of("beta", "0.1")).setSeed(42)
                .setMetrics(metrics).setCreatedAt(OCCURRED).setSignature(ByteBuffer.wrap(new byte[] {(byte) 0xff}))
                .build();
        ObjectNode json = new AvroJsonRenderer(false).render(v);
        assertEquals("REJECTED", json.get("status").textValue());
        assertEquals("tpo-checkpoint-v1", json.get("artifact").get("format").textValue());
        assertEquals(20, json.get("trainingWindow").get(0).get("untilOffset").longValue());
        assertEquals("NaN", json.get("metrics").get("loss").textValue());
        assertEquals("Infinity", json.get("metrics").get("grad_norm").textValue());
        assertEquals(0.75, json.get("metrics").get("accuracy").doubleValue());
        assertEquals(List.of("accuracy", "grad_norm", "loss"), names(json.get("metrics")));
        assertEquals("/w==", json.get("signature").textValue());
        assertTrue(json.get("quarantinedPairs").isArray());
        assertEquals(0, json.get("quarantinedPairs").size());
        // one line of valid JSON: no bare NaN tokens
        assertFalse(Json.line(json).contains(":NaN"), Json.line(json));
    }

    @Test
    void floatsKeepTheirShortForm() {
        TokenRewardTrace trace = TokenRewardTrace.newBuilder().setPairId("p").setModelName("m").setModelVersion(1)
                .setObjective("tpo").setCreatedAt(OCCURRED)
                .setTokens(List.of(TokenReward.newBuilder().setSide(PairSide.CHOSEN).setPosition(0).setToken("red")
                        .setScore(0.1f).setWeight(Float.NEGATIVE_INFINITY).build()))
                .build();
        String line = Json.line(new AvroJsonRenderer(false).render(trace));
        assertTrue(line.contains("\"score\":0.1,"), line);
        assertTrue(line.contains("\"weight\":\"-Infinity\""), line);
        assertTrue(line.contains("\"side\":\"CHOSEN\""), line);
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}

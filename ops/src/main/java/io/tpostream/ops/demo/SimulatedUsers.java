package io.tpostream.ops.demo;

import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.FeedbackKind;
import io.tpostream.schema.ImageRef;
import io.tpostream.trainer.eval.ChairMetric;
import io.tpostream.trainer.eval.Scene;
import io.tpostream.trainer.eval.SceneText;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * People who look at an image, know what is in it, and say what they think of the captions the serving model
 * wrote. Most are honest (ratings from the caption's errors, corrections of hallucinated objects, comparisons of two
 * captions); a configurable share is noisy or malicious (random ratings, "corrections" that add objects); and some
 * clients are broken and send records that are not feedback at all. Pure: the same inputs and seed give the same
 * feedback.
 */
public final class SimulatedUsers {

    /**
     * @param correctionShare share of honest users who correct the caption (the others rate or compare)
     * @param comparisonShare share of honest users who compare the two captions
     * @param noisyShare      share of users whose feedback is random or malicious
     * @param malformedShare  share of records that are broken bytes from a broken client
     */
    public record Behaviour(double correctionShare, double comparisonShare, double noisyShare, double malformedShare) {
        /** What the demo and the benchmarks simulate: {@link #onPolicyRatings()}. */
        public static Behaviour defaults() {
            return onPolicyRatings();
        }

        /**
         * The feedback regime the TPO-vs-DPO study takes as closest to production: most users rate or compare the
         * serving model's own captions (the greedy one and a sampled alternative), a few write corrections.
         */
        public static Behaviour onPolicyRatings() {
            return new Behaviour(0.10, 0.25, 0.05, 0.03);
        }

        /** Users who mostly correct the caption: minimal edits, the study's easiest regime for DPO. */
        public static Behaviour corrections() {
            return new Behaviour(0.45, 0.15, 0.05, 0.03);
        }

        /** By name, as the demo's --feedback option takes it. */
        public static Behaviour named(String name) {
            return switch (name == null ? "" : name.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "on-policy" -> onPolicyRatings();
                case "corrections" -> corrections();
                default -> throw new IllegalArgumentException("unknown feedback mix '" + name
                        + "'; valid: on-policy, corrections");
            };
        }
    }

    /** A captioned image as the serving application shows it: the scene (the user's eyes) and two captions. */
    public record Shown(String imageSha, byte[] png, int size, Scene scene, String prompt, String caption,
                        String alternative, String modelName, long modelVersion) {
    }

    /** What users send for one shown image: feedback events and raw malformed records. */
    public record Sent(List<FeedbackEvent> events, List<byte[]> malformed) {
    }

    private final Behaviour behaviour;
    private final AvroSerde<FeedbackEvent> serde = AvroSerde.of(FeedbackEvent.class);

    public SimulatedUsers(Behaviour behaviour) {
        this.behaviour = behaviour;
    }

    public Sent react(Shown shown, long index, SplittableRandom rng, Instant now) {
        List<FeedbackEvent> events = new ArrayList<>();
        List<byte[]> malformed = new ArrayList<>();
        if (rng.nextDouble() < behaviour.malformedShare()) {
            malformed.add(brokenRecord(shown, index, rng, now));
            return new Sent(events, malformed);
        }
        String id = "demo-" + index;
        if (rng.nextDouble() < behaviour.noisyShare()) {
            events.add(noisy(shown, id, rng, now));
            return new Sent(events, malformed);
        }
        double r = rng.nextDouble();
        if (r < behaviour.correctionShare()) {
            String fixed = SceneText.correct(shown.caption(), shown.scene());
            if (!fixed.equals(shown.caption())) {
                events.add(base(shown, id, now).setKind(FeedbackKind.CORRECTION).setCorrectedResponse(fixed).build());
            } else {
                events.add(rating(shown, id, shown.caption(), now));
            }
        } else if (r < behaviour.correctionShare() + behaviour.comparisonShare()
                && !shown.alternative().equals(shown.caption())) {
            int mainErrors = errors(shown.caption(), shown.scene());
            int altErrors = errors(shown.alternative(), shown.scene());
            if (mainErrors != altErrors) {
                events.add(base(shown, id, now).setKind(FeedbackKind.COMPARISON).setOtherResponse(shown.alternative())
                        .setOtherPreferred(altErrors < mainErrors).build());
            }
        } else {
            // rate both captions: two ratings of the same image and prompt pair up when they differ enough
            events.add(rating(shown, id + "-a", shown.caption(), now));
            events.add(rating(shown, id + "-b", shown.alternative(), now));
        }
        return new Sent(events, malformed);
    }

    /** 5 for a perfect caption, 2 points off per hallucinated mention, 1 per missed object. */
    static double score(String caption, Scene scene) {
        return Math.max(1, 5 - 2 * ChairMetric.score(caption, scene).hallucinated().size()
                - ChairMetric.score(caption, scene).missed().size());
    }

    private static int errors(String caption, Scene scene) {
        ChairMetric.CaptionScore s = ChairMetric.score(caption, scene);
        return 2 * s.hallucinated().size() + s.missed().size();
    }

    private FeedbackEvent rating(Shown shown, String id, String response, Instant now) {
        return base(shown, id, now).setResponse(response).setKind(FeedbackKind.RATING)
                .setRating(score(response, shown.scene())).build();
    }

    private FeedbackEvent noisy(Shown shown, String id, SplittableRandom rng, Instant now) {
        if (rng.nextBoolean()) {
            return base(shown, id, now).setKind(FeedbackKind.RATING).setRating((double) (1 + rng.nextInt(5)))
                    .setAttributes(Map.of("user", "noisy")).build();
        }
        // a malicious "correction" that adds an object that is not there
        String worse = SceneText.hallucinate(shown.scene(), rng);
        return base(shown, id, now).setKind(FeedbackKind.CORRECTION).setCorrectedResponse(worse)
                .setAttributes(Map.of("user", "malicious")).build();
    }

    private FeedbackEvent.Builder base(Shown shown, String id, Instant now) {
        return FeedbackEvent.newBuilder().setEventId(id).setOccurredAt(now).setModelName(shown.modelName())
                .setModelVersion(shown.modelVersion())
                .setImage(ImageRef.newBuilder().setSha256(shown.imageSha()).setBytes(ByteBuffer.wrap(shown.png()))
                        .setMediaType("image/png").setWidth(shown.size()).setHeight(shown.size()).build())
                .setPrompt(shown.prompt()).setResponse(shown.caption()).setAnnotator("user-" + (id.hashCode() & 0xff));
    }

    /** A record from a broken client: garbage, a truncated event, or an event with an impossible field. */
    private byte[] brokenRecord(Shown shown, long index, SplittableRandom rng, Instant now) {
        FeedbackEvent valid = rating(shown, "broken-" + index, shown.caption(), now);
        return switch (rng.nextInt(4)) {
            case 0 -> ("{\"oops\": \"this client sent JSON\", \"n\": " + index + "}").getBytes();
            case 1 -> {
                byte[] full = serde.encode(valid);
                yield java.util.Arrays.copyOf(full, full.length / 2);
            }
            case 2 -> serde.encode(FeedbackEvent.newBuilder(valid).setRating(42.0).build());
            default -> serde.encode(FeedbackEvent.newBuilder(valid).setPrompt(" ").build());
        };
    }
}

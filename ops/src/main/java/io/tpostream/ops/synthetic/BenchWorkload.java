package io.tpostream.ops.synthetic;

import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.FeedbackEvent;
import io.tpostream.schema.ImageRef;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The feedback a benchmark pushes through the pairing app: deterministic for a seed, generated on the fly (a million
 * records never sit in memory), and shaped like production traffic rather than like a best case.
 *
 * <ul>
 *   <li><b>Time</b>: record timestamps advance at {@value #SIMULATED_EVENTS_PER_SECOND} events per simulated second
 *   and end now, so a million events span about 5.6 hours: rating windows open and close, held ratings expire, and
 *   de-duplication and pair retention work as they would over a day, not within one burst.</li>
 *   <li><b>Images</b>: by default one per {@value #EVENTS_PER_IMAGE} events, two prompts each, so a (image, prompt)
 *   key sees a record every {@value #EVENTS_PER_IMAGE} simulated seconds and about two ratings held at a time:
 *   ratings find partners and pairing does real work (pair building, caps). A smaller run with the same number of
 *   images has the same density of ratings per key, only over a shorter time.</li>
 *   <li><b>Mix</b>: 55 % ratings (scores 1..5), 15 % corrections, 15 % comparisons, 2 % with a small inline PNG
 *   from a shared pool of 32 (so image validation, hashing and decoding, is paid; inline megabyte images would
 *   measure the network, and most deployments send a URI), 5 % exact resends of a recent event, 3 % bad records
 *   (not Avro, blank prompt, rating out of range, wrong key, stale occurredAt, inline bytes that do not match
 *   their sha-256). Images otherwise travel by URI with a well-formed sha-256.</li>
 * </ul>
 */
public final class BenchWorkload {

    public static final int SIMULATED_EVENTS_PER_SECOND = 50;
    public static final int EVENTS_PER_IMAGE = 200;
    private static final int INLINE_POOL = 32;
    private static final int RESEND_WINDOW = 1024;
    private static final List<String> PROMPTS = List.of("Describe the image.", "What is in the picture?");
    private static final List<String> CAPTIONS = List.of(
            "A red circle and a blue square on a white background.",
            "A red circle next to a small brown dog on the grass.",
            "Two shapes: a circle at the top left, a square below it.",
            "A blue square partly hidden behind a red circle.",
            "A red ball and a cat sitting on a wooden table.",
            "An empty white background with nothing on it.",
            "A circle, a square and a triangle in a row.",
            "A blue square and a tree under a cloudy sky.");

    /** One record to send: raw key and value, and its record timestamp. */
    public record Record(byte[] key, byte[] value, long timestamp) {
    }

    private final long events;
    private final long seed;
    private final Instant end;
    private final int images;

    /**
     * @param images the distinct images, or 0 for one per {@value #EVENTS_PER_IMAGE} events (at least 10)
     * @param end    the timestamp of the last record (e.g. now); the first is {@code events / 50} seconds earlier
     */
    public BenchWorkload(long events, int images, long seed, Instant end) {
        if (events < 1 || images < 0) {
            throw new IllegalArgumentException("events must be at least 1 and images not negative");
        }
        this.events = events;
        this.seed = seed;
        this.end = end;
        this.images = images > 0 ? images : (int) Math.max(10, events / EVENTS_PER_IMAGE);
    }

    public long events() {
        return events;
    }

    public int images() {
        return images;
    }

    /** The simulated time the records span. */
    public Duration span() {
        return Duration.ofMillis(events * 1000 / SIMULATED_EVENTS_PER_SECOND);
    }

    /** Generates every record, in order, into the sink. */
    public void forEach(Consumer<Record> sink) {
        Random random = new Random(seed);
        AvroSerde<FeedbackEvent> serde = AvroSerde.of(FeedbackEvent.class);
        ImageRef[] inline = new ImageRef[INLINE_POOL];
        for (int i = 0; i < INLINE_POOL; i++) {
            inline[i] = SyntheticEvents.imageInline(SyntheticEvents.png(16, 16, i), 16, 16);
        }
        Record[] recent = new Record[RESEND_WINDOW];
        long first = end.toEpochMilli() - span().toMillis();
        for (long i = 0; i < events; i++) {
            long timestamp = first + i * 1000 / SIMULATED_EVENTS_PER_SECOND;
            Instant occurredAt = Instant.ofEpochMilli(timestamp - random.nextInt(3000));
            int roll = random.nextInt(1000);
            if (roll < 50 && i >= RESEND_WINDOW) {
                Record original = recent[random.nextInt(RESEND_WINDOW)];
                sink.accept(new Record(original.key(), original.value(), timestamp));
                continue;
            }
            String eventId = "bench-" + seed + "-" + i;
            int image = random.nextInt(images);
            boolean isInline = random.nextInt(100) < 2;
            ImageRef ref = isInline ? inline[image % INLINE_POOL] : SyntheticEvents.imageByUri("bench-image-" + image);
            String prompt = PROMPTS.get(random.nextInt(PROMPTS.size()));
            String response = caption(random, image);
            String key = ref.getSha256();
            FeedbackEvent event;
            if (roll < 80) { // 3 %: bad records, one of six kinds
                switch (random.nextInt(6)) {
                    case 0 -> {
                        sink.accept(new Record(utf8(key), utf8("{\"not\":\"avro\",\"i\":" + i + "}"), timestamp));
                        continue;
                    }
                    case 1 -> event = SyntheticEvents.rating(eventId, ref, " ", response, 4, occurredAt);
                    case 2 -> event = SyntheticEvents.rating(eventId, ref, prompt, response, 7, occurredAt);
                    case 3 -> {
                        event = SyntheticEvents.rating(eventId, ref, prompt, response, 2, occurredAt);
                        key = SyntheticEvents.imageByUri("elsewhere-" + image).getSha256();
                    }
                    case 4 -> event = SyntheticEvents.correction(eventId, ref, prompt, response, caption(random, image + 1),
                            occurredAt.minus(Duration.ofDays(10)));
                    default -> {
                        ImageRef lying = ImageRef.newBuilder(inline[image % INLINE_POOL])
                                .setSha256(inline[(image + 1) % INLINE_POOL].getSha256()).build();
                        event = SyntheticEvents.rating(eventId, lying, prompt, response, 3, occurredAt);
                        key = lying.getSha256();
                    }
                }
            } else if (roll < 630) {
                event = SyntheticEvents.rating(eventId, ref, prompt, response, 1 + random.nextInt(5), occurredAt);
            } else if (roll < 815) {
                event = SyntheticEvents.correction(eventId, ref, prompt, response, "Corrected: "
                        + caption(random, image + 3), occurredAt);
            } else {
                String other = caption(random, image + 5);
                if (other.equals(response)) {
                    other = "Neither: " + other;
                }
                event = SyntheticEvents.comparison(eventId, ref, prompt, response, other, random.nextBoolean(),
                        occurredAt);
            }
            Record r = new Record(utf8(key), serde.encode(event), timestamp);
            recent[(int) (i % RESEND_WINDOW)] = r;
            sink.accept(r);
        }
    }

    /** One of a few captions per image: repeats are common, so identical responses and repeated pairs occur. */
    private static String caption(Random random, int image) {
        return CAPTIONS.get((image + random.nextInt(4)) % CAPTIONS.size());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package io.tpostream.schema;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every released version of every record schema, found by the 64-bit fingerprint that single-object encoding
 * puts in front of each record. Readers decode anything any released writer wrote; a record from a writer
 * this catalog has never seen is refused with an error that says so, instead of being guessed at.
 *
 * <p>To release a schema change: copy the schema as it was released before the change into
 * {@code schemas/src/main/resources/avro-history/} (self-contained, nested types inline) and list it in
 * {@link #HISTORY}. {@code SchemaCatalogTest} checks that the current schemas can read every historical one.
 */
public final class SchemaCatalog implements SchemaStore {

    /** Historical schema versions, as resources under {@code avro-history/}. */
    static final List<String> HISTORY = List.of("FeedbackEvent-v1.avsc", "PreferencePair-v1.avsc");

    /** The schemas this build writes. */
    static final List<Schema> CURRENT = List.of(
            FeedbackEvent.getClassSchema(),
            PreferencePair.getClassSchema(),
            DeadLetter.getClassSchema(),
            FeedbackOutcome.getClassSchema(),
            ModelVersion.getClassSchema(),
            TokenRewardTrace.getClassSchema());

    private static final SchemaCatalog STANDARD = new SchemaCatalog().withCurrentAndHistory();

    private final Map<Long, Schema> byFingerprint = new ConcurrentHashMap<>();

    /** The catalog every client uses: current schemas plus all released history. */
    public static SchemaCatalog standard() {
        return STANDARD;
    }

    /** An empty catalog, for tests that need to show what happens with an unknown writer. */
    public static SchemaCatalog empty() {
        return new SchemaCatalog();
    }

    private SchemaCatalog withCurrentAndHistory() {
        CURRENT.forEach(this::register);
        for (String name : HISTORY) {
            register(loadHistory(name));
        }
        return this;
    }

    static Schema loadHistory(String resourceName) {
        try (InputStream in = SchemaCatalog.class.getResourceAsStream("/avro-history/" + resourceName)) {
            if (in == null) {
                throw new IllegalStateException("schema history resource missing: avro-history/" + resourceName);
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public SchemaCatalog register(Schema schema) {
        byFingerprint.put(fingerprint(schema), schema);
        return this;
    }

    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    @Override
    public Schema findByFingerprint(long fingerprint) {
        return byFingerprint.get(fingerprint);
    }

    public int size() {
        return byFingerprint.size();
    }

    /** All schemas of the given full name (e.g. {@code io.tpostream.schema.FeedbackEvent}), any version. */
    public List<Schema> versionsOf(String fullName) {
        return byFingerprint.values().stream().filter(s -> s.getFullName().equals(fullName)).toList();
    }
}

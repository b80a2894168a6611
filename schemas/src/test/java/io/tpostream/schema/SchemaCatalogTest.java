package io.tpostream.schema;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemaCatalogTest {

    @Test
    void holdsTheCurrentSchemasAndEveryHistoricalOne() {
        SchemaCatalog catalog = SchemaCatalog.standard();
        assertEquals(SchemaCatalog.CURRENT.size() + SchemaCatalog.HISTORY.size(), catalog.size());
        for (Schema s : SchemaCatalog.CURRENT) {
            assertNotNull(catalog.findByFingerprint(SchemaCatalog.fingerprint(s)), s.getFullName());
        }
    }

    /** The release rule, enforced: this build must read everything any earlier build wrote. */
    @Test
    void currentSchemasCanReadEveryReleasedVersion() {
        for (Schema current : SchemaCatalog.CURRENT) {
            for (Schema writer : SchemaCatalog.standard().versionsOf(current.getFullName())) {
                var result = SchemaCompatibility.checkReaderWriterCompatibility(current, writer);
                assertEquals(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE, result.getType(),
                        current.getFullName() + " cannot read a released version: " + result.getDescription());
            }
        }
        assertTrue(SchemaCatalog.standard().versionsOf(FeedbackEvent.getClassSchema().getFullName()).size() >= 2);
        assertTrue(SchemaCatalog.standard().versionsOf(PreferencePair.getClassSchema().getFullName()).size() >= 2);
    }

    /**
     * A history file must be the released schema itself, not a look-alike: pairs already on tpo.pairs carry the
     * fingerprint of the PreferencePair schema of the builds before policyVersion, and only that finds their writer.
     */
    @Test
    void theFirstPreferencePairIsFoundByTheFingerprintItsRecordsCarry() {
        long releasedV1 = 0x030309869abd66e6L;
        assertEquals(releasedV1, SchemaCatalog.fingerprint(SchemaCatalog.loadHistory("PreferencePair-v1.avsc")));
        assertNotNull(SchemaCatalog.standard().findByFingerprint(releasedV1));
    }
}

package io.tpostream.trainer.online;

import io.tpostream.schema.ModelVersion;

/**
 * Where the model stands as far as this trainer life knows: the last PASSED version (what training continues
 * from, and the gate's baseline), its checkpoint bytes, and the last version number used (PASSED or REJECTED).
 */
final class Lineage {

    private ModelVersion passed;
    private byte[] passedBytes;
    private long lastVersion;

    Lineage(ModelVersion passed, byte[] passedBytes, long lastVersion) {
        this.passed = passed;
        this.passedBytes = passedBytes;
        this.lastVersion = lastVersion;
    }

    ModelVersion passed() {
        return passed;
    }

    byte[] passedBytes() {
        return passedBytes;
    }

    long nextVersion() {
        return lastVersion + 1;
    }

    /** Candidates the gate rejected since the last PASSED version (after a restart too: read from the numbers). */
    long rejectedInARow() {
        return lastVersion - passed.getVersion();
    }

    /**
     * Whether this many rejections in a row deserve a warning: at 5, 10, 20, 40, ... so that a stalled trainer
     * is noticed without a line per version.
     */
    static boolean worthAWarning(long rejectedInARow) {
        return rejectedInARow >= 5 && rejectedInARow % 5 == 0 && Long.bitCount(rejectedInARow / 5) == 1;
    }

    void published(ModelVersion version, byte[] checkpoint) {
        lastVersion = version.getVersion();
        if (version.getStatus() == io.tpostream.schema.VersionStatus.PASSED) {
            passed = version;
            passedBytes = checkpoint;
        }
    }
}

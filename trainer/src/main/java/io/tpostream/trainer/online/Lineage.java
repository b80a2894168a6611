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

    void published(ModelVersion version, byte[] checkpoint) {
        lastVersion = version.getVersion();
        if (version.getStatus() == io.tpostream.schema.VersionStatus.PASSED) {
            passed = version;
            passedBytes = checkpoint;
        }
    }
}

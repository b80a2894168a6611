package io.tpostream.trainer.publish;

import java.io.IOException;
import java.io.InputStream;

/**
 * Where checkpoints live, addressed by their SHA-256: storing the same bytes twice yields the same artifact, and
 * an artifact's name says what its content must hash to. A local directory is the default; an object store
 * (S3, GCS) is another implementation of these three calls.
 */
public interface ArtifactStore {

    /** An artifact as a {@code ModelVersion} record refers to it. */
    record StoredArtifact(String uri, String sha256, long sizeBytes) {
    }

    /** Stores the bytes (idempotently) and says where they are. */
    StoredArtifact put(byte[] bytes) throws IOException;

    /** Opens an artifact by the URI {@link #put} returned. */
    InputStream open(String uri) throws IOException;

    /** True if this store can open the URI. */
    boolean handles(String uri);
}

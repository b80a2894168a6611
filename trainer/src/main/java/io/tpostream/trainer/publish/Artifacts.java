package io.tpostream.trainer.publish;

import io.tpostream.schema.Artifact;
import io.tpostream.schema.Sha256;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** Reading an artifact a version record points at, from whichever store can open its URI, and checking its hash. */
public final class Artifacts {

    /** The bytes were read but are not what the record says: tampered or corrupt. */
    public static final class TamperedArtifactException extends IOException {
        public TamperedArtifactException(String message) {
            super(message);
        }
    }

    private Artifacts() {
    }

    public static byte[] read(List<ArtifactStore> stores, String uri) throws IOException {
        for (ArtifactStore store : stores) {
            if (store.handles(uri)) {
                try (InputStream in = store.open(uri)) {
                    return in.readAllBytes();
                }
            }
        }
        throw new IOException("no artifact store here can open " + uri);
    }

    /**
     * The artifact's bytes, which hash to the recorded SHA-256.
     *
     * @throws TamperedArtifactException if they do not
     */
    public static byte[] readVerified(List<ArtifactStore> stores, Artifact artifact) throws IOException {
        byte[] bytes = read(stores, artifact.getUri());
        String actual = Sha256.hex(bytes);
        if (!actual.equals(artifact.getSha256())) {
            throw new TamperedArtifactException("artifact " + artifact.getUri() + " hashes to " + actual
                    + " but the version records " + artifact.getSha256() + " (tampered or corrupt)");
        }
        return bytes;
    }
}

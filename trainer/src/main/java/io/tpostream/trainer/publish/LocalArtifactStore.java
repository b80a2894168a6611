package io.tpostream.trainer.publish;

import io.tpostream.schema.Sha256;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Artifacts as files {@code <root>/<sha[0:2]>/<sha>.ckpt}, written to a temporary name and moved into place, so a
 * reader never sees half a file and a crash mid-write leaves only a temporary file behind.
 */
public final class LocalArtifactStore implements ArtifactStore {

    private final Path root;

    public LocalArtifactStore(Path root) throws IOException {
        this.root = Files.createDirectories(root.toAbsolutePath().normalize());
    }

    @Override
    public StoredArtifact put(byte[] bytes) throws IOException {
        String sha = Sha256.hex(bytes);
        Path target = pathOf(sha);
        if (!Files.exists(target) || Files.size(target) != bytes.length) {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), sha, ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return new StoredArtifact(target.toUri().toString(), sha, bytes.length);
    }

    @Override
    public InputStream open(String uri) throws IOException {
        if (!handles(uri)) {
            throw new IOException("not a file artifact: " + uri);
        }
        return Files.newInputStream(Path.of(URI.create(uri)));
    }

    @Override
    public boolean handles(String uri) {
        return uri.startsWith("file:");
    }

    public Path pathOf(String sha256) {
        return root.resolve(sha256.substring(0, 2)).resolve(sha256 + ".ckpt");
    }

    public Path root() {
        return root;
    }
}

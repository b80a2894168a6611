package io.tpostream.trainer.publish;

import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.testing.TestVersions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VersionSignatureTest {

    static {
        AvroSerde.of(ModelVersion.class); // registers our schema package with Avro's class allow-list (record copies)
    }

    @TempDir
    Path dir;

    private static ModelVersion version(VersionStatus status) {
        return TestVersions.builder(3, status).build();
    }

    @Test
    void keysRoundTripThroughPemFilesAndThePrivateOneIsOwnerOnly() throws IOException {
        KeyPair pair = VersionSignature.generate();
        Path key = dir.resolve("signer.key");
        VersionSignature.writeKeys(pair, key, VersionSignature.publicKeyFileOf(key));
        assertEquals(dir.resolve("signer.pub"), VersionSignature.publicKeyFileOf(key));
        assertEquals(dir.resolve("plain.pub"), VersionSignature.publicKeyFileOf(dir.resolve("plain")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        KeyPair read = VersionSignature.readKeyPair(key);
        assertArrayEquals(pair.getPrivate().getEncoded(), read.getPrivate().getEncoded());
        assertArrayEquals(pair.getPublic().getEncoded(), read.getPublic().getEncoded());
        assertThrows(FileAlreadyExistsException.class,
                () -> VersionSignature.writeKeys(pair, key, dir.resolve("other.pub")));
    }

    @Test
    void aPrivateKeyWithSomeoneElsesPublicKeyIsRefused() throws IOException {
        Path key = dir.resolve("a.key");
        VersionSignature.writeKeys(VersionSignature.generate(), key, dir.resolve("a.pub"));
        VersionSignature.writeKeys(VersionSignature.generate(), dir.resolve("b.key"), dir.resolve("b.pub"));
        Files.copy(dir.resolve("b.pub"), dir.resolve("a.pub"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        IOException e = assertThrows(IOException.class, () -> VersionSignature.readKeyPair(key));
        assertTrue(e.getMessage().contains("is not the public key of"), e.getMessage());
    }

    @Test
    void verificationCatchesUnsignedForgedAndRelabelledRecords() {
        KeyPair pair = VersionSignature.generate();
        ModelVersion signed = version(VersionStatus.REJECTED);
        VersionSignature.sign(signed, pair.getPrivate(), pair.getPublic());
        assertEquals(Optional.empty(), VersionSignature.verify(signed, pair.getPublic()));

        assertTrue(VersionSignature.verify(version(VersionStatus.PASSED), pair.getPublic()).orElseThrow()
                .contains("unsigned"));
        ModelVersion relabelled = ModelVersion.newBuilder(signed).setStatus(VersionStatus.PASSED).build();
        assertTrue(VersionSignature.verify(relabelled, pair.getPublic()).orElseThrow().contains("does not match"));
        byte[] sig = signed.getSignature().array().clone();
        sig[5] ^= 1;
        ModelVersion flipped = ModelVersion.newBuilder(signed).setSignature(ByteBuffer.wrap(sig)).build();
        assertTrue(VersionSignature.verify(flipped, pair.getPublic()).orElseThrow().contains("does not match"));
        KeyPair other = VersionSignature.generate();
        assertTrue(VersionSignature.verify(signed, other.getPublic()).orElseThrow().contains("not the trusted key"));
    }
}

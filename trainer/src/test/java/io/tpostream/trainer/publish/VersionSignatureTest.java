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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /** A record with every field set, optional ones included, and non-empty collections: something to alter. */
    private static ModelVersion full() {
        return TestVersions.builder(7, VersionStatus.PASSED).setStatusReason("gate passed").setBatchPlan("0:5")
                .setHyperParameters(Map.of("beta", "0.1", "lr", "1e-4"))
                .setMetrics(Map.of("chair_i", 0.05, "gate/best_chair_i", 0.04, "loss", 0.69))
                .setQuarantinedPairs(List.of("p1 NON_FINITE_LOSS")).build();
    }

    @Test
    void everyFieldIsSignedAndAlteringAnyOfThemIsRefused() {
        KeyPair pair = VersionSignature.generate();
        ModelVersion signed = full();
        VersionSignature.sign(signed, pair.getPrivate(), pair.getPublic());
        assertEquals(Optional.empty(), VersionSignature.verify(signed, pair.getPublic()));

        Map<String, ModelVersion> altered = Alterations.of(signed, Set.of("signature"));
        Set<String> topLevel = new TreeSet<>();
        altered.keySet().forEach(path -> topLevel.add(path.split("[.\\[{=]")[0]));
        Set<String> expected = new TreeSet<>();
        ModelVersion.getClassSchema().getFields().forEach(f -> expected.add(f.name()));
        expected.remove("signature");
        assertEquals(expected, topLevel, "every field but the signature is altered at least once");
        assertTrue(altered.size() > 30, altered.keySet().toString());

        for (Map.Entry<String, ModelVersion> e : altered.entrySet()) {
            assertFalse(e.getValue().equals(signed), e.getKey() + " must really change the record");
            Optional<String> problem = VersionSignature.verify(e.getValue(), pair.getPublic());
            assertTrue(problem.isPresent(), "altering " + e.getKey() + " must be refused");
        }
        // the metrics the gate's "best so far" comes from are covered, not only the identity
        ModelVersion raisedBest = ModelVersion.newBuilder(signed).setMetrics(Map.of("chair_i", 0.05,
                "gate/best_chair_i", 0.0, "loss", 0.69)).build();
        assertTrue(VersionSignature.verify(raisedBest, pair.getPublic()).orElseThrow().contains("does not match"));
    }

    @Test
    void theSignedEncodingIsCanonicalAcrossMapOrderAndAvroRoundTrips() {
        KeyPair pair = VersionSignature.generate();
        ModelVersion signed = full();
        VersionSignature.sign(signed, pair.getPrivate(), pair.getPublic());
        AvroSerde<ModelVersion> serde = AvroSerde.of(ModelVersion.class);
        ModelVersion decoded = serde.decode(serde.encode(signed));
        assertEquals(Optional.empty(), VersionSignature.verify(decoded, pair.getPublic()), "survives the topic");

        Map<String, Double> reversed = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>(signed.getMetrics().keySet());
        Collections.reverse(keys);
        keys.forEach(k -> reversed.put(k, signed.getMetrics().get(k)));
        ModelVersion reordered = ModelVersion.newBuilder(signed).setMetrics(reversed).build();
        assertArrayEquals(VersionSignature.signedBytes(signed), VersionSignature.signedBytes(reordered));
        assertEquals(Optional.empty(), VersionSignature.verify(reordered, pair.getPublic()));

        // the same characters moved from one field to the next are a different record
        ModelVersion a = ModelVersion.newBuilder(signed).setObjective("tpo").setBatchPlan("0:5").build();
        ModelVersion b = ModelVersion.newBuilder(signed).setObjective("tpo0").setBatchPlan(":5").build();
        assertFalse(Arrays.equals(VersionSignature.signedBytes(a), VersionSignature.signedBytes(b)));
    }

    @Test
    void subscribersTrustSeveralKeysWhileKeysRotateAndSayWhichOneSigned() {
        KeyPair old = VersionSignature.generate();
        KeyPair next = VersionSignature.generate();
        TrustedKeys trusted = TrustedKeys.of(List.of(old.getPublic(), next.getPublic()));
        ModelVersion byOld = full();
        VersionSignature.sign(byOld, old.getPrivate(), old.getPublic());
        ModelVersion byNext = full();
        VersionSignature.sign(byNext, next.getPrivate(), next.getPublic());

        TrustedKeys.Verdict first = trusted.verify(byOld);
        assertTrue(first.trusted(), first.toString());
        assertEquals(VersionSignature.keyId(old.getPublic()), first.keyId());
        TrustedKeys.Verdict second = trusted.verify(byNext);
        assertTrue(second.trusted(), second.toString());
        assertEquals(VersionSignature.keyId(next.getPublic()), second.keyId());

        KeyPair stranger = VersionSignature.generate();
        ModelVersion byStranger = full();
        VersionSignature.sign(byStranger, stranger.getPrivate(), stranger.getPublic());
        String problem = trusted.verify(byStranger).problem().orElseThrow();
        assertTrue(problem.contains("not one of the trusted keys " + first.keyId() + ", " + second.keyId()), problem);

        // naming a trusted key does not help a signature made by another one
        ModelVersion claimed = ModelVersion.newBuilder(byStranger).setSigningKeyId(first.keyId()).build();
        assertTrue(trusted.verify(claimed).problem().orElseThrow().contains("does not match"));
        // a record that names no key is accepted only if a trusted key's signature matches it
        ModelVersion anonymous = ModelVersion.newBuilder(byNext).setSigningKeyId(null).build();
        assertTrue(trusted.verify(anonymous).problem().isPresent(), "the key id is signed too");
    }
}

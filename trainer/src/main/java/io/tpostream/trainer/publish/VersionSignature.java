package io.tpostream.trainer.publish;

import io.tpostream.schema.ModelVersion;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Ed25519 signatures over a whole model version record, with the JDK's own provider. What is signed: every field
 * but the signature itself (identity, lineage, artifact, status and its reason, training window and batch plan,
 * objective, hyper-parameters, seed, metrics, quarantined pairs, creation time, the signing key's id), in a
 * canonical byte encoding ({@link #signedBytes}); so a forged record, a swapped artifact, a REJECTED record
 * relabelled PASSED or metrics raised to pass the gate all fail verification. Keys are stored as PEM files (PKCS#8
 * private, X.509 public); a subscriber may trust several ({@link TrustedKeys}) while keys rotate.
 */
public final class VersionSignature {

    private static final String ALGORITHM = "Ed25519";
    /** The name of what is signed; a record signed under another scheme (v1 signed only part of it) fails. */
    static final String SCHEME = "tpo-model-version-v2";
    static final String SIGNATURE_FIELD = "signature";

    private VersionSignature() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519 (Java 15+ has)", e);
        }
    }

    /** The key id recorded beside a signature: the first 16 hex digits of the public key's SHA-256. */
    public static String keyId(PublicKey key) {
        return io.tpostream.schema.Sha256.hex(key.getEncoded()).substring(0, 16);
    }

    /** Signs the record in place: sets signature and signingKeyId. */
    public static void sign(ModelVersion version, PrivateKey key, PublicKey publicKey) {
        try {
            version.setSigningKeyId(keyId(publicKey)); // signed too: the id cannot be swapped for another key's
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(signedBytes(version));
            version.setSignature(ByteBuffer.wrap(s.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign version " + version.getVersion(), e);
        }
    }

    /** Empty if the record is signed by {@code key} and unchanged; otherwise why not, in words. */
    public static Optional<String> verify(ModelVersion version, PublicKey key) {
        return TrustedKeys.of(List.of(key)).verify(version).problem();
    }

    /** Empty if {@code key}'s signature on the record matches its content; otherwise why not. */
    static Optional<String> matches(ModelVersion version, PublicKey key) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(signedBytes(version));
            ByteBuffer sig = version.getSignature().duplicate();
            byte[] bytes = new byte[sig.remaining()];
            sig.get(bytes);
            boolean valid;
            try {
                valid = s.verify(bytes);
            } catch (java.security.SignatureException undecodable) {
                valid = false; // an altered signature may not even decode as a curve point
            }
            return valid ? Optional.empty()
                    : Optional.of("version " + version.getVersion() + " has a signature that does not match its content"
                            + " (forged or altered record)");
        } catch (GeneralSecurityException e) {
            return Optional.of("version " + version.getVersion() + " has a malformed signature: " + e.getMessage());
        }
    }

    /**
     * What is signed: every field of the record but {@code signature}, in an unambiguous canonical encoding
     * ({@link CanonicalRecord}) after the scheme's name. The encoding walks the record's schema, so a field added to
     * {@code ModelVersion} later is signed without a change here.
     */
    static byte[] signedBytes(ModelVersion v) {
        return CanonicalRecord.encode(SCHEME, v, Set.of(SIGNATURE_FIELD));
    }

    /**
     * Writes a key pair as PEM files; the private one is created owner-read/write only (600) before any byte is
     * written. Existing files are not overwritten.
     *
     * @throws java.nio.file.FileAlreadyExistsException if either file exists
     */
    public static void writeKeys(KeyPair pair, Path privateFile, Path publicFile) throws IOException {
        if (Files.exists(publicFile)) {
            throw new java.nio.file.FileAlreadyExistsException(publicFile.toString());
        }
        try {
            Files.createFile(privateFile, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(privateFile);
        }
        Files.writeString(privateFile, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        Files.writeString(publicFile, pem("PUBLIC KEY", pair.getPublic().getEncoded()), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
    }

    /** Where the public key of a private key file lives: {@code foo.key} → {@code foo.pub}, otherwise FILE.pub. */
    public static Path publicKeyFileOf(Path privateFile) {
        String name = privateFile.getFileName().toString();
        String stem = name.endsWith(".key") ? name.substring(0, name.length() - 4) : name;
        return privateFile.resolveSibling(stem + ".pub");
    }

    /**
     * The key pair of a private key file and its {@linkplain #publicKeyFileOf public sibling}, checked to belong
     * together (a signature by one verifies with the other).
     */
    public static KeyPair readKeyPair(Path privateFile) throws IOException {
        Path publicFile = publicKeyFileOf(privateFile);
        if (!Files.isRegularFile(publicFile)) {
            throw new IOException("the public key " + publicFile + " of " + privateFile + " does not exist");
        }
        KeyPair pair = new KeyPair(readPublicKey(publicFile), readPrivateKey(privateFile));
        try {
            byte[] probe = "tpo-key-pair-check".getBytes(StandardCharsets.UTF_8);
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(pair.getPrivate());
            s.update(probe);
            byte[] signature = s.sign();
            s.initVerify(pair.getPublic());
            s.update(probe);
            if (!s.verify(signature)) {
                throw new IOException(publicFile + " is not the public key of " + privateFile);
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the key pair " + privateFile + ": " + e.getMessage(), e);
        }
        return pair;
    }

    public static PrivateKey readPrivateKey(Path file) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(unpem(file, "PRIVATE KEY")));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not an Ed25519 private key (PKCS#8 PEM): " + e.getMessage(), e);
        }
    }

    public static PublicKey readPublicKey(Path file) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(unpem(file, "PUBLIC KEY")));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not an Ed25519 public key (X.509 PEM): " + e.getMessage(), e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static byte[] unpem(Path file, String type) throws IOException {
        String text = Files.readString(file);
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IOException(file + " has no '" + begin + "' block");
        }
        return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
    }
}

package io.tpostream.trainer.publish;

import io.tpostream.schema.ModelVersion;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The public keys a subscriber accepts versions from, by key id: more than one while keys rotate (trust the new key
 * beside the old, switch the trainer to the new one, then drop the old). A verification says which key signed.
 */
public final class TrustedKeys {

    /** The outcome of verifying one record: the id of the key that signed it, or why it is refused. */
    public record Verdict(String keyId, Optional<String> problem) {
        public boolean trusted() {
            return problem.isEmpty();
        }
    }

    private final Map<String, PublicKey> byId;

    private TrustedKeys(Map<String, PublicKey> byId) {
        if (byId.isEmpty()) {
            throw new IllegalArgumentException("trust at least one key");
        }
        this.byId = byId;
    }

    public static TrustedKeys of(Collection<PublicKey> keys) {
        Map<String, PublicKey> byId = new LinkedHashMap<>();
        keys.forEach(k -> byId.put(VersionSignature.keyId(k), k));
        return new TrustedKeys(byId);
    }

    /** The keys of X.509 PEM files (as {@code tpo keygen} writes them). */
    public static TrustedKeys read(List<Path> publicKeyFiles) throws IOException {
        List<PublicKey> keys = new ArrayList<>();
        for (Path file : publicKeyFiles) {
            keys.add(VersionSignature.readPublicKey(file));
        }
        return of(keys);
    }

    /** The ids of the trusted keys, in the order given. */
    public Set<String> ids() {
        return byId.keySet();
    }

    /**
     * Whether a trusted key signed the record as it is: the signature must cover every field
     * ({@link VersionSignature}) and name a trusted key.
     */
    public Verdict verify(ModelVersion version) {
        String signer = version.getSigningKeyId();
        if (version.getSignature() == null) {
            return refused(signer, "version " + version.getVersion() + " of " + version.getModelName()
                    + " is unsigned, and this subscriber requires signatures");
        }
        if (signer == null) {
            // no key named: accept it if any trusted key's signature matches
            for (Map.Entry<String, PublicKey> e : byId.entrySet()) {
                if (VersionSignature.matches(version, e.getValue()).isEmpty()) {
                    return new Verdict(e.getKey(), Optional.empty());
                }
            }
            return refused(null, "version " + version.getVersion() + " names no signing key and no trusted key's "
                    + "signature matches it (forged or altered record)");
        }
        PublicKey key = byId.get(signer);
        if (key == null) {
            return refused(signer, "version " + version.getVersion() + " was signed with key " + signer + ", not "
                    + (byId.size() == 1 ? "the trusted key " : "one of the trusted keys ") + String.join(", ", ids()));
        }
        return new Verdict(signer, VersionSignature.matches(version, key));
    }

    private static Verdict refused(String keyId, String problem) {
        return new Verdict(keyId, Optional.of(problem));
    }
}

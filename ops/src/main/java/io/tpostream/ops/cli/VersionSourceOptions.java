package io.tpostream.ops.cli;

import io.tpostream.trainer.publish.LocalArtifactStore;
import io.tpostream.trainer.publish.TrustedKeys;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a follower of model versions gets them and whom it trusts: {@code --artifacts DIR} and {@code --public-key
 * FILE}, repeatable (several keys while keys rotate). Shared by {@code subscribe} and {@code serve}.
 */
public final class VersionSourceOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--artifacts", paramLabel = "DIR", defaultValue = "${env:TPO_ARTIFACTS:-artifacts}",
            description = "The local artifact store (env TPO_ARTIFACTS); file: URIs of versions are read from "
                    + "wherever they point.")
    Path artifacts;

    @Option(names = "--public-key", paramLabel = "FILE",
            description = "Trusted Ed25519 public key (X.509 PEM, from 'tpo keygen'); repeat it to trust several "
                    + "while keys rotate. Unsigned versions, and versions whose whole record no trusted key signed, "
                    + "are refused.")
    List<Path> files = new ArrayList<>();

    boolean keysGiven() {
        return !files.isEmpty();
    }

    /** The artifact store of {@code --artifacts}, created if missing. */
    LocalArtifactStore store() {
        try {
            return new LocalArtifactStore(artifacts);
        } catch (IOException e) {
            throw new ParameterException(command.commandLine(), "--artifacts: " + e.getMessage(), e);
        }
    }

    /** The trusted keys, or null if none were given (no signatures checked). */
    TrustedKeys trusted() {
        if (files.isEmpty()) {
            return null;
        }
        try {
            return TrustedKeys.read(files);
        } catch (IOException e) {
            throw new ParameterException(command.commandLine(), "--public-key: " + e.getMessage(), e);
        }
    }

    /** How a command says what it requires, e.g. "signatures required, key 1a2b..." or "..., keys a, b". */
    static String describe(TrustedKeys keys) {
        return "signatures required, " + (keys.ids().size() == 1 ? "key " : "keys ") + String.join(", ", keys.ids());
    }
}

package io.tpostream.ops.cli;

import io.tpostream.trainer.publish.VersionSignature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;

@Command(name = "keygen",
        description = {
                "Writes an Ed25519 key pair for signing model versions: DIR/NAME.key (private, PKCS#8 PEM, "
                        + "readable by the owner only) and DIR/NAME.pub (public, X.509 PEM), and prints the key id.",
                "Give the .key to 'tpo train --signing-key' and the .pub to 'tpo subscribe --public-key'. "
                        + "Existing files are never overwritten."})
final class KeygenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the key files.")
    Path out;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "tpo-signing", description = "Base name of the files.")
    String name;

    @Override
    public Integer call() throws IOException {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new ParameterException(spec.commandLine(), "--name may only hold letters, digits, '.', '_' and '-'");
        }
        Files.createDirectories(out);
        Path key = out.resolve(name + ".key");
        Path pub = VersionSignature.publicKeyFileOf(key);
        KeyPair pair = VersionSignature.generate();
        try {
            VersionSignature.writeKeys(pair, key, pub);
        } catch (FileAlreadyExistsException e) {
            throw new ParameterException(spec.commandLine(), e.getFile() + " already exists: choose another --name or "
                    + "--out (keys are never overwritten)");
        }
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println("private key: " + key.toAbsolutePath());
        stdout.println("public key:  " + pub.toAbsolutePath());
        stdout.println("key id: " + VersionSignature.keyId(pair.getPublic()));
        stdout.flush();
        return 0;
    }
}

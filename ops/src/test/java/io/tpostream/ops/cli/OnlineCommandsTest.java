package io.tpostream.ops.cli;

import io.tpostream.ops.testing.Cli;
import io.tpostream.schema.Artifact;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.publish.VersionSignature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train, subscribe, replay and keygen without a broker: help, usage errors, key files, the progress line. */
class OnlineCommandsTest {

    @TempDir
    Path dir;

    @Test
    void theOnlineCommandsAreListedAndDocumentTheirDefaults() {
        Cli.Result help = Cli.run("--help");
        for (String command : List.of("train", "subscribe", "replay", "keygen")) {
            assertTrue(help.out().contains("  " + command + " "), command + " missing in\n" + help.out());
        }
        Cli.Result train = Cli.run("train", "--help");
        assertEquals(0, train.exitCode(), train.toString());
        for (String expected : List.of("--objective=NAME", "Default: tpo", "--batch-size=N", "Default: 8",
                "--publish-every-seconds=T", "Default: 60", "--gate=on|off", "--gate-probe-images=N", "Default: 32",
                "--signing-key=FILE", "--device=auto|cpu|gpu[:N]", "Default: auto", "--learning-rate=LR", "1e-4",
                "--max-staleness=N|off", "off: train every pair. Default: off",
                "3 fenced by another trainer", "intra-op thread count", "--image-hosts=HOST[,HOST...]",
                "--image-fetch-timeout=DURATION", "Default: 20s", "--image-cache-bytes=BYTES")) {
            // help text wraps at the terminal width: compare with single spaces
            assertTrue(train.out().replaceAll("\\s+", " ").contains(expected),
                    "train --help lacks '" + expected + "':\n" + train.out());
        }
        assertTrue(Cli.run("subscribe", "--help").out().contains("--public-key=FILE"));
        Cli.Result replay = Cli.run("replay", "--help");
        assertTrue(replay.out().contains("REPRODUCED (exit 0)"));
        assertTrue(replay.out().contains("--image-hosts=HOST"), "replay reads images as train does: " + replay.out());
        assertTrue(Cli.run("keygen", "--help").out().contains("Default: tpo-signing"));
    }

    @Test
    void trainRefusesBadSettingsBeforeConnecting() throws IOException {
        Path base = Files.writeString(dir.resolve("base.ckpt"), "not really a checkpoint");
        String[] common = {"train", "--bootstrap-servers", "127.0.0.1:1", "--model", "m", "--artifacts",
                dir.resolve("a").toString()};
        Cli.Result noBase = Cli.run(concat(common, "--base", dir.resolve("none.ckpt").toString()));
        assertEquals(2, noBase.exitCode(), noBase.toString());
        assertTrue(noBase.err().contains("--base: " + dir.resolve("none.ckpt") + " is not a file"), noBase.err());

        Cli.Result objective = Cli.run(concat(common, "--base", base.toString(), "--objective", "ppo"));
        assertEquals(2, objective.exitCode());
        assertTrue(objective.err().contains("unknown objective 'ppo'; valid objectives: tpo, dpo"), objective.err());

        Cli.Result gate = Cli.run(concat(common, "--base", base.toString(), "--gate", "maybe"));
        assertEquals(2, gate.exitCode());
        assertTrue(gate.err().contains("--gate: use on or off"), gate.err());

        Cli.Result staleness = Cli.run(concat(common, "--base", base.toString(), "--max-staleness", "-2"));
        assertEquals(2, staleness.exitCode());
        assertTrue(staleness.err().contains("--max-staleness: a staleness bound is a number of versions, 0 or more "
                + "(or off), not -2"), staleness.err());

        Cli.Result name = Cli.run("train", "--bootstrap-servers", "127.0.0.1:1", "--model", "a/b", "--base",
                base.toString(), "--artifacts", dir.resolve("a").toString());
        assertEquals(2, name.exitCode());
        assertTrue(name.err().contains("may only hold letters"), name.err());

        Cli.Result key = Cli.run(concat(common, "--base", base.toString(), "--signing-key",
                dir.resolve("missing.key").toString()));
        assertEquals(2, key.exitCode());
        assertTrue(key.err().contains("--signing-key: the public key " + dir.resolve("missing.pub")), key.err());
    }

    @Test
    void keygenWritesAPairTheTrainerCanReadAndNeverOverwrites() throws IOException {
        Cli.Result r = Cli.run("keygen", "--out", dir.resolve("keys").toString(), "--name", "prod");
        assertEquals(0, r.exitCode(), r.toString());
        Path key = dir.resolve("keys/prod.key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        var pair = VersionSignature.readKeyPair(key);
        assertTrue(r.out().contains("key id: " + VersionSignature.keyId(pair.getPublic())), r.out());

        Cli.Result again = Cli.run("keygen", "--out", dir.resolve("keys").toString(), "--name", "prod");
        assertEquals(2, again.exitCode());
        assertTrue(again.err().contains("already exists: choose another --name"), again.err());
    }

    @Test
    void theProgressLineSaysWhatAVersionIs() {
        ModelVersion v = ModelVersion.newBuilder().setModelName("m").setVersion(3).setParentVersion(1)
                .setReferenceVersion(0).setArtifact(new Artifact("file:/x", "00", 1L, "f"))
                .setStatus(VersionStatus.REJECTED).setStatusReason("CHAIR_i rose").setTrainingWindow(List.of())
                .setPairs(16).setSteps(2).setObjective("tpo").setHyperParameters(Map.of()).setSeed(0)
                .setMetrics(Map.of("train/loss", 0.69314, "eval/chair_i", 0.125))
                .setCreatedAt(Instant.EPOCH).build();
        assertEquals("v3 REJECTED pairs=16 steps=2 loss=0.6931 CHAIR_i=0.1250 POPE-adv-F1=- publish=412ms "
                + "(CHAIR_i rose)", TrainCommand.progressLine(v, 412));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

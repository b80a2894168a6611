package io.tpostream.ops.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The launcher script {@code ops/tpo}, run by bash in a throw-away copy of the repository layout, with stand-ins
 * for {@code mvn} (records its call, writes the jar) and {@code java} (prints its arguments and process id).
 */
class TpoLauncherTest {

    private static final Path SCRIPT = Path.of("tpo").toAbsolutePath();

    @TempDir
    Path tmp;

    private Path root;
    private Path mvnLog;
    private Path jar;

    @BeforeEach
    void fakeRepository() throws IOException {
        assumeTrue(new File("/bin/bash").canExecute() || new File("/usr/bin/bash").canExecute(), "needs bash");
        root = tmp.resolve("repo");
        Files.createDirectories(root.resolve("ops/src/main/java"));
        Files.createDirectories(root.resolve("schemas/src/main/avro"));
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        Files.writeString(root.resolve("ops/pom.xml"), "<project/>");
        Files.writeString(root.resolve("ops/src/main/java/A.java"), "class A {}");
        Files.writeString(root.resolve("schemas/src/main/avro/A.avsc"), "{}");
        Files.copy(SCRIPT, root.resolve("ops/tpo"));
        jar = root.resolve("ops/target/tpo-ops.jar");
        mvnLog = tmp.resolve("mvn.log");

        Path bin = Files.createDirectories(tmp.resolve("bin"));
        executable(bin.resolve("mvn"), "#!/bin/sh\n"
                + "echo \"$(pwd) $*\" >> '" + mvnLog + "'\n"
                + "[ -n \"$FAIL_BUILD\" ] && { echo 'BUILD FAILURE'; exit 1; }\n"
                + "mkdir -p ops/target/lib && echo jar > ops/target/tpo-ops.jar\n");
        executable(Files.createDirectories(tmp.resolve("jdk/bin")).resolve("java"), "#!/bin/sh\n"
                + "echo \"pid $$\"\nfor a in \"$@\"; do echo \"arg $a\"; done\n");
    }

    private static void executable(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private record Run(int exitCode, long pid, List<String> out, String err) {
        List<String> args() {
            return out.stream().filter(l -> l.startsWith("arg ")).map(l -> l.substring(4)).toList();
        }
    }

    private Run tpo(Path script, Path cwd, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        pb.environment().put("PATH", tmp.resolve("bin") + File.pathSeparator + System.getenv("PATH"));
        pb.environment().put("JAVA_HOME", tmp.resolve("jdk").toString());
        pb.environment().remove("TPO_JAVA_OPTS");
        pb.environment().putAll(env);
        Path err = tmp.resolve("stderr.txt");
        Process p = pb.redirectError(err.toFile()).start();
        List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Run(p.exitValue(), p.pid(), out, Files.readString(err));
    }

    private List<String> mvnCalls() throws IOException {
        return Files.exists(mvnLog) ? Files.readAllLines(mvnLog) : List.of();
    }

    @Test
    void buildsOnFirstRunThenExecsJavaWithTheArguments() throws Exception {
        Run first = tpo(root.resolve("ops/tpo"), tmp, Map.of(), "produce", "--input", "my file.jsonl");
        assertEquals(0, first.exitCode(), first.toString());
        assertEquals("building tpo-stream (first run takes a few minutes)...\n", first.err());
        assertEquals(List.of(root.toRealPath() + " -B -q -DskipTests install"), mvnCalls());

        List<String> args = first.args();
        int cp = args.indexOf("-cp");
        assertEquals(root.toRealPath() + "/ops/target/tpo-ops.jar:" + root.toRealPath() + "/ops/target/lib/*",
                args.get(cp + 1));
        assertEquals(List.of("io.tpostream.ops.cli.TpoCommand", "produce", "--input", "my file.jsonl"),
                args.subList(cp + 2, args.size()));
        assertTrue(args.subList(0, cp).containsAll(List.of("-Djava.awt.headless=true", "-Xmx4g",
                "-Dai.djl.pytorch.num_threads=1")), args.toString());
        assertEquals("pid " + first.pid(), first.out().get(0), "java replaces the shell (exec), so signals reach it");

        Run second = tpo(root.resolve("ops/tpo"), tmp, Map.of(), "topics");
        assertEquals("", second.err());
        assertEquals(1, mvnCalls().size(), "a fresh jar is not rebuilt");
    }

    @Test
    void rebuildsWhenASourceOrPomIsNewer() throws Exception {
        tpo(root.resolve("ops/tpo"), tmp, Map.of());
        Instant later = Instant.now().plusSeconds(60);
        Files.setLastModifiedTime(root.resolve("schemas/src/main/avro/A.avsc"), FileTime.from(later));
        Run afterSourceChange = tpo(root.resolve("ops/tpo"), tmp, Map.of());
        assertTrue(afterSourceChange.err().startsWith("building tpo-stream"), afterSourceChange.err());
        assertEquals(2, mvnCalls().size());

        Files.setLastModifiedTime(jar, FileTime.from(later));
        Files.setLastModifiedTime(root.resolve("ops/pom.xml"), FileTime.from(later.plusSeconds(60)));
        tpo(root.resolve("ops/tpo"), tmp, Map.of());
        assertEquals(3, mvnCalls().size());
    }

    @Test
    void worksFromAnyDirectoryAndThroughASymlink() throws Exception {
        tpo(root.resolve("ops/tpo"), tmp, Map.of());
        Path link = Files.createSymbolicLink(Files.createDirectories(tmp.resolve("home/bin")).resolve("tpo"),
                root.resolve("ops/tpo"));
        Run viaLink = tpo(link, tmp.resolve("home"), Map.of(), "--version");
        assertEquals(0, viaLink.exitCode(), viaLink.toString());
        assertTrue(viaLink.args().contains(root.toRealPath() + "/ops/target/tpo-ops.jar:" + root.toRealPath()
                + "/ops/target/lib/*"), viaLink.args().toString());
        assertEquals(1, mvnCalls().size());
    }

    @Test
    void javaOptionsFromTheEnvironmentComeLast() throws Exception {
        Run r = tpo(root.resolve("ops/tpo"), tmp, Map.of("TPO_JAVA_OPTS", "-Xmx8g  -Dtpo.x=1"), "demo");
        List<String> args = r.args();
        int cp = args.indexOf("-cp");
        assertEquals(List.of("-Xmx8g", "-Dtpo.x=1"), args.subList(cp - 2, cp));
        assertTrue(args.indexOf("-Xmx4g") < args.indexOf("-Xmx8g"), "the later -Xmx wins in the JVM");
        Run threads = tpo(root.resolve("ops/tpo"), tmp, Map.of("TPO_JAVA_OPTS", "-Dai.djl.pytorch.num_threads=4"),
                "train");
        List<String> threadArgs = threads.args();
        assertTrue(threadArgs.lastIndexOf("-Dai.djl.pytorch.num_threads=4")
                > threadArgs.indexOf("-Dai.djl.pytorch.num_threads=1"), "the later -D wins: " + threadArgs);
    }

    @Test
    void aFailedBuildSaysWhatToRun() throws Exception {
        Run r = tpo(root.resolve("ops/tpo"), tmp, Map.of("FAIL_BUILD", "1"), "topics");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("BUILD FAILURE"), "the build's own output goes to stderr: " + r.err());
        assertTrue(r.err().contains("tpo: the build failed; run 'mvn -B -DskipTests install' in " + root.toRealPath()
                + " to see why"), r.err());
        assertFalse(r.out().stream().anyMatch(l -> l.startsWith("arg ")), "java must not run");
    }
}

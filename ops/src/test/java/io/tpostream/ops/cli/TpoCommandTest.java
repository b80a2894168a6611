package io.tpostream.ops.cli;

import io.tpostream.ops.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The command line without a broker: help, version, and usage errors (exit code 2). */
class TpoCommandTest {

    @TempDir
    Path dir;

    @Test
    void helpListsTheCommands() {
        Cli.Result r = Cli.run("--help");
        assertEquals(0, r.exitCode(), r.toString());
        for (String command : List.of("broker", "topics", "produce", "consume", "streams")) {
            assertTrue(r.out().contains("  " + command + " "), command + " missing in\n" + r.out());
        }
        assertTrue(r.out().contains("Exit codes: 0 success, 1 failure at run time, 2 usage error."), r.out());
    }

    @Test
    void everyCommandHasHelpWithDefaults() {
        for (String command : List.of("broker", "topics", "produce", "consume", "streams")) {
            Cli.Result r = Cli.run(command, "--help");
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.out().startsWith("Usage: tpo " + command), r.out());
            assertTrue(r.out().contains("--version"), command + " has no --version:\n" + r.out());
            assertTrue(r.out().contains("Default: tpo."), command + " does not show the topic prefix default:\n" + r.out());
        }
        Cli.Result produce = Cli.run("help", "produce");
        assertTrue(produce.out().contains("Default: feedback"), produce.out());
        assertTrue(produce.out().contains("{\"uri\": \"https://...\", \"sha256\": \"<64 hex>\"}"), produce.out());
        assertTrue(Cli.run("consume", "--help").out().contains("Default: 10"));
    }

    @Test
    void version() {
        Cli.Result r = Cli.run("--version");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().startsWith("tpo 0.1.0-SNAPSHOT"), r.out());
        assertTrue(r.out().contains("Kafka client 4.4.0"), r.out());
        assertEquals(r.out(), Cli.run("topics", "--version").out());
    }

    @Test
    void usageErrorsExitWith2AndSayWhatToDo() {
        Cli.Result none = Cli.run();
        assertEquals(2, none.exitCode());
        assertTrue(none.err().startsWith("tpo: missing command"), none.err());

        Cli.Result unknown = Cli.run("produce", "--input", "x.jsonl", "--bootstrap-server", "h:1");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("Unknown options: '--bootstrap-server', 'h:1'"), unknown.err());
        assertTrue(unknown.err().contains("Possible solutions: --bootstrap-servers"), unknown.err());
        assertTrue(unknown.err().contains("Run 'tpo produce --help' for the options."), unknown.err());

        Cli.Result missingInput = Cli.run("produce", "--bootstrap-servers", "127.0.0.1:1");
        assertEquals(2, missingInput.exitCode());
        assertTrue(missingInput.err().contains("Missing required option: '--input=FILE.jsonl'"), missingInput.err());

        Cli.Result notAFile = Cli.run("produce", "--bootstrap-servers", "127.0.0.1:1", "--input",
                dir.resolve("none.jsonl").toString());
        assertEquals(2, notAFile.exitCode());
        assertTrue(notAFile.err().startsWith("tpo produce: --input: " + dir.resolve("none.jsonl") + " is not a file"),
                notAFile.err());

        Cli.Result wrongTopic = Cli.run("produce", "--topic", "pairs", "--input", "x");
        assertEquals(2, wrongTopic.exitCode());
        assertTrue(wrongTopic.err().contains("produce writes feedback events, so the topic must be feedback "
                + "(tpo.feedback), not tpo.pairs"), wrongTopic.err());

        Cli.Result unknownTopic = Cli.run("consume", "--topic", "paris", "--bootstrap-servers", "127.0.0.1:1");
        assertEquals(2, unknownTopic.exitCode());
        assertTrue(unknownTopic.err().contains("unknown topic 'paris': use one of feedback, dlq, outcomes, pairs"),
                unknownTopic.err());

        Cli.Result badNumber = Cli.run("consume", "--topic", "pairs", "--max", "many");
        assertEquals(2, badNumber.exitCode());
    }

    @Test
    void missingBootstrapServersIsAUsageError() {
        assumeTrue(System.getenv("TPO_BOOTSTRAP_SERVERS") == null, "TPO_BOOTSTRAP_SERVERS is set here");
        Cli.Result r = Cli.run("topics");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("tpo topics: no Kafka bootstrap servers: pass --bootstrap-servers HOST:PORT"),
                r.err());
    }

    @Test
    void unreadableClientPropertiesIsAUsageError() {
        Cli.Result r = Cli.run("consume", "--topic", "pairs", "--bootstrap-servers", "127.0.0.1:1",
                "--command-config", dir.resolve("client.properties").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("client properties file " + dir.resolve("client.properties") + " does not exist"),
                r.err());
    }
}

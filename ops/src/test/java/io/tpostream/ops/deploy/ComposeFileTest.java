package io.tpostream.ops.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tpostream.ops.cli.TpoCommand;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deployment file checked against the code it deploys: every container's command must be one the real command
 * line accepts, every variable it sets one the command line reads, and the Kafka cluster it describes must agree
 * with itself (voters, listeners, replication). Compose's own validation runs where a docker client is installed.
 */
class ComposeFileTest {

    private static final Path COMPOSE = Path.of("..", "docker-compose.yml");
    private static final String IMAGE = "tpo-stream:latest";

    private static JsonNode compose;
    private static Map<String, JsonNode> services;

    @BeforeAll
    static void read() throws IOException {
        // SnakeYAML (under Jackson's YAML module) resolves anchors and merge keys ('<<: *tpo-common') as Compose does
        try (java.io.Reader in = Files.newBufferedReader(COMPOSE)) {
            Object tree = new org.yaml.snakeyaml.Yaml().load(in);
            compose = new ObjectMapper().valueToTree(tree);
        }
        services = new LinkedHashMap<>();
        compose.get("services").fields().forEachRemaining(e -> services.put(e.getKey(), e.getValue()));
    }

    /** A service's setting, with the shared blocks it merges in ({@code <<: *tpo-common}) resolved. */
    private static JsonNode effective(String name, String field) {
        return services.get(name).get(field);
    }

    private static List<String> tpoServices() {
        return services.keySet().stream().filter(n -> IMAGE.equals(String.valueOf(effective(n, "image") == null
                ? null : effective(n, "image").asText()))).toList();
    }

    @Test
    void everyTpoContainerRunsACommandTheCommandLineAccepts() {
        List<String> tpo = tpoServices();
        assertTrue(tpo.containsAll(List.of("topics", "streams", "trainer", "captioner")), tpo.toString());
        for (String name : tpo) {
            List<String> args = new ArrayList<>();
            services.get(name).get("command").forEach(a -> args.add(a.asText()));
            CommandLine.ParseResult parsed = assertDoesNotThrow(() -> TpoCommand.newCommandLine().parseArgs(
                    args.toArray(String[]::new)), name + ": 'tpo " + String.join(" ", args) + "' is refused");
            assertTrue(parsed.hasSubcommand(), name + " runs no subcommand");
            assertEquals(args.get(0), parsed.subcommand().commandSpec().name(), name);
            assertTrue(parsed.subcommand().unmatched().isEmpty(), name + ": unmatched " + parsed.subcommand()
                    .unmatched());
        }
    }

    @Test
    void everyVariableTheContainersSetIsOneTheCommandLineReads() {
        Set<String> read = new TreeSet<>();
        collectEnvironmentDefaults(TpoCommand.newCommandLine(), read);
        assertTrue(read.contains("TPO_BOOTSTRAP_SERVERS"), read.toString());
        Set<String> set = new TreeSet<>();
        for (String name : tpoServices()) {
            JsonNode env = effective(name, "environment");
            if (env != null) {
                env.fieldNames().forEachRemaining(set::add);
            }
        }
        assertFalse(set.isEmpty());
        for (String variable : set) {
            assertTrue(read.contains(variable), variable + " is set in docker-compose.yml but no option reads it; the"
                    + " command line reads " + read);
        }
    }

    private static void collectEnvironmentDefaults(CommandLine cli, Set<String> out) {
        for (OptionSpec o : cli.getCommandSpec().options()) {
            String d = o.defaultValueString(false); // as written: ${env:NAME:-fallback}
            if (d != null) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\{env:([A-Z0-9_]+)").matcher(d);
                while (m.find()) {
                    out.add(m.group(1));
                }
            }
        }
        cli.getSubcommands().values().forEach(sub -> collectEnvironmentDefaults(sub, out));
    }

    @Test
    void theKafkaClusterAgreesWithItselfAndTheClientsReachIt() {
        JsonNode common = compose.get("x-kafka-common").get("environment");
        Map<String, String> internal = new LinkedHashMap<>(); // host -> internal listener port
        Set<String> voters = new HashSet<>();
        for (String v : common.get("KAFKA_CONTROLLER_QUORUM_VOTERS").asText().split(",")) {
            voters.add(v.trim());
        }
        Set<String> expectedVoters = new HashSet<>();
        for (Map.Entry<String, JsonNode> s : services.entrySet()) {
            JsonNode env = s.getValue().get("environment");
            if (env == null || !env.has("KAFKA_NODE_ID")) {
                continue;
            }
            String host = s.getValue().get("hostname").asText();
            assertEquals(s.getKey(), host, "a broker's hostname is its service name");
            expectedVoters.add(env.get("KAFKA_NODE_ID").asInt() + "@" + host + ":9093");
            for (String listener : env.get("KAFKA_ADVERTISED_LISTENERS").asText().split(",")) {
                if (listener.startsWith(common.get("KAFKA_INTER_BROKER_LISTENER_NAME").asText() + "://")) {
                    String hostPort = listener.substring(listener.indexOf("//") + 2);
                    internal.put(hostPort.split(":")[0], hostPort.split(":")[1]);
                }
            }
        }
        assertEquals(expectedVoters, voters, "every broker votes, under its node id and controller port");
        int brokers = expectedVoters.size();
        assertTrue(common.get("KAFKA_DEFAULT_REPLICATION_FACTOR").asInt() <= brokers);
        assertTrue(common.get("KAFKA_MIN_INSYNC_REPLICAS").asInt() < common.get("KAFKA_DEFAULT_REPLICATION_FACTOR")
                .asInt(), "min ISR below the replication factor, or one broker down stops all writes");

        List<String> args = new ArrayList<>();
        services.get("topics").get("command").forEach(a -> args.add(a.asText()));
        int rf = Integer.parseInt(args.get(args.indexOf("--replication-factor") + 1));
        assertTrue(rf <= brokers, "topics replicated " + rf + " times on " + brokers + " brokers");

        for (String name : tpoServices()) {
            JsonNode env = effective(name, "environment");
            for (String server : env.get("TPO_BOOTSTRAP_SERVERS").asText().split(",")) {
                String[] hp = server.trim().split(":");
                assertEquals(internal.get(hp[0]), hp[1], name + " bootstraps from " + server
                        + ", which is no broker's internal listener " + internal);
            }
        }
    }

    @Test
    void theGpuTrainerAndTheVolumesAreDeclared() {
        JsonNode gpu = services.get("trainer").get("deploy").get("resources").get("reservations").get("devices").get(0);
        assertEquals("nvidia", gpu.get("driver").asText());
        assertTrue(gpu.get("capabilities").toString().contains("gpu"));
        Set<String> declared = new HashSet<>();
        compose.get("volumes").fieldNames().forEachRemaining(declared::add);
        for (Map.Entry<String, JsonNode> s : services.entrySet()) {
            JsonNode volumes = s.getValue().get("volumes");
            if (volumes == null) {
                continue;
            }
            for (JsonNode v : volumes) {
                String source = v.asText().split(":")[0];
                if (!source.startsWith(".") && !source.startsWith("/")) {
                    assertTrue(declared.contains(source), s.getKey() + " mounts undeclared volume " + source);
                }
            }
        }
    }

    @Test
    void prometheusScrapesEveryTpoProcessOnThePortItServesMetricsOn() throws IOException {
        JsonNode prometheus = new ObjectMapper().valueToTree(new org.yaml.snakeyaml.Yaml().load(
                Files.readString(Path.of("docker", "prometheus.yml"))));
        Map<String, String> targets = new LinkedHashMap<>(); // job -> host:port
        for (JsonNode job : prometheus.get("scrape_configs")) {
            JsonNode target = job.has("static_configs") ? job.get("static_configs").get(0).get("targets").get(0)
                    : null;
            targets.put(job.get("job_name").asText(), target != null ? target.asText()
                    : job.get("dns_sd_configs").get(0).get("names").get(0).asText() + ":"
                    + job.get("dns_sd_configs").get(0).get("port").asText());
        }
        for (String name : List.of("captioner", "streams", "trainer")) {
            List<String> args = new ArrayList<>();
            services.get(name).get("command").forEach(a -> args.add(a.asText()));
            String portOption = name.equals("captioner") ? "--port" : "--metrics-port";
            String port = args.get(args.indexOf(portOption) + 1);
            assertEquals(name + ":" + port, targets.get(name), name + " serves metrics on " + port);
            String hostOption = name.equals("captioner") ? "--host" : "--metrics-host";
            assertEquals("0.0.0.0", args.get(args.indexOf(hostOption) + 1), name + " must listen beyond loopback");
        }
    }

    @Test
    void composeAcceptsTheFileWithoutAnEngine() throws Exception {
        List<String> command = firstAvailable(List.of(List.of("docker", "compose"), List.of("docker-compose")));
        Assumptions.assumeTrue(command != null,
                "skipped: neither 'docker compose' nor 'docker-compose' is installed on this machine");
        List<String> full = new ArrayList<>(command);
        full.addAll(List.of("-f", COMPOSE.toAbsolutePath().toString(), "config", "-q"));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "compose did not answer within a minute");
        assertEquals(0, p.exitValue(), "compose rejects docker-compose.yml:\n" + output);
    }

    private static List<String> firstAvailable(List<List<String>> candidates) {
        for (List<String> c : candidates) {
            try {
                List<String> probe = new ArrayList<>(c);
                probe.add("version");
                Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return c;
                }
            } catch (IOException | InterruptedException e) {
                // not installed: try the next form
            }
        }
        return null;
    }

    @Test
    void theImageRecipeExists() {
        assertTrue(Files.isRegularFile(Path.of("docker", "Dockerfile")));
    }
}

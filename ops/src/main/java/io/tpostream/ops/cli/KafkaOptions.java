package io.tpostream.ops.cli;

import io.tpostream.ops.kafka.ClientSettings;
import io.tpostream.ops.kafka.KafkaCalls;
import io.tpostream.ops.kafka.SystemTopic;
import io.tpostream.ops.kafka.TopicAdmin;
import io.tpostream.schema.Topics;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The options every command that talks to Kafka shares: where the cluster is, how to connect to it, and which
 * deployment's topics to use. Add it to a command with {@code @Mixin KafkaOptions kafka;}.
 */
public final class KafkaOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            defaultValue = "${env:TPO_BOOTSTRAP_SERVERS}",
            description = "Kafka brokers to connect to (env TPO_BOOTSTRAP_SERVERS); `tpo broker` prints one.")
    String bootstrapServers;

    @Option(names = "--command-config", paramLabel = "FILE", defaultValue = "${env:TPO_COMMAND_CONFIG}",
            description = "Client properties file with connection and security settings (security.protocol, "
                    + "sasl.*, ssl.*), as for Kafka's own tools; used by every client (env TPO_COMMAND_CONFIG).")
    Path commandConfig;

    @Mixin
    TopicPrefixOption topicPrefix;

    /** @throws ParameterException (exit code 2) if the servers are missing or the properties file is unreadable */
    public ClientSettings clientSettings() {
        try {
            return ClientSettings.load(bootstrapServers, commandConfig);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), e.getMessage(), e);
        }
    }

    /** True if the user named a cluster, with --bootstrap-servers, its variable, or --command-config. */
    public boolean given() {
        return bootstrapServers != null && !bootstrapServers.isBlank() || commandConfig != null;
    }

    public Topics topics() {
        return topicPrefix.topics();
    }

    /** The topic a user means by {@code --topic} ({@code pairs}, {@code dlq}, or a full name). */
    public SystemTopic systemTopic(String shortOrFullName) {
        try {
            return SystemTopic.of(topics(), shortOrFullName);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), "--topic: " + e.getMessage(), e);
        }
    }

    /**
     * The partition count of an existing topic.
     *
     * @throws KafkaCalls.KafkaCallException if it does not exist, saying how to create it
     */
    public static int existingPartitions(ClientSettings settings, String topicName) {
        try (TopicAdmin topics = TopicAdmin.connect(settings, Duration.ofSeconds(30))) {
            return topics.partitions(topicName)
                    .orElseThrow(() -> new KafkaCalls.KafkaCallException("topic " + topicName + " does not exist on "
                            + settings.bootstrapServers() + ": create the topics with 'tpo topics'", null));
        }
    }
}

package io.tpostream.ops.cli;

import io.tpostream.schema.Topics;
import picocli.CommandLine.Option;

/** {@code --topic-prefix}: which deployment's topics a command works on. */
public final class TopicPrefixOption {

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = "${env:TPO_TOPIC_PREFIX:-"
            + Topics.DEFAULT_PREFIX + "}",
            description = "Prefix of all topic names, so that several deployments can share a cluster "
                    + "(env TPO_TOPIC_PREFIX).")
    String prefix;

    public Topics topics() {
        return new Topics(prefix);
    }
}

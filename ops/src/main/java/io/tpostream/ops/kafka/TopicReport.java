package io.tpostream.ops.kafka;

import java.util.List;

/**
 * How a topic compares with its {@link TopicSpec}.
 *
 * @param differences what differs from the plan, one sentence each (empty unless {@link Status#DIFFERS})
 */
public record TopicReport(String name, Status status, int plannedPartitions, int actualPartitions,
                          int replicationFactor, List<String> differences) {

    public enum Status {
        /** created now, as planned */
        CREATED,
        /** existed already, as planned */
        EXISTS,
        /** existed already, with other settings; nothing was changed */
        DIFFERS
    }

    public TopicReport {
        differences = List.copyOf(differences);
    }
}

package io.tpostream.ops.broker;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Broker settings that make a one-node cluster work, and start fast on a small machine. */
final class BrokerDefaults {

    private BrokerDefaults() {
    }

    static Map<String, String> singleNode(int nodeId, Path dataDir) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("process.roles", "broker,controller");
        s.put("node.id", String.valueOf(nodeId));
        s.put("log.dirs", dataDir.toString());
        // internal topics default to replication factor 3 and cannot be created on one node otherwise
        s.put("default.replication.factor", "1");
        s.put("offsets.topic.replication.factor", "1");
        s.put("transaction.state.log.replication.factor", "1");
        s.put("transaction.state.log.min.isr", "1");
        s.put("share.coordinator.state.topic.replication.factor", "1");
        s.put("share.coordinator.state.topic.min.isr", "1");
        // 50 partitions per internal topic make the first group join and the first transaction slow on 2 cores
        s.put("offsets.topic.num.partitions", "1");
        s.put("transaction.state.log.num.partitions", "1");
        // one member per group is the common case here: do not wait for more to join
        s.put("group.initial.rebalance.delay.ms", "0");
        s.put("group.streams.initial.rebalance.delay.ms", "0");
        s.put("num.partitions", "1");
        // The system's topics need their own retention (feedback and pairs are kept forever): a topic made up
        // by a typo or created on first use would silently get the 7-day default, so topics are created explicitly.
        s.put("auto.create.topics.enable", "false");
        return s;
    }
}

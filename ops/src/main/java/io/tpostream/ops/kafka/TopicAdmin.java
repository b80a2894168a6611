package io.tpostream.ops.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Creates the topics of a plan that are missing and compares the existing ones with it. Idempotent, and it
 * never changes an existing topic: partition counts only grow and re-key data, retention changes can delete
 * records; those are decisions for a person, so they are reported instead.
 */
public final class TopicAdmin implements AutoCloseable {

    private final Admin admin;
    private final Duration timeout;
    private final boolean ownsAdmin;

    private TopicAdmin(Admin admin, Duration timeout, boolean ownsAdmin) {
        this.admin = admin;
        this.timeout = timeout;
        this.ownsAdmin = ownsAdmin;
    }

    /** Uses the caller's admin client, which the caller closes. */
    public TopicAdmin(Admin admin, Duration timeout) {
        this(admin, timeout, false);
    }

    /** With an admin client of its own, closed by {@link #close()}. */
    public static TopicAdmin connect(ClientSettings settings, Duration timeout) {
        return new TopicAdmin(Admin.create(settings.admin()), timeout, true);
    }

    /**
     * Closes its own admin client without waiting: a plain close would wait for a call that already timed out
     * here, up to the client's own 60 s API timeout.
     */
    @Override
    public void close() {
        if (ownsAdmin) {
            admin.close(Duration.ZERO);
        }
    }

    /** Creates what is missing, then reports every planned topic, in plan order. */
    public List<TopicReport> ensure(List<TopicSpec> plan) {
        Set<String> existing = KafkaCalls.await(admin.listTopics().names(), timeout, "list topics");
        List<String> created = create(plan.stream().filter(s -> !existing.contains(s.name())).toList());

        List<String> names = plan.stream().map(TopicSpec::name).toList();
        Described described = describeOnceVisible(names);
        awaitLeadersServing(created, described.topics());

        List<TopicReport> reports = new ArrayList<>();
        for (TopicSpec spec : plan) {
            TopicDescription d = described.topics().get(spec.name());
            Config actual = described.configs().get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
            List<String> differences = differences(spec, d, actual);
            TopicReport.Status status = created.contains(spec.name()) ? TopicReport.Status.CREATED
                    : differences.isEmpty() ? TopicReport.Status.EXISTS : TopicReport.Status.DIFFERS;
            reports.add(new TopicReport(spec.name(), status, spec.partitions(), d.partitions().size(),
                    d.partitions().get(0).replicas().size(), differences));
        }
        return reports;
    }

    /** Partition count of a topic, or empty if it does not exist. */
    public Optional<Integer> partitions(String topic) {
        try {
            return Optional.of(KafkaCalls.await(admin.describeTopics(List.of(topic)).allTopicNames(), timeout,
                    "describe topic " + topic).get(topic).partitions().size());
        } catch (KafkaCalls.KafkaCallException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private record Described(Map<String, TopicDescription> topics, Map<ConfigResource, Config> configs) {
    }

    /**
     * Describes topics and their settings. A topic the controller has just created reaches the broker's metadata a
     * moment later ("This server does not host this topic-partition"), so that answer is retried until the timeout.
     */
    private Described describeOnceVisible(List<String> names) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> topics = KafkaCalls.await(admin.describeTopics(names).allTopicNames(),
                        timeout, "describe topics " + names);
                Map<ConfigResource, Config> configs = KafkaCalls.await(admin.describeConfigs(names.stream()
                        .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList()).all(), timeout,
                        "describe the settings of topics " + names);
                return new Described(topics, configs);
            } catch (KafkaCalls.KafkaCallException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                pause();
            }
        }
    }

    /**
     * Returns once the leader of every partition of the new topics answers a request for its end offset. The
     * broker's metadata names a leader a moment before that broker's replica manager hosts the partition; an
     * idempotent producer that writes in that moment is told NOT_LEADER_OR_FOLLOWER for one batch while a later
     * batch lands, and then retries the first one out of sequence until its delivery timeout (seen on a loaded
     * 2-core machine: `tpo produce` right after `tpo topics` lost two records to it).
     */
    private void awaitLeadersServing(List<String> created, Map<String, TopicDescription> described) {
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        for (String topic : created) {
            described.get(topic).partitions().forEach(p -> partitions.put(new TopicPartition(topic, p.partition()),
                    OffsetSpec.latest()));
        }
        if (partitions.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                KafkaCalls.await(admin.listOffsets(partitions).all(), timeout, "read the end offsets of " + created);
                return;
            } catch (KafkaCalls.KafkaCallException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw e;
                }
                pause();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaCalls.KafkaCallException("interrupted while waiting for new topics", e);
        }
    }

    /** Creates the topics; returns the names this call created (not those someone else created meanwhile). */
    private List<String> create(Collection<TopicSpec> missing) {
        if (missing.isEmpty()) {
            return List.of();
        }
        CreateTopicsResult result = admin.createTopics(missing.stream().map(TopicSpec::toNewTopic).toList());
        List<String> created = new ArrayList<>();
        for (TopicSpec spec : missing) {
            try {
                KafkaCalls.await(result.values().get(spec.name()), timeout, "create topic " + spec.name());
                created.add(spec.name());
            } catch (KafkaCalls.KafkaCallException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        return created;
    }

    static List<String> differences(TopicSpec spec, TopicDescription actual, Config actualConfig) {
        List<String> out = new ArrayList<>();
        int partitions = actual.partitions().size();
        if (partitions != spec.partitions()) {
            out.add("has " + partitions + " partitions, planned " + spec.partitions());
        }
        spec.replicationFactor().ifPresent(rf -> {
            int actualRf = actual.partitions().get(0).replicas().size();
            if (actualRf != rf) {
                out.add("replication factor is " + actualRf + ", planned " + rf);
            }
        });
        for (Map.Entry<String, String> planned : new TreeMap<>(spec.configs()).entrySet()) {
            ConfigEntry entry = actualConfig == null ? null : actualConfig.get(planned.getKey());
            String value = entry == null ? null : entry.value();
            if (!planned.getValue().equals(value)) {
                out.add(planned.getKey() + " is " + value + ", planned " + planned.getValue());
            }
        }
        return out;
    }
}

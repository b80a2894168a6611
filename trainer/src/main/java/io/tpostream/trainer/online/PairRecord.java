package io.tpostream.trainer.online;

import org.apache.kafka.common.TopicPartition;

/** A consumed record of the pairs topic, undecoded: decoding is part of training, so a bad one is quarantined. */
public record PairRecord(TopicPartition partition, long offset, byte[] value) {
}

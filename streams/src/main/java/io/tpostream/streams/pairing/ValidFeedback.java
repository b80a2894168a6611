package io.tpostream.streams.pairing;

import io.tpostream.schema.FeedbackEvent;

/**
 * A feedback event that passed validation, travelling between processors of one task (never serialized). The
 * raw bytes ride along so that a later dead letter can still carry the record exactly as it was produced.
 */
record ValidFeedback(FeedbackEvent event, byte[] rawKey, byte[] rawValue) {
}

package io.tpostream.streams.pairing;

/**
 * The input record behind a held rating, exactly as it was read: needed to build a pair from it (its image) or a
 * dead letter when it expires unpaired.
 */
record HeldSource(RecordOrigin origin, byte[] rawKey, byte[] rawValue) {
}

package io.tpostream.streams.pairing;

/** A remembered value and the stream time it was recorded at. */
record Stamped<V>(long time, V value) {
}

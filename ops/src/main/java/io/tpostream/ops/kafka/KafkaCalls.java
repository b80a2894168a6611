package io.tpostream.ops.kafka;

import org.apache.kafka.common.KafkaFuture;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for admin-client futures and turns their failures into messages that say what was being done. */
public final class KafkaCalls {

    private static final String NO_ANSWER_HINT =
            "(is the broker running, and are the bootstrap servers and security settings right?)";

    private KafkaCalls() {
    }

    /**
     * @param what what the call does, for the message: "create topic tpo.pairs"
     * @throws KafkaCallException on failure or timeout; its cause is Kafka's exception (unwrapped)
     */
    public static <T> T await(KafkaFuture<T> future, Duration timeout, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            // the client's own timeout: a broker that is down, or one that drops a client whose security settings
            // do not match its listener (e.g. TLS without the SASL login it expects), looks the same from here
            String hint = cause instanceof org.apache.kafka.common.errors.TimeoutException ? " " + NO_ANSWER_HINT : "";
            throw new KafkaCallException("cannot " + what + ": " + cause.getMessage() + hint, cause);
        } catch (TimeoutException e) {
            throw new KafkaCallException("cannot " + what + ": no answer from Kafka within " + timeout.toSeconds()
                    + " s " + NO_ANSWER_HINT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaCallException("interrupted while trying to " + what, e);
        }
    }

    /** A Kafka call that failed; the message is meant for a person. */
    public static final class KafkaCallException extends RuntimeException {
        public KafkaCallException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

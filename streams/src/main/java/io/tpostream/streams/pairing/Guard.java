package io.tpostream.streams.pairing;

import io.tpostream.streams.RejectReason;
import io.tpostream.streams.validation.Rejection;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SerializationException;

import java.util.Arrays;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The line between "this record is bad" and "the infrastructure is in trouble". Processors decide what to do
 * with a record inside {@link #decide}, touching nothing but reads; only then do they write and forward. A bug
 * or a hostile record that breaks the decision turns into an INTERNAL_ERROR dead letter, so one record can
 * never stop the stream. Kafka's own exceptions (a fenced producer, a store that cannot be read, a migrated
 * task) pass through untouched: Streams must see them to abort the transaction and recover.
 */
final class Guard {

    private Guard() {
    }

    static <T> T decide(Supplier<T> decision, Function<Rejection, T> onFailure) {
        try {
            return decision.get();
        } catch (SerializationException e) {
            // data that cannot be read (our serdes throw this for corrupt bytes): a record problem, not infrastructure
            return onFailure.apply(internalError(e));
        } catch (KafkaException e) {
            throw e;
        } catch (RuntimeException e) {
            return onFailure.apply(internalError(e));
        }
    }

    static Rejection internalError(RuntimeException e) {
        String where = Arrays.stream(e.getStackTrace()).limit(3).map(StackTraceElement::toString)
                .collect(Collectors.joining(" < "));
        return new Rejection(RejectReason.INTERNAL_ERROR, "processing failed unexpectedly: " + e
                + (where.isEmpty() ? "" : " at " + where));
    }
}

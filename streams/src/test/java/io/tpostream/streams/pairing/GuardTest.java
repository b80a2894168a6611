package io.tpostream.streams.pairing;

import io.tpostream.schema.UndecodableRecordException;
import io.tpostream.streams.RejectReason;
import io.tpostream.streams.validation.Rejection;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.TaskMigratedException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GuardTest {

    @Test
    void aDecisionThatWorksIsReturned() {
        assertEquals("ok", Guard.decide(() -> "ok", r -> "refused"));
    }

    @Test
    void aBugBecomesAnInternalErrorWithTheExceptionText() {
        Rejection r = Guard.decide(() -> {
            throw new ArithmeticException("/ by zero");
        }, rejection -> rejection);
        assertEquals(RejectReason.INTERNAL_ERROR, r.reason());
        assertTrue(r.detail().contains("java.lang.ArithmeticException: / by zero"), r.detail());
        assertTrue(r.detail().contains("GuardTest"), "says where: " + r.detail());
    }

    @Test
    void unreadableDataIsARecordProblemNotInfrastructure() {
        Rejection r = Guard.decide(() -> {
            throw new UndecodableRecordException(UndecodableRecordException.Cause.CORRUPT_BODY, "bad bytes", null);
        }, rejection -> rejection);
        assertEquals(RejectReason.INTERNAL_ERROR, r.reason());
    }

    @Test
    void kafkaInfrastructureFailuresPassThroughForStreamsToHandle() {
        StreamsException store = new StreamsException("store closed");
        assertSame(store, assertThrows(StreamsException.class, () -> Guard.decide(() -> {
            throw store;
        }, r -> r)));
        assertThrows(TaskMigratedException.class, () -> Guard.decide(() -> {
            throw new TaskMigratedException("moved");
        }, r -> r));
    }

    @Test
    void errorsAreNotCaught() {
        assertThrows(StackOverflowError.class, () -> Guard.decide(() -> {
            throw new StackOverflowError();
        }, r -> r));
    }
}

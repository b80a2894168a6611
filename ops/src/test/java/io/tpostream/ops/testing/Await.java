package io.tpostream.ops.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Waits for a condition by probing it again and again (each probe blocks on its own I/O), never by sleeping. */
public final class Await {

    /** Generous: a loaded 2-core machine runs the broker, the trainer and the test at once. */
    public static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final long PAUSE_NANOS = Duration.ofMillis(50).toNanos();

    private Await() {
    }

    /** Probes until {@code done} holds for the probe's value and returns that value; fails at the deadline. */
    public static <T> T until(String what, Supplier<T> probe, Predicate<T> done) {
        return until(what, DEADLINE, probe, done);
    }

    public static <T> T until(String what, Duration deadline, Supplier<T> probe, Predicate<T> done) {
        long end = System.nanoTime() + deadline.toNanos();
        T last = null;
        while (System.nanoTime() < end) {
            last = probe.get();
            if (done.test(last)) {
                return last;
            }
            LockSupport.parkNanos(PAUSE_NANOS); // between probes only: the condition decides, not the pause
        }
        return fail("not within " + deadline.toSeconds() + " s: " + what + "; last seen: " + last);
    }
}

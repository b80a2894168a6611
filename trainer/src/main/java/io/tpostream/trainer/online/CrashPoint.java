package io.tpostream.trainer.online;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test-only hook that lets crash tests kill the trainer at an exact point of its publish cycle. With the system
 * property {@value #PROPERTY} set to {@code NAME} or {@code NAME@K}, the JVM halts (like SIGKILL: no shutdown hooks,
 * no client closes) the first, or K-th, time the trainer reaches the point. Unset, it does nothing.
 *
 * <p>Points: {@code after-step} (a step trained, its window not yet published), {@code after-artifact} (checkpoint
 * stored, no transaction begun), {@code before-commit} (version, traces and offsets sent in an open transaction),
 * {@code after-commit} (the version is committed).
 */
public final class CrashPoint {

    public static final String PROPERTY = "tpo.test.crash-at";
    /** The exit status of a halted JVM, as a SIGKILL gives it. */
    public static final int HALT_STATUS = 137;

    private static final Map<String, Integer> HITS = new ConcurrentHashMap<>();

    private CrashPoint() {
    }

    static void reached(String name) {
        String spec = System.getProperty(PROPERTY);
        if (spec == null || !spec.split("@")[0].equals(name)) {
            return;
        }
        int wanted = spec.contains("@") ? Integer.parseInt(spec.substring(spec.indexOf('@') + 1)) : 1;
        if (HITS.merge(name, 1, Integer::sum) == wanted) {
            System.err.println("crash point " + spec + " reached: halting the JVM");
            System.err.flush();
            Runtime.getRuntime().halt(HALT_STATUS);
        }
    }
}

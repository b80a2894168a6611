package io.tpostream.ops.bench;

/** Where a long benchmark step reports how far it got (the CLI draws a progress bar). */
@FunctionalInterface
public interface Progress {

    Progress NONE = (label, done, total) -> {
    };

    void update(String label, long done, long total);
}

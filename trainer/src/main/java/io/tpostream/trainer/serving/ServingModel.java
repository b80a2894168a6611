package io.tpostream.trainer.serving;

import io.tpostream.schema.ModelVersion;
import io.tpostream.trainer.model.ModelInstance;

import java.util.Optional;
import java.util.function.BiFunction;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * The model a serving application answers with, swapped atomically when a new version arrives. Requests run under
 * a read lock, a swap takes the write lock, so no request ever sees a half-loaded model, and the old model is
 * closed only once no request uses it.
 */
public final class ServingModel implements AutoCloseable {

    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private ModelInstance model;
    private ModelVersion version;

    /** Runs {@code request} with the current model; empty if no version has been applied yet. */
    public <T> Optional<T> withModel(Function<ModelInstance, T> request) {
        return serve((m, v) -> request.apply(m));
    }

    /**
     * Runs {@code request} with the current model and the version it is, as one consistent pair: a swap that
     * arrives meanwhile waits until the request has returned, so the request finishes on the model it started on
     * and the answer can name that version. Empty if no version has been applied yet.
     */
    public <T> Optional<T> serve(BiFunction<ModelInstance, ModelVersion, T> request) {
        lock.readLock().lock();
        try {
            return model == null ? Optional.empty() : Optional.ofNullable(request.apply(model, version));
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Installs a new model once no request uses the previous one, then closes the previous one (its native memory is
     * freed here, on the caller's thread, not left to the garbage collector).
     */
    public void swap(ModelInstance next, ModelVersion nextVersion) {
        ModelInstance previous;
        lock.writeLock().lock();
        try {
            previous = model;
            model = next;
            version = nextVersion;
        } finally {
            lock.writeLock().unlock();
        }
        if (previous != null) {
            previous.close();
        }
    }

    /** The version being served, if any. */
    public Optional<ModelVersion> version() {
        lock.readLock().lock();
        try {
            return Optional.ofNullable(version);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (model != null) {
                model.close();
                model = null;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}

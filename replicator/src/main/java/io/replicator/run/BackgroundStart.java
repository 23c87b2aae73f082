package io.replicator.run;

import io.replicator.core.ReplicatorException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Something slow to start (the HTTP control plane: about 1-3 s of Micronaut start-up) started on its own thread,
 * so that replication does not wait for it. A failure to start is not lost: it is thrown from {@link #ifStarted}
 * on the command's thread, which stops the command as a failure at start would have.
 */
public final class BackgroundStart<T extends AutoCloseable> implements AutoCloseable {
    private final CompletableFuture<T> future;
    private boolean announced;

    private BackgroundStart(CompletableFuture<T> future) {
        this.future = future;
    }

    /** {@code starter} null: nothing to start. */
    public static <T extends AutoCloseable> BackgroundStart<T> of(String name, Supplier<T> starter) {
        if (starter == null) return new BackgroundStart<>(CompletableFuture.completedFuture(null));
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(starter.get());
            } catch (RuntimeException | Error e) {
                f.completeExceptionally(e);
            }
        }, name + "-start");
        t.setDaemon(true);
        t.start();
        return new BackgroundStart<>(f);
    }

    /** Once, when it has started: hands it to {@code announce}. Throws the start's failure. */
    public void ifStarted(Consumer<T> announce) {
        if (announced || !future.isDone()) return;
        announced = true;
        T value = result();
        if (value != null) announce.accept(value);
    }

    private T result() {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw ReplicatorException.runtime("start-up failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ReplicatorException.runtime("interrupted while starting", e);
        }
    }

    /** Waits for a start still under way, then closes what it started; a failed start has nothing to close. */
    @Override
    public void close() {
        T value;
        try {
            value = future.get();
        } catch (ExecutionException e) {
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            if (value != null) value.close();
        } catch (Exception e) {
            throw ReplicatorException.runtime("closing " + value + " failed: " + e.getMessage(), e);
        }
    }
}

package io.replicator.run;

import io.replicator.core.ReplicatorException;
import io.replicator.stream.KafkaTarget;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Opens Kafka ({@link KafkaTarget}) on its own thread, so that an embedded broker starts while the command checks
 * capture and the snapshot state. {@link #await} hands the target over; close stops an embedded broker even when the
 * command failed before it asked for it.
 */
public final class KafkaStart implements AutoCloseable {
    private final CompletableFuture<KafkaTarget> future = new CompletableFuture<>();

    private KafkaStart(String flag, Path stateDir) {
        Thread t = new Thread(() -> {
            try {
                future.complete(KafkaTarget.open(flag, stateDir));
            } catch (RuntimeException | Error e) {
                future.completeExceptionally(e);
            }
        }, "kafka-start");
        t.setDaemon(true);
        t.start();
    }

    public static KafkaStart begin(String flag, Path stateDir) {
        return new KafkaStart(flag, stateDir);
    }

    /** The opened target; throws what opening it threw. */
    public KafkaTarget await() throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw ReplicatorException.runtime("cannot open Kafka: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        try {
            future.get().close();
        } catch (ExecutionException failedToOpen) {
            // nothing was opened
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

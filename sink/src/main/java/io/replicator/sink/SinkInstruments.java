package io.replicator.sink;

import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * How the process running a sink watches the sink's clients without the sink knowing a metrics library: HikariCP's
 * own tracker factory for the connection pool, and a hook called with the Kafka consumer once it is open. The
 * default, {@link #NONE}, watches nothing and costs nothing (the pool then has no tracker at all).
 *
 * <p>Invariant: the {@link Binding} returned by {@link #consumerOpened} is closed before the consumer is, on the
 * sink's own thread, so nothing reads a closed consumer's metrics.
 */
public interface SinkInstruments {
    /** Watches nothing. */
    SinkInstruments NONE = new SinkInstruments() { };

    /** HikariCP's metrics tracker for the sink's pool; null for none. */
    default MetricsTrackerFactory poolTracker() {
        return null;
    }

    /** Called on the sink's thread with its consumer right after it is created. */
    default Binding consumerOpened(Consumer<?, ?> consumer) {
        return Binding.NONE;
    }

    /** What {@link #consumerOpened} set up; closed with the consumer. */
    interface Binding extends AutoCloseable {
        Binding NONE = () -> { };

        @Override
        void close();
    }
}

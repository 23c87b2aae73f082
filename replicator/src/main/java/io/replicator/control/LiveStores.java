package io.replicator.control;

import io.replicator.metrics.ProcessMeters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The stores of a fleet that stream in this process now, each as its {@link Replicator}, and the process's one
 * registry of meters they share. A store registers from its own thread once its feed and sink run, and its
 * {@link Registration} is closed from that thread when it stops for any reason; request threads read meanwhile.
 *
 * <p>Invariants: one registration per store name at a time; once a registration is closed, no request finds that
 * store and none of its meters (labelled {@code store=<name>}) is left in the registry, so a store that stopped or left
 * the fleet has no series in the next scrape.
 */
public final class LiveStores implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveStores.class);

    private final ProcessMeters meters = new ProcessMeters();
    private final Map<String, Replicator> streaming = new ConcurrentHashMap<>();
    private final Object scrapeLock = new Object();
    /** One scrape shared for {@value Replicator#STATUS_TTL_MS} ms, as for a single store (see {@link Replicator#scrape}). */
    private final Recent<String> scrape = new Recent<>(Replicator.STATUS_TTL_MS, this::scrapeNow);

    /** Ends a store's registration: closing it deregisters the store and removes its meters. Closing twice does nothing more. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** The registry every store's meters go into; JVM and process meters are in it once. */
    public ProcessMeters meters() {
        return meters;
    }

    /** {@code store} streams now; its requests go to {@code replicator} until the registration is closed. */
    public Registration register(String store, Replicator replicator) {
        Replicator before = streaming.putIfAbsent(store, replicator);
        if (before != null) {
            replicator.close();
            throw new IllegalStateException("store " + store + " is registered twice with the control plane");
        }
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (!closed.compareAndSet(false, true)) return;
            streaming.remove(store, replicator);
            try {
                replicator.close();
            } finally {
                int n = meters.removeStore(store);
                scrape.invalidate(); // a shared scrape from before must not show the store again
                LOG.debug("store {} deregistered; {} meter(s) removed", store, n);
            }
        };
    }

    /** The store's replicator while it streams, else null. */
    public Replicator get(String store) {
        return streaming.get(store);
    }

    /** Any streaming store, to check what all stores share (PostgreSQL, Kafka); null when none streams. */
    Replicator any() {
        return streaming.values().stream().findFirst().orElse(null);
    }

    /** The Prometheus text of every store and of the process; each store's position gauges show one reading. */
    public String scrape() {
        return scrape.get();
    }

    private String scrapeNow() {
        synchronized (scrapeLock) {
            for (Map.Entry<String, Replicator> e : streaming.entrySet()) {
                try {
                    e.getValue().showPositions();
                } catch (RuntimeException ex) { // SQLite busy, or the store stopping now: its gauges keep the last reading
                    LOG.debug("positions of store {} not read for this scrape: {}", e.getKey(), ex.getMessage());
                }
            }
            return meters.scrape();
        }
    }

    @Override
    public void close() {
        meters.close();
    }
}

package io.replicator.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Adds the {@code store} label to HikariCP's meters, which carry only {@code pool}: each store's sink names its pool
 * when the pool starts ({@link ClientMeters#poolTracker}), which is when this learns the pool's store. Thread-safe:
 * stores start and stop on their own threads while a scrape runs.
 */
final class PoolLabels implements MeterFilter {
    private static final String POOL = "pool";
    private final Map<String, String> storeByPool = new ConcurrentHashMap<>();

    void label(String pool, String store) {
        storeByPool.put(pool, store);
    }

    void forget(String store) {
        storeByPool.values().removeIf(store::equals);
    }

    @Override
    public Meter.Id map(Meter.Id id) {
        if (!id.getName().startsWith("hikaricp") || id.getTag(PipelineMeters.STORE) != null) return id;
        String pool = id.getTag(POOL);
        String store = pool == null ? null : storeByPool.get(pool);
        return store == null ? id : id.withTag(Tag.of(PipelineMeters.STORE, store));
    }
}

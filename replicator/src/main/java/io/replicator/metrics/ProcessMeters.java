package io.replicator.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.List;

/**
 * The process's one Prometheus registry, with what belongs to the process rather than to a store: the JVM (memory,
 * GC, threads, class loading: {@code jvm_*}), the process and system (uptime, CPU, open file descriptors:
 * {@code process_*}, {@code system_*}) and {@link BuildInfo} ({@code replicator_build_info}). Per-store meters
 * ({@link PipelineMeters}, {@link ClientMeters}) register into the same registry with a {@code store} label.
 * Created before the feed and the sink so that their clients are watched from their first connection.
 *
 * <p>In a fleet one instance serves every store: a store's meters are {@link #removeStore removed} when it stops,
 * so a store that left the fleet leaves no series behind. HikariCP labels its meters by pool only; the pool's
 * store label is added here ({@link PoolLabels}), so that every per-store series carries {@code store}.
 */
public final class ProcessMeters implements AutoCloseable {
    /**
     * Meters named so describe a store of a fleet as listed, not its pipeline ({@code replicator_store_failed}, ...): they
     * stay while the store is listed, also when it stopped, and are not removed by {@link #removeStore}.
     */
    public static final String LISTED_PREFIX = "replicator.store.";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final PoolLabels pools = new PoolLabels();

    public ProcessMeters() {
        registry.config().meterFilter(pools); // before any meter: a filter applies to meters registered after it
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        BuildInfo b = BuildInfo.current();
        Gauge.builder("replicator.build.info", () -> 1).description("the replicator's version and the Java runtime; always 1")
                .tag("version", b.version()).tag("java", b.java()).register(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Labels the meters of the HikariCP pool {@code pool} with {@code store} (call before the pool starts). */
    void labelPool(String pool, String store) {
        pools.label(pool, store);
    }

    /**
     * Removes every meter labelled {@code store=<store>} (pipeline, Kafka clients, pool), except the
     * {@link #LISTED_PREFIX listed store's}: called when a store stops, so
     * that its series leave the next scrape. A meter registered afterwards by a client still closing is removed by
     * that client's own close (KafkaClientMetrics and HikariCP's tracker remove what they registered).
     *
     * @return how many meters were removed
     */
    public int removeStore(String store) {
        pools.forget(store);
        List<Meter> mine = registry.getMeters().stream().filter(m -> store.equals(m.getId().getTag(PipelineMeters.STORE)))
                .filter(m -> !m.getId().getName().startsWith(LISTED_PREFIX)).toList();
        mine.forEach(registry::remove);
        return mine.size();
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}

package io.replicator.fleet;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.replicator.metrics.PipelineMeters;
import io.replicator.metrics.ProcessMeters;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Two gauges per store the stores file lists: {@code replicator_store_running{store}} (1 while it runs: snapshot or streaming) and
 * {@code replicator_store_failed{store}} (1 once it failed, until it starts again). A store's pipeline series leave the
 * scrape when it stops ({@link ProcessMeters#removeStore}); without these, a failed store would show as no series at
 * all, which no {@code == 0} alert sees. They are removed when the store leaves the file. Called from the fleet's
 * thread only; the gauges are read by scrapes on any thread.
 */
final class ListedMeters {
    private final MeterRegistry registry;
    /** The store's run now (a store started again has a new one), null once it is no longer listed. */
    private final Function<String, StoreRun> runOf;
    private final Map<String, List<Meter>> meters = new HashMap<>();

    ListedMeters(MeterRegistry registry, Function<String, StoreRun> runOf) {
        this.registry = registry;
        this.runOf = runOf;
    }

    /** The stores listed now: gauges for the ones new to the list, none left for the ones gone. */
    void list(Set<String> names) {
        for (String gone : meters.keySet().stream().filter(n -> !names.contains(n)).toList()) meters.remove(gone).forEach(registry::remove);
        for (String name : names) {
            meters.computeIfAbsent(name, n -> List.of(
                    Gauge.builder(ProcessMeters.LISTED_PREFIX + "running", () -> state(n, StoreRun.Outcome.RUNNING))
                            .tag(PipelineMeters.STORE, n).description("1 while the store is listed and running (snapshot or streaming), else 0")
                            .register(registry),
                    Gauge.builder(ProcessMeters.LISTED_PREFIX + "failed", () -> state(n, StoreRun.Outcome.FAILED))
                            .tag(PipelineMeters.STORE, n).description("1 once the store failed (its line and /stores/<name>/health say why), else 0")
                            .register(registry)));
        }
    }

    private int state(String name, StoreRun.Outcome outcome) {
        StoreRun r = runOf.apply(name);
        return r != null && r.outcome() == outcome ? 1 : 0;
    }
}

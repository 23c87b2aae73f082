package io.replicator.control;

import io.replicator.core.PostgresUrl;
import io.replicator.status.Positions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a fleet's control plane answers, built from the fleet's {@link FleetRoster} (which stores are listed and how
 * each run stands) and its {@link LiveStores} (the ones streaming now). Every answer reads the roster once and takes
 * each store's replicator once, so a store that stops in the middle of a request is shown as it was when read, never
 * half. No password: failures are redacted, and the reports it includes redact their PostgreSQL URL.
 */
public final class FleetBoard {
    private final FleetRoster roster;
    private final LiveStores live;

    public FleetBoard(FleetRoster roster, LiveStores live) {
        this.roster = roster;
        this.live = live;
    }

    /** {"stores": [{"name", "schema", "priority", "outcome", "streaming", "failure", "exit_code"}]} */
    Map<String, Object> stores() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (FleetRoster.Listed l : roster.listed()) out.add(entry(l, live.get(l.name()) != null));
        return Map.of("stores", out);
    }

    /**
     * The fleet's summary: each store's entry (as {@link #stores}) with, while it streams, its positions from one
     * reading ("captured_seq", "published_seq", "applied_seq", "lag_changes", "lag_seconds"), and a count of stores
     * by outcome.
     */
    Map<String, Object> summary() {
        List<Map<String, Object>> out = new ArrayList<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (FleetRoster.Listed l : roster.listed()) {
            Replicator r = live.get(l.name());
            Map<String, Object> e = entry(l, r != null);
            Positions p = null;
            if (r != null) {
                try {
                    p = r.positions();
                } catch (RuntimeException ex) {
                    e.put("positions_error", PostgresUrl.redactRaw(ex.getMessage()));
                }
            }
            e.put("captured_seq", p == null ? null : p.captured());
            e.put("published_seq", p == null ? null : p.published());
            e.put("applied_seq", p == null ? null : p.applied());
            e.put("lag_changes", p == null ? null : p.lagChanges());
            e.put("lag_seconds", p == null || Double.isNaN(p.lagSeconds()) ? null : p.lagSeconds());
            out.add(e);
            counts.merge(l.outcome(), 1, Integer::sum);
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("stores", out);
        s.put("outcomes", counts);
        s.put("read_at_ms", System.currentTimeMillis());
        return s;
    }

    /** The fleet's health ({@link FleetHealth#ofFleet}): PostgreSQL and Kafka checked once, each store's own parts. */
    Map<String, Object> health() {
        Map<String, Map<String, Object>> stores = new LinkedHashMap<>();
        for (FleetRoster.Listed l : roster.listed()) {
            Replicator r = live.get(l.name());
            stores.put(l.name(), FleetHealth.ofStore(l, r == null ? null : r.storeHealth()));
        }
        Replicator any = live.any();
        return FleetHealth.ofFleet(any == null ? Map.of() : any.sharedChecks(), stores);
    }

    /** The listed store of that name. */
    Optional<FleetRoster.Listed> find(String name) {
        return roster.listed().stream().filter(l -> l.name().equals(name)).findFirst();
    }

    /** Why {@code name} is not found, with the names that are. */
    String unknown(String name) {
        return "no store '" + name + "' in the fleet; the stores file lists: "
                + roster.listed().stream().map(FleetRoster.Listed::name).collect(Collectors.joining(", "));
    }

    /** The store's replicator while it streams, else null. */
    Replicator streaming(FleetRoster.Listed store) {
        return live.get(store.name());
    }

    /**
     * The store's {@code /status}: while it streams, the single store's report with live positions; otherwise its
     * stored status ({@code status --json}); either way after its entry ({@link #stores}).
     */
    Map<String, Object> status(FleetRoster.Listed store) {
        Replicator r = live.get(store.name());
        Map<String, Object> s = entry(store, r != null);
        try {
            s.putAll(r != null ? r.status() : store.stored().get());
        } catch (RuntimeException e) {
            s.put("status_error", PostgresUrl.redactRaw(e.getMessage()));
        }
        return s;
    }

    /** The store's health: all its checks (PostgreSQL and Kafka too) while it streams; else why it does not. */
    Map<String, Object> health(FleetRoster.Listed store) {
        Replicator r = live.get(store.name());
        return FleetHealth.ofStore(store, r == null ? null : r.health());
    }

    /** The store's lag samples ({@code /lag}); none while it does not stream (the history starts when it streams). */
    Map<String, Object> lag(FleetRoster.Listed store) {
        Replicator r = live.get(store.name());
        return ControlController.lagJson(r == null ? List.of() : r.lagHistory());
    }

    String scrape() {
        return live.scrape();
    }

    private static Map<String, Object> entry(FleetRoster.Listed l, boolean streaming) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("name", l.name());
        e.put("schema", l.schema());
        e.put("priority", l.priority());
        e.put("outcome", l.outcome());
        e.put("streaming", streaming);
        e.put("failure", l.failure() == null ? null : PostgresUrl.redactRaw(l.failure()));
        e.put("exit_code", l.exitCode());
        return e;
    }
}

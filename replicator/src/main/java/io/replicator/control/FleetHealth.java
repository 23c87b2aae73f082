package io.replicator.control;

import io.replicator.core.PostgresUrl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The health of a fleet's stores, and of the fleet, in one wording. A store is {@code UP} while it streams and every
 * check of its own passes; {@code CUT_OVER} once its cutover is recorded (done on purpose, so it fails nothing);
 * otherwise {@code DOWN} with the reason: its failure and exit code, "stopped", or "not streaming yet" while it waits
 * for its snapshot turn or copies. The fleet is {@code UP} only when PostgreSQL and Kafka are reachable and no listed
 * store is {@code DOWN}; its answer names the stores that are. Pure: the checks are run by the caller.
 */
final class FleetHealth {
    static final String UP = "UP";
    static final String DOWN = "DOWN";

    private FleetHealth() {}

    /**
     * One store's health.
     *
     * @param live the store's checks while it streams ({"status", "checks"} from {@link Replicator#health}), else null
     */
    static Map<String, Object> ofStore(FleetRoster.Listed store, Map<String, Object> live) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("store", store.name());
        h.put("outcome", store.outcome());
        if (live != null) {
            h.putAll(live);
            return h;
        }
        switch (store.outcome()) {
            case FleetRoster.Listed.CUT_OVER -> {
                h.put("status", FleetRoster.Listed.CUT_OVER);
                h.put("reason", "cut over: PostgreSQL is the database of record, nothing is left to replicate");
            }
            case FleetRoster.Listed.FAILED -> {
                h.put("status", DOWN);
                h.put("reason", PostgresUrl.redactRaw(store.failure()));
                h.put("exit_code", store.exitCode());
            }
            case FleetRoster.Listed.RUNNING -> {
                h.put("status", DOWN);
                h.put("reason", "not streaming yet: waiting for its snapshot turn, or copying");
            }
            default -> {
                h.put("status", DOWN);
                h.put("reason", "stopped");
            }
        }
        return h;
    }

    /** True when {@code health} (from {@link #ofStore}) counts against the fleet. */
    static boolean failing(Map<String, Object> health) {
        return DOWN.equals(health.get("status"));
    }

    /**
     * The fleet's health: {"status", "checks" (PostgreSQL, Kafka), "down" (the failing stores' names), "stores" (each
     * store's health by name)}.
     *
     * @param shared the checks every store shares; empty when no store streams (nothing to check them with)
     */
    static Map<String, Object> ofFleet(Map<String, Object> shared, Map<String, Map<String, Object>> stores) {
        List<String> down = new ArrayList<>();
        stores.forEach((name, h) -> {
            if (failing(h)) down.add(name);
        });
        boolean up = down.isEmpty() && shared.values().stream().allMatch("up"::equals);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("status", up ? UP : DOWN);
        f.put("checks", shared);
        f.put("down", down);
        f.put("stores", stores);
        return f;
    }
}

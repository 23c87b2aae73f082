package io.replicator.control;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FleetHealthTest {
    private static FleetRoster.Listed store(String name, String outcome) {
        return new FleetRoster.Listed(name, name, "P2", outcome, outcome.equals("FAILED") ? "boom" : null, outcome.equals("FAILED") ? 3 : null, Map::of);
    }

    private static Map<String, Object> up() {
        return Replicator.verdict(new LinkedHashMap<>(Map.of("sqlite", "up", "feed", "up", "sink", "up")));
    }

    @Test
    void upOnlyWhenEveryStoreStreamsHealthyAndTheSharedChecksPass() {
        Map<String, Map<String, Object>> stores = new LinkedHashMap<>();
        stores.put("a", FleetHealth.ofStore(store("a", "RUNNING"), up()));
        stores.put("b", FleetHealth.ofStore(store("b", "RUNNING"), up()));
        assertEquals("UP", FleetHealth.ofFleet(Map.of("postgres", "up", "kafka", "up"), stores).get("status"));
        assertEquals("DOWN", FleetHealth.ofFleet(Map.of("postgres", "down: refused", "kafka", "up"), stores).get("status"));
    }

    @Test
    void aStoreWithACheckDownIsNamed() {
        Map<String, Map<String, Object>> stores = new LinkedHashMap<>();
        stores.put("a", FleetHealth.ofStore(store("a", "RUNNING"), up()));
        stores.put("b", FleetHealth.ofStore(store("b", "RUNNING"), Replicator.verdict(new LinkedHashMap<>(Map.of("sink", "down: retrying")))));
        stores.put("c", FleetHealth.ofStore(store("c", "FAILED"), null));
        stores.put("d", FleetHealth.ofStore(store("d", "STOPPED"), null));
        stores.put("e", FleetHealth.ofStore(store("e", "CUT_OVER"), null));
        Map<String, Object> f = FleetHealth.ofFleet(Map.of(), stores);
        assertEquals("DOWN", f.get("status"));
        assertEquals(List.of("b", "c", "d"), f.get("down"));
        assertEquals(3, stores.get("c").get("exit_code"));
        assertEquals("boom", stores.get("c").get("reason"));
    }
}

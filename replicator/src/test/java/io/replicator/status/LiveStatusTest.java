package io.replicator.status;

import io.replicator.capture.CaptureStatus;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@code /status} of a running process: every position in it comes from the one live reading, none from the stored
 * report built up to 250 ms earlier. Regression test for "captured 7956" (stored) beside "applied 8576" (live).
 */
class LiveStatusTest {
    private static Map<String, Object> stored() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("schema", "app");
        r.put("captured_seq", 7956L);
        r.put("changelog_rows", 10L);
        r.put("published_seq", 7950L);
        r.put("phase", "streaming");
        r.put("applied_seq", 7900L);
        r.put("apply_lag_changes", 56L);
        r.put("apply_lag_ms", 120L);
        r.put("last_batch_read_from_sqlite_ms", 1_000L);
        r.put("lag_events", 6L);
        return r;
    }

    @Test
    void everyPositionFromTheLiveReading() {
        Positions p = Positions.of(8600, 8590, 8576, 9_000, 9_500);
        Map<String, Object> r = LiveStatus.overlay(stored(), new LivePositions.Reading(p, new CaptureStatus("id", 3, 8600, 700, 7901)), 5, 6, 0, false);
        assertEquals(8600L, r.get("captured_seq"));
        assertEquals(8590L, r.get("published_seq"));
        assertEquals(8576L, r.get("applied_seq"));
        assertEquals(24L, r.get("apply_lag_changes"));
        assertEquals(500L, r.get("apply_lag_ms"));
        assertEquals(10L, r.get("lag_events"));
        assertEquals(700L, r.get("changelog_rows"));
        assertEquals(7901L, r.get("changelog_oldest_seq"));
        assertEquals("streaming", r.get("phase"), "the stored parts stay");
        @SuppressWarnings("unchecked")
        Map<String, Object> running = (Map<String, Object>) r.get("running");
        assertEquals(8590L, running.get("published_seq"));
        assertEquals(8576L, running.get("applied_seq"));
        assertEquals(6L, running.get("applied_events"));
    }

    @Test
    void beforeTheSinkReadItsPositionTheStoredOneStandsIn() {
        // the sink has not read its position yet (-1): the stored one, read before the live reading, is used
        Positions p = Positions.of(7960, 7800, -1, 0, 9_500);
        Map<String, Object> r = LiveStatus.overlay(stored(), new LivePositions.Reading(p, new CaptureStatus("id", 3, 7960, 60, 7901)), 0, 0, 0, false);
        assertEquals(7960L, r.get("captured_seq"));
        assertEquals(7900L, r.get("applied_seq"));
        assertEquals(7900L, r.get("published_seq"), "published raised to the applied position");
        assertEquals(60L, r.get("apply_lag_changes"));
        assertEquals(8_500L, r.get("apply_lag_ms"), "from the stored batch time");
        assertEquals(60L, r.get("lag_events"));
    }

    @Test
    void aStoredAppliedPositionNewerThanTheReadingIsCappedAtItsCapturedPosition() {
        Positions p = Positions.of(7850, 7800, -1, 0, 9_500);
        Map<String, Object> r = LiveStatus.overlay(stored(), new LivePositions.Reading(p, new CaptureStatus("id", 3, 7850, 60, 7801)), 0, 0, 0, false);
        assertEquals(7850L, r.get("applied_seq"));
        assertEquals(7850L, r.get("published_seq"));
        assertEquals(7850L, r.get("captured_seq"));
    }

    @Test
    void unknownLagStaysUnknown() {
        Map<String, Object> s = stored();
        Positions p = Positions.of(8000, 7990, 7980, 0, 9_500);
        Map<String, Object> r = LiveStatus.overlay(s, new LivePositions.Reading(p, new CaptureStatus("id", 3, 8000, 60, 7901)), 0, 0, 0, false);
        assertNull(r.get("apply_lag_ms"));
    }
}

package io.replicator.status;

import io.replicator.capture.CaptureStatus;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /status} of a running process: the stored report ({@link StatusReport}) with every position replaced by one
 * live {@link LivePositions.Reading}, taken after the stored report was read. Without the overlay the stored and the
 * live positions came from different moments (a stored captured position beside a newer live applied one). Before the
 * sink has read its own position, the stored applied position stands in, capped at the reading's captured position
 * (the two readings are shared for up to 250 ms each, so either may be the older).
 */
public final class LiveStatus {
    private LiveStatus() {}

    public static Map<String, Object> overlay(Map<String, Object> stored, LivePositions.Reading reading, long publishedEvents, long appliedEvents,
                                              long deadLettered, boolean replaying) {
        Positions live = reading.positions();
        Positions p = live;
        if (live.applied() < 0 && stored.get("applied_seq") instanceof Number n) {
            Object ts = stored.get("last_batch_read_from_sqlite_ms");
            // a shared reading may be up to 250 ms older than the stored report: PostgreSQL has at least the smaller
            long applied = Math.min(n.longValue(), live.captured());
            p = Positions.of(live.captured(), live.published(), applied, ts instanceof Number t ? t.longValue() : 0, live.atMs(), live.caughtUpAtMs());
        }
        CaptureStatus cap = reading.capture();
        Map<String, Object> r = new LinkedHashMap<>(stored);
        r.put("capture_installed", cap.installed());
        r.put("captured_tables", cap.tables());
        r.put("captured_seq", p.captured());
        r.put("changelog_rows", cap.changelogRows());
        r.put("changelog_oldest_seq", cap.oldestSeq());
        if (r.containsKey("applied_seq")) {
            r.put("applied_seq", p.applied());
            r.put("apply_lag_changes", p.lagChanges());
            r.put("apply_lag_ms", p.lagMs());
        }
        r.put("published_seq", p.published());
        r.put("lag_events", p.unpublished());
        r.put("positions_read_at_ms", p.atMs());
        Map<String, Object> running = new LinkedHashMap<>();
        running.put("published_seq", p.published());
        running.put("published_events", publishedEvents);
        running.put("applied_seq", p.applied());
        running.put("applied_events", appliedEvents);
        running.put("dead_lettered", deadLettered);
        running.put("replaying", replaying);
        r.put("running", running);
        return r;
    }
}

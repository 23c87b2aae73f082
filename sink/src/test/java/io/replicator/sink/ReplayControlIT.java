package io.replicator.sink;

import io.replicator.state.SinkState;

import io.replicator.core.testing.TestPostgres;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Replay requests against a real PostgreSQL position row. */
class ReplayControlIT {
    /**
     * Regression: the request counted as taken up while the sink still reported the position it replays from back,
     * so `replay` (waiting for {@code !replaying() && appliedSeq() >= end}) could stop waiting before anything was
     * re-applied.
     */
    @Test
    void aReplayIsTakenUpOnlyOnceItsPositionIsReported() throws Exception {
        String schema = TestPostgres.freshSchema("rewind");
        SinkProgress progress = new SinkProgress();
        ReplayControl replay = new ReplayControl();
        try (Connection c = TestPostgres.connect()) {
            c.setAutoCommit(false);
            SinkState.ensure(c);
            SinkState.reset(c, schema, "topic", 150, 42);
            c.commit();
            progress.positionRead(150);
            replay.request(10, Set.of("a"));
            assertTrue(replay.replaying());
            replay.rewind(c, schema, "topic", 150, progress);
            assertFalse(replay.requested());
            assertEquals(10, progress.appliedSeq(), "reported before the request is gone");
            assertEquals(10, SinkState.read(c, schema).seq());
            assertEquals(-1, SinkState.read(c, schema).kafkaOffset(), "read again by changelog position");
            assertEquals(new CommitRule.ReplayLimit(150, Set.of("a")), replay.limit());
            assertTrue(replay.replaying(), "the table-limited replay runs until 150");
            replay.ended(new CommitRule.ReplayEnded(150, Set.of("a")));
            assertFalse(replay.replaying());
            // a replay from at or past where PostgreSQL is re-applies nothing
            replay.request(150, null);
            replay.rewind(c, schema, "topic", 150, progress);
            assertFalse(replay.replaying());
            assertNull(replay.limit());
            assertEquals(10, SinkState.read(c, schema).seq(), "the position stays");
        }
    }
}

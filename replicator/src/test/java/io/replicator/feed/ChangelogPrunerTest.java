package io.replicator.feed;

import io.replicator.capture.CaptureInstaller;
import io.replicator.capture.CaptureSchema;
import io.replicator.core.testing.SqliteApp;
import io.replicator.core.sqlite.SqliteSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pruning deletes in bounded transactions and never waits on the application for long. */
class ChangelogPrunerTest {
    @TempDir
    Path dir;

    private static long scalar(Path db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void yieldsAtOnceToAnApplicationHoldingTheLockAndPrunesOnItsNextTurn() throws Exception {
        Path db = SqliteApp.rollbackJournalFile(dir, "prune.db");
        SqliteSource source = SqliteSource.of(db.toString());
        new CaptureInstaller(source).install();
        source.switchToWal();
        SqliteApp.exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000) INSERT INTO app_item (v) SELECT i FROM n");
        long max = scalar(db, "SELECT max(seq) FROM " + CaptureSchema.CHANGELOG);
        assertEquals(12_000, max);
        try (ChangelogPruner pruner = new ChangelogPruner(source, 0, 5_000)) {
            long now = System.currentTimeMillis();
            pruner.observed(now, max);
            try (SqliteApp.LockHolder app = new SqliteApp.LockHolder(db, Duration.ofMinutes(5)).awaitTaken()) {
                long t0 = System.nanoTime();
                assertEquals(0, pruner.prune(max, now), "nothing deleted while the application holds the lock");
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(ms < 1_000, "pruning yielded within its short busy timeout, not the 30 s of the tool's other writes: " + ms + " ms");
            }
            assertEquals(max, pruner.prune(max, now), "on its next turn it deletes every published row, in chunks");
        }
        assertEquals(1, scalar(db, "SELECT count(*) FROM " + CaptureSchema.CHANGELOG), "the held transaction's row, not published yet, stays");
        assertEquals(max + 1, scalar(db, "SELECT min(seq) FROM " + CaptureSchema.CHANGELOG));
    }
}

package io.replicator.snapshot.load;

import io.replicator.core.sqlite.SqliteSource;
import io.replicator.core.testing.SqliteApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The snapshot's readers start on one same commit without taking SQLite's write lock in WAL mode. */
class ConsistentReadIT {
    @TempDir
    Path dir;

    private static String view(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*), coalesce(max(id), 0), (SELECT n FROM app_counter) FROM app_item")) {
            rs.next();
            return rs.getLong(1) + "/" + rs.getLong(2) + "/" + rs.getLong(3);
        }
    }

    @Test
    void readersSeeOneInstantWhileTheApplicationCommitsAndNoTransactionFails() throws Exception {
        Path db = SqliteApp.rollbackJournalFile(dir, "live.db");
        SqliteSource source = SqliteSource.of(db.toString());
        source.switchToWal();
        try (SqliteApp.Writer app = new SqliteApp.Writer(db, 1000, Duration.ZERO)) {
            app.awaitCommits(20, Duration.ofSeconds(30));
            for (int round = 0; round < 200; round++) {
                try (ConsistentRead read = ConsistentRead.open(source, 4, true)) {
                    Set<String> views = new HashSet<>();
                    for (int i = 0; i < read.size(); i++) views.add(view(read.reader(i)));
                    assertEquals(1, views.size(), "all readers see the same commit: " + views);
                }
            }
            app.awaitCommits(20, Duration.ofSeconds(30));
            assertEquals(Map.of(), app.failures());
        }
    }

    @Test
    void readersAreAlignedWithoutWaitingForAnApplicationHoldingTheWriteLock() throws Exception {
        Path db = SqliteApp.rollbackJournalFile(dir, "held.db");
        SqliteSource source = SqliteSource.of(db.toString());
        source.switchToWal();
        try (SqliteApp.LockHolder app = new SqliteApp.LockHolder(db, Duration.ofMinutes(5)).awaitTaken()) {
            long t0 = System.nanoTime();
            try (ConsistentRead read = ConsistentRead.open(source, 3, true)) {
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(0, read.fenceMillis(), "no fence");
                assertTrue(ms < 5_000, "did not wait for the application's write transaction: " + ms + " ms");
                assertEquals("0/0/0", view(read.reader(2)), "and sees what was committed");
            }
        }
    }
}

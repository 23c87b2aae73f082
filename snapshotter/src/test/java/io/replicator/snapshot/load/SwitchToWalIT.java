package io.replicator.snapshot.load;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.core.testing.SqliteApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --rollback-journal=switch-to-wal} on a file an application is writing. SQLite's
 * {@code PRAGMA journal_mode=WAL} does not wait for another writer, whatever the busy timeout; the switch must.
 */
class SwitchToWalIT {
    @TempDir
    Path dir;

    private static String mode(SqliteSource source) throws Exception {
        try (Connection c = source.openReadOnly()) {
            return SqliteSource.journalMode(c);
        }
    }

    @Test
    void switchSucceedsWhileTheApplicationCommits200TransactionsASecond() throws Exception {
        Path db = SqliteApp.rollbackJournalFile(dir, "live.db");
        SqliteSource source = SqliteSource.of(db.toString());
        // each transaction keeps the write lock 2 ms: the lock is taken about 40 % of the time
        try (SqliteApp.Writer app = new SqliteApp.Writer(db, 200, Duration.ofMillis(2))) {
            app.awaitCommits(20, Duration.ofSeconds(30));
            assertEquals("wal", source.switchToWal());
            app.awaitCommits(20, Duration.ofSeconds(30)); // and the application goes on
            assertEquals(Map.of(), app.failures(), "no application transaction failed");
        }
        assertEquals("wal", mode(source));
    }

    @Test
    void switchWaitsForAWriteLockHeldTwoSecondsThenSucceeds() throws Exception {
        Path db = SqliteApp.rollbackJournalFile(dir, "held.db");
        SqliteSource source = SqliteSource.of(db.toString());
        try (SqliteApp.LockHolder app = new SqliteApp.LockHolder(db, Duration.ofSeconds(2)).awaitTaken()) {
            long t0 = System.nanoTime();
            assertEquals("wal", source.switchToWal());
            long done = System.nanoTime();
            assertTrue(app.committedAt() != 0 && app.committedAt() < done, "the switch happened after the application's transaction committed");
            assertTrue(done - t0 < 20_000_000_000L, "and soon after: " + (done - t0) / 1_000_000 + " ms");
            assertNull(app.join(), "the application's transaction committed");
        }
        assertEquals("wal", mode(source));
        assertEquals(1, SqliteApp.items(db), "the application's row is there");
    }

    @Test
    void switchGivesUpAfterTheBusyTimeoutNamingTheFileTheWaitAndWhatToDo() throws Exception {
        Path db = SqliteApp.rollbackJournalFile(dir, "stuck.db");
        SqliteSource source = SqliteSource.of(db.toString()).withBusyTimeout(Duration.ofMillis(500));
        try (SqliteApp.LockHolder app = new SqliteApp.LockHolder(db, Duration.ofMinutes(5)).awaitTaken()) {
            long t0 = System.nanoTime();
            ReplicatorException e = assertThrows(ReplicatorException.class, source::switchToWal);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 500 && ms < 10_000, "gave up after the busy timeout: " + ms + " ms");
            assertEquals(ExitCode.RUNTIME, e.exitCode());
            String m = e.getMessage();
            assertTrue(m.startsWith("cannot switch to WAL " + db.toAbsolutePath()), m);
            assertTrue(m.contains("whole busy timeout (waited 0.5 s") || m.contains("whole busy timeout (waited 0.6 s"), m);
            assertTrue(m.contains("Nothing was changed") && m.contains("fuser -v " + db.toAbsolutePath())
                    && m.contains("--sqlite-busy-timeout (now 500ms)"), m);
            app.release();
            assertNull(app.join(), "the application's transaction still commits");
        }
        assertEquals("delete", mode(source), "the file was left as it was");
    }
}

package io.replicator.feed;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ChangeHint} on real SQLite files: a commit by another connection is always seen; quiet files are read again in time. */
class ChangeHintTest {
    @TempDir
    Path dir;

    @Test
    void aCommitInWalModeIsSeenAndQuietFilesAreStillReadAfterTheBound() throws Exception {
        check("wal");
    }

    @Test
    void aCommitInRollbackJournalModeIsSeen() throws Exception {
        check("delete");
    }

    private void check(String journalMode) throws Exception {
        Path db = dir.resolve("app-" + journalMode + ".db");
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = app.createStatement()) {
            s.execute("PRAGMA journal_mode=" + journalMode);
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            ChangeHint hint = new ChangeHint(db, 1_000);
            long settle = ChangeHint.SETTLE_MS;
            long now = 1_000_000;
            assertTrue(hint.readDue(now), "the first look reads");
            assertTrue(hint.readDue(now + settle), "and every look while the first change settles");
            assertFalse(hint.readDue(now + settle + 1), "unchanged files after the settle time: no read");
            now += 2 * settle;
            for (int i = 0; i < 50; i++) { // commits back to back, each looked for after the last one settled: every one is seen
                s.execute("INSERT INTO t (v) VALUES ('" + i + "')");
                assertTrue(hint.readDue(now), "commit " + i + " in " + journalMode + " mode must make a read due");
                assertTrue(hint.readDue(now + settle), "reads go on while the commit may not be visible yet");
                assertFalse(hint.readDue(now + settle + 1), "and then stop until the next change");
                now += 2 * settle;
            }
            assertFalse(hint.readDue(now + 500), "quiet files within the bound: no read");
            assertTrue(hint.readDue(now + 1_000 + settle + 2), "quiet files are read again once the bound passed");
            hint.reset();
            assertTrue(hint.readDue(now + 1_000 + settle + 3), "after a reset the next look reads");
        }
    }
}

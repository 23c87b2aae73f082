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
            ChangeHint hint = new ChangeHint(db, 100);
            long now = 1_000_000;
            assertTrue(hint.readDue(now), "the first look reads");
            assertFalse(hint.readDue(now + 5), "unchanged files within the bound: no read");
            for (int i = 0; i < 50; i++) { // commits back to back, each looked for at once: every one must be seen
                s.execute("INSERT INTO t (v) VALUES ('" + i + "')");
                assertTrue(hint.readDue(now + 6 + i), "commit " + i + " in " + journalMode + " mode must make a read due");
                assertFalse(hint.readDue(now + 6 + i), "and then nothing more until the next change");
            }
            assertTrue(hint.readDue(now + 6 + 49 + 100), "quiet files are read again once the bound passed");
            hint.reset();
            assertTrue(hint.readDue(now + 6 + 49 + 101), "after a reset the next look reads");
        }
    }
}

package io.replicator.snapshot;

import io.replicator.core.testing.Await;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.translate.types.ConflictPolicy;
import io.replicator.snapshot.load.SnapshotReport;
import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.core.sqlite.SqliteSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The copy reads one consistent picture of SQLite even with several tables read in parallel by several
 * connections, and the application's writers keep committing while it runs.
 */
class ConsistentSnapshotIT {
    @TempDir
    Path dir;

    @Test
    void parallelCopyUnderAWriterSeesOneInstantAndDoesNotBlockTheWriter() throws Exception {
        Path f = SqliteFiles.create(dir, "live.db",
                "CREATE TABLE a (id INTEGER PRIMARY KEY, pad TEXT)",
                "CREATE TABLE b (id INTEGER PRIMARY KEY, pad TEXT)",
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) INSERT INTO a SELECT i, hex(randomblob(40)) FROM n",
                "INSERT INTO b SELECT id, pad FROM a");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong commits = new AtomicLong();
        AtomicReference<Throwable> writerError = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f)) {
                try (Statement s = c.createStatement()) {
                    s.execute("PRAGMA busy_timeout = 5000");
                }
                long id = 1_000_000;
                try (PreparedStatement pa = c.prepareStatement("INSERT INTO a VALUES (?, 'w')");
                     PreparedStatement pb = c.prepareStatement("INSERT INTO b VALUES (?, 'w')")) {
                    while (!stop.get()) {
                        c.setAutoCommit(false);
                        pa.setLong(1, ++id);
                        pa.executeUpdate();
                        pb.setLong(1, id);
                        pb.executeUpdate();
                        c.commit();
                        c.setAutoCommit(true);
                        commits.incrementAndGet();
                    }
                }
            } catch (Throwable t) {
                writerError.set(t);
            }
        }, "app-writer");
        writer.start();
        Await.until("the application committed 10 transactions", Duration.ofSeconds(30), () -> commits.get() >= 10 || writerError.get() != null,
                () -> "at " + commits.get() + ", writer error " + writerError.get());
        assertNull(writerError.get(), () -> "the application's writer failed: " + writerError.get());
        String schema = TestPostgres.freshSchema("live");
        long before = commits.get();
        SnapshotReport r = Snap.snapshot(f, schema, JournalPolicy.REFUSE, List.of(), ConflictPolicy.REFUSE, false);
        long during = commits.get() - before;
        stop.set(true);
        writer.join(10_000);
        assertNull(writerError.get(), () -> "the application's writer failed: " + writerError.get());
        assertTrue(during > 0, "the application kept committing during the snapshot (" + during + " commits in " + r.seconds() + " s)");
        assertTrue(r.fenceMillis() < 2000, "writers were held off only to align the readers: " + r.fenceMillis() + " ms");
        try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM \"" + schema + "\".a), (SELECT count(*) FROM \"" + schema + "\".b), "
                     + "(SELECT count(*) FROM \"" + schema + "\".a FULL JOIN \"" + schema + "\".b USING (id) WHERE a.id IS NULL OR b.id IS NULL)")) {
            rs.next();
            assertEquals(rs.getLong(1), rs.getLong(2), "both tables come from the same instant");
            assertEquals(0, rs.getLong(3), "every id written to a in a transaction is in b too");
            assertTrue(rs.getLong(1) >= 200_010);
        }
    }

    @Test
    void rollbackJournalFileIsSwitchedToWalOnRequest() throws Exception {
        Path f = SqliteFiles.copyOf("chinook.sqlite", dir);
        String schema = TestPostgres.freshSchema("wal");
        SnapshotReport r = Snap.snapshot(f, schema, JournalPolicy.SWITCH_TO_WAL, List.of(), ConflictPolicy.REFUSE, false);
        assertEquals("wal", r.journalMode());
        try (Connection c = SqliteSource.of(f.toString()).openReadOnly()) {
            assertEquals("wal", SqliteSource.journalMode(c), "the switch is persistent");
        }
        assertTrue(Snap.verify(f, schema).equal());
    }
}

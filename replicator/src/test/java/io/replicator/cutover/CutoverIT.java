package io.replicator.cutover;

import io.replicator.core.testing.Await;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.sink.Sink;
import io.replicator.sink.SinkSettings;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.stream.ChangeFeed;
import io.replicator.stream.FeedSettings;
import io.replicator.testing.TestKafka;
import io.replicator.testing.TestReplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cutover under a live writer: every write either landed in PostgreSQL or was refused with the fence message; an aborted cutover leaves SQLite writable. */
class CutoverIT {
    @TempDir
    Path dir;

    /** An application inserting rows (AUTOINCREMENT ids) as fast as it can, one transaction each. */
    static final class Writer implements AutoCloseable {
        final Set<Long> landed = ConcurrentHashMap.newKeySet();
        final AtomicLong refused = new AtomicLong();
        final AtomicReference<String> otherError = new AtomicReference<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread thread;

        Writer(Path db) {
            thread = new Thread(() -> {
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
                     PreparedStatement ins = c.prepareStatement("INSERT INTO t (v) VALUES ('live')")) {
                    s.execute("PRAGMA busy_timeout = 10000");
                    while (!stop.get()) {
                        try {
                            ins.executeUpdate();
                            try (ResultSet rs = s.executeQuery("SELECT last_insert_rowid()")) {
                                rs.next();
                                landed.add(rs.getLong(1));
                            }
                        } catch (SQLException e) {
                            if (String.valueOf(e.getMessage()).contains("moved to PostgreSQL")) refused.incrementAndGet();
                            else otherError.compareAndSet(null, e.toString());
                        }
                        Thread.sleep(1);
                    }
                } catch (Exception e) {
                    otherError.compareAndSet(null, e.toString());
                }
            }, "app-writer");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(10_000);
        }
    }

    private record Setup(Path db, String schema, FeedSettings fs) {}

    private Setup setup(String name) throws Exception {
        Path db = SqliteFiles.create(dir, name + ".db", "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT)",
                "INSERT INTO t (v) SELECT 'seed' FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) SELECT i FROM n)");
        String schema = TestPostgres.freshSchema(name);
        return new Setup(db, schema, TestReplication.prepare(db, schema, dir.resolve("state-" + name), TestPostgres.target()));
    }

    private static Cutover cutover(Setup s, Cutover.VerifyMode verify) {
        return new Cutover(SqliteSource.of(s.db().toString()), TestPostgres.target(), s.schema(),
                new Cutover.Options(Duration.ofSeconds(20), 1_000_000, verify, null, false));
    }

    private static long pgCount(String schema, String where) throws Exception {
        try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM \"" + schema + "\".t" + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void underALiveWriterEveryWriteLandedOrWasRefused() throws Exception {
        Setup s = setup("cut");
        Cutover.Result r;
        Writer w;
        try (ChangeFeed feed = ChangeFeed.start(s.fs(), TestKafka.bootstrap());
             Sink sink = Sink.start(SinkSettings.of(TestKafka.bootstrap(), s.fs().topic(), s.schema(), TestPostgres.target()))) {
            w = new Writer(s.db());
            Writer writer = w;
            // the application writes while replicating: rows landed in SQLite and the sink applies them
            Await.until("the application wrote more than 100 rows and the sink applied some", Duration.ofSeconds(30),
                    () -> (writer.landed.size() > 100 && sink.appliedSeq() > 0) || writer.otherError.get() != null || sink.failure() != null,
                    () -> writer.landed.size() + " rows written, sink at " + sink.appliedSeq());
            assertNull(writer.otherError.get(), "no write failed for another reason");
            assertNull(sink.failure());
            r = cutover(s, Cutover.VerifyMode.FULL).run();
            // the application keeps trying: once the cutover is done its next write meets the fence (asserted below)
            Await.until("a write after the cutover was refused with the fence message", Duration.ofSeconds(20),
                    () -> !r.done() || writer.refused.get() > 0 || writer.otherError.get() != null || !writer.thread.isAlive(),
                    () -> "writer error " + writer.otherError.get());
            w.close();
            assertNull(sink.failure());
        }
        assertTrue(r.done(), "cutover done: " + r.reason());
        assertTrue(r.verify().equal());
        assertNull(w.otherError.get(), "no write failed for another reason");
        assertTrue(w.refused.get() > 0, "writes after the fence were refused with the fence message");
        assertTrue(w.landed.size() > 100, "the application wrote while replicating: " + w.landed.size());
        assertEquals(1000 + w.landed.size(), pgCount(s.schema(), ""), "every write that SQLite accepted is in PostgreSQL");
        System.out.println("cutover write pause: " + r.writePauseMs() + " ms");
        try (Connection pg = TestPostgres.connect(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("INSERT INTO \"" + s.schema() + "\".t (v) VALUES ('first write in PostgreSQL') RETURNING id")) {
            rs.next();
            long max = w.landed.stream().mapToLong(Long::longValue).max().orElse(1000);
            assertTrue(rs.getLong(1) > max, "identities continue after the copied maximum: " + rs.getLong(1) + " > " + max);
        }
        try (Connection pg = TestPostgres.connect(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT status, final_seq FROM replicator.cutover WHERE target_schema = '" + s.schema() + "'")) {
            rs.next();
            assertEquals("done", rs.getString(1));
            assertEquals(r.finalSeq(), rs.getLong(2));
        }
    }

    @Test
    void aFailedVerificationLiftsTheFenceAndReplicationGoesOn() throws Exception {
        Setup s = setup("abort");
        try (ChangeFeed feed = ChangeFeed.start(s.fs(), TestKafka.bootstrap());
             Sink sink = Sink.start(SinkSettings.of(TestKafka.bootstrap(), s.fs().topic(), s.schema(), TestPostgres.target()))) {
            try (Connection pg = TestPostgres.connect(); Statement st = pg.createStatement()) {
                st.execute("DELETE FROM \"" + s.schema() + "\".t WHERE id = 7"); // PostgreSQL damaged behind the replicator's back
            }
            // the cutover needs a running sink: one that holds its schema's lock (taken before it reads its position)
            Await.until("the sink holds its schema and read its position", Duration.ofSeconds(30),
                    () -> sink.appliedSeq() >= 0 || sink.failure() != null, () -> "sink failure " + sink.failure());
            assertNull(sink.failure());
            Cutover.Result r = cutover(s, Cutover.VerifyMode.FULL).run();
            assertFalse(r.done());
            assertTrue(r.reason().contains("verification found differences"), r.reason());
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + s.db()); Statement st = c.createStatement()) {
                st.execute("INSERT INTO t (id, v) VALUES (5000, 'after the aborted cutover')"); // SQLite accepts writes again
            }
            long deadline = System.currentTimeMillis() + 20_000;
            while (pgCount(s.schema(), " WHERE id = 5000") == 0 && System.currentTimeMillis() < deadline) Thread.sleep(50);
            assertEquals(1, pgCount(s.schema(), " WHERE id = 5000"), "replication goes on after the abort");
        }
        try (Connection pg = TestPostgres.connect(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT status, reason FROM replicator.cutover WHERE target_schema = '" + s.schema() + "'")) {
            rs.next();
            assertEquals("aborted", rs.getString(1));
        }
    }
}

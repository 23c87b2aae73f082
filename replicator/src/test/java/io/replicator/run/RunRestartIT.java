package io.replicator.run;

import io.replicator.capture.CaptureInstaller;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.verify.Verifier;
import io.replicator.stream.FeedOffsets;
import io.replicator.testing.ReplicatorProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Restart is resume, across JVMs: {@link #STARTS} starts of {@code run} in new processes, stopped alternately by SIGTERM and
 * SIGKILL, under an application that never stops writing, with the changelog pruned as soon as Kafka has a change
 * ({@code --changelog-retention 0}). Each start must resume at the position the previous process committed
 * (read from the state file before the start); a start that missed it would publish again from the snapshot
 * mark, or stop at a pruned gap. Regression test for the feed missing its position on about half of all starts.
 */
class RunRestartIT {
    private static final Pattern STARTS_AFTER = Pattern.compile("starts after changelog seq (\\d+)");
    /** 8 in the default suite; {@code -Pfaults} runs 20 ({@code faults.restarts}). */
    private static final int STARTS = Integer.parseInt(System.getProperty("faults.restarts", "8").strip());
    /** What the JVM exits with after a SIGTERM once its shutdown hooks have run (128 + 15). */
    private static final int SIGTERM_EXIT = 143;

    @TempDir
    Path dir;

    @Test
    void twentyRestartsUnderAWriterEachResumeAtTheCommittedPosition() throws Exception {
        Path db = SqliteFiles.create(dir, "restart.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, at INTEGER)");
        String schema = TestPostgres.freshSchema("restart");
        Path state = dir.resolve("state");
        String captureId;
        List<String> timings = new ArrayList<>();
        try (Writer w = new Writer(db)) {
            for (int i = 0; i < STARTS; i++) {
                OptionalLong stored = FeedOffsets.committed(state.resolve("feed-offsets.dat"), captureId(db));
                long t0 = System.nanoTime();
                ReplicatorProcess run = ReplicatorProcess.run(dir, db, schema, state, null, "--changelog-retention", "0", "--prune-interval", "200ms");
                run.awaitOutput("starts after changelog seq", 120);
                long startedMs = (System.nanoTime() - t0) / 1_000_000;
                Matcher m = STARTS_AFTER.matcher(run.output());
                assertTrue(m.find());
                long startedAt = Long.parseLong(m.group(1));
                if (stored.isPresent()) {
                    assertEquals(stored.getAsLong(), startedAt, "start " + i + " resumes at the position the previous process committed:\n" + run.tail(10));
                } else {
                    assertEquals(0, i, "only the first start has no stored position");
                }
                long target = ReplicatorProcess.maxSeq(db);
                ReplicatorProcess.awaitApplied(schema, target, 60, run); // it streams: PostgreSQL gets past what was written before this start
                boolean kill = i % 2 == 1;
                if (kill) run.kill();
                else assertEquals(SIGTERM_EXIT, run.stop(), run.tail(10));
                assertTrue(!run.output().contains("gap") && !run.output().contains("error:"), "start " + i + " ran without error:\n" + run.tail(10));
                timings.add(String.format("start %d after %s: feed at seq %d after %d ms", i, i == 0 ? "-" : (i % 2 == 0 ? "SIGKILL" : "SIGTERM"), startedAt, startedMs));
            }
            assertNull(w.error.get(), "the application's writes never failed");
        }
        System.out.println(String.join("\n", timings));
        long end = ReplicatorProcess.maxSeq(db);
        ReplicatorProcess last = ReplicatorProcess.run(dir, db, schema, state, null, "--changelog-retention", "0", "--prune-interval", "200ms");
        try {
            ReplicatorProcess.awaitApplied(schema, end, 120, last);
        } finally {
            assertEquals(SIGTERM_EXIT, last.stop(), last.tail(10));
        }
        assertTrue(new Verifier(SqliteSource.of(db.toString()), TestPostgres.target(), schema, 10).run().equal(), "PostgreSQL ends equal to SQLite");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM _replicator_changelog")) {
            rs.next();
            assertTrue(rs.getLong(1) <= 1000, "pruning kept the changelog short: " + rs.getLong(1) + " rows");
        }
    }

    private static String captureId(Path db) throws Exception {
        try (Connection c = SqliteSource.of(db.toString()).openReadOnly()) {
            return CaptureInstaller.captureId(c);
        }
    }

    /** The application: about 100 small transactions a second (inserts and updates), for as long as the test runs. */
    private static final class Writer implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final AtomicLong commits = new AtomicLong();
        final Thread thread;

        Writer(Path db) {
            thread = new Thread(() -> {
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
                    try (Statement s = c.createStatement()) {
                        s.execute("PRAGMA busy_timeout = 30000");
                    }
                    try (PreparedStatement ins = c.prepareStatement("INSERT INTO t (v, at) VALUES (?, ?)");
                         PreparedStatement upd = c.prepareStatement("UPDATE t SET v = v + 1 WHERE id = ?")) {
                        for (long i = 1; !stop.get(); i++) {
                            ins.setLong(1, i);
                            ins.setLong(2, System.currentTimeMillis());
                            ins.executeUpdate();
                            upd.setLong(1, 1 + i / 2);
                            upd.executeUpdate();
                            commits.incrementAndGet();
                            Thread.sleep(10);
                        }
                    }
                } catch (Throwable t) {
                    error.set(t);
                }
            }, "app-writer");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
        }
    }
}

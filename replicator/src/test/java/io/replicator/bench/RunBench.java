package io.replicator.bench;

import io.replicator.capture.CaptureInstaller;
import io.replicator.core.PostgresUrl;
import io.replicator.kafka.EmbeddedKafka;
import io.replicator.sink.Sink;
import io.replicator.sink.SinkState;
import io.replicator.snapshot.load.SnapshotOptions;
import io.replicator.snapshot.load.SnapshotProgress;
import io.replicator.snapshot.load.Snapshotter;
import io.replicator.snapshot.plan.PlanOptions;
import io.replicator.snapshot.source.JournalPolicy;
import io.replicator.snapshot.source.SqliteSource;
import io.replicator.stream.ChangeFeed;
import io.replicator.stream.FeedSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The main job's benchmark, all real in one JVM (SQLite + triggers, feed, embedded broker, sink, local
 * PostgreSQL):
 * <ol>
 * <li>apply throughput: R row changes already in Kafka, the time for the sink to apply them all;</li>
 * <li>lag: an application commits N transactions per second (an insert and two updates each); for every
 * inserted row, the time from its COMMIT returning to the row being visible to a PostgreSQL reader
 * (p50/p95/p99); then the time for lag to reach zero after the writes stop.</li>
 * </ol>
 * Usage: RunBench POSTGRES_URL [txPerSecond=1000] [seconds=20] [applyRows=500000]
 */
public final class RunBench {
    /** A failure in a helper thread (reader, writer): the figures of that run would be wrong, so the bench fails. */
    private static final java.util.concurrent.atomic.AtomicReference<Exception> FAILURE = new java.util.concurrent.atomic.AtomicReference<>();

    private static void checkHelpers() throws Exception {
        Exception e = FAILURE.get();
        if (e != null) throw e;
    }

    public static void main(String[] args) throws Exception {
        PostgresUrl pg = PostgresUrl.parse(args[0]);
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int rows = args.length > 3 ? Integer.parseInt(args[3]) : 500_000;
        Path dir = Files.createTempDirectory("run-bench");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            throughput(pg, kafka, dir, rows);
            lag(pg, kafka, dir, rate, seconds);
            cutover(pg, kafka, dir, rate, io.replicator.cutover.Cutover.VerifyMode.NONE);
            cutover(pg, kafka, dir, rate, io.replicator.cutover.Cutover.VerifyMode.FULL);
        }
    }

    private static Path database(Path dir, String name, PostgresUrl pg, String schema) throws Exception {
        Path db = dir.resolve(name);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, amount REAL, payload TEXT)");
            s.execute("CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
            s.execute("INSERT INTO counters VALUES (1, 0), (2, 0)");
        }
        new CaptureInstaller(SqliteSource.of(db.toString())).install();
        try (Connection c = pg.connect("bench"); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            s.execute("CREATE SCHEMA IF NOT EXISTS replicator");
            s.execute("DELETE FROM replicator.snapshot_run WHERE target_schema = '" + schema + "'");
            s.execute("DELETE FROM replicator.snapshot_table WHERE target_schema = '" + schema + "'");
        } catch (java.sql.SQLException ignored) {
            // first run: no state tables yet
        }
        new Snapshotter(SqliteSource.of(db.toString()), pg, new SnapshotOptions(PlanOptions.of(schema, List.of(), "refuse"), 2, JournalPolicy.REFUSE, true),
                SnapshotProgress.NONE).run();
        return db;
    }

    private static Sink sink(PostgresUrl pg, EmbeddedKafka kafka, FeedSettings fs, String schema) throws Exception {
        try (Connection c = pg.connect("bench")) {
            SinkState.ensure(c);
            SinkState.reset(c, schema, fs.topic(), 0, -1);
        }
        return Sink.start(new Sink.Settings(kafka.bootstrapServers(), fs.topic(), schema, pg, false, 20_000, 10));
    }

    static void throughput(PostgresUrl pg, EmbeddedKafka kafka, Path dir, int rows) throws Exception {
        String schema = "bench_apply";
        Path db = database(dir, "apply.db", pg, schema);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             PreparedStatement ins = c.prepareStatement("INSERT INTO events VALUES (?, 'order', ?, 'payload of a typical row')")) {
            c.setAutoCommit(false);
            for (int i = 1; i <= rows; i++) {
                ins.setLong(1, i);
                ins.setDouble(2, i * 0.01);
                ins.executeUpdate();
                if (i % 1000 == 0) c.commit();
            }
            c.commit();
        }
        FeedSettings fs = FeedSettings.defaults(db, 0, dir.resolve("state-apply"));
        try (ChangeFeed feed = ChangeFeed.start(fs, kafka.bootstrapServers())) {
            while (feed.publishedSeq() < rows) if (feed.await(Duration.ofMillis(20))) throw feed.failure();
        }
        long start = System.nanoTime();
        try (Sink s = sink(pg, kafka, fs, schema)) {
            while (s.appliedSeq() < rows) if (s.await(Duration.ofMillis(5))) throw s.failure();
            double sec = (System.nanoTime() - start) / 1e9;
            System.out.printf("apply: %d row changes applied to PostgreSQL (read from Kafka, committed with the position) in %.2f s = %.0f row changes/s%n",
                    rows, sec, rows / sec);
        }
    }

    static void lag(PostgresUrl pg, EmbeddedKafka kafka, Path dir, int rate, int seconds) throws Exception {
        String schema = "bench_lag";
        Path db = database(dir, "lag.db", pg, schema);
        int n = rate * seconds;
        long[] committedAt = new long[n + 1];
        long[] visibleAt = new long[n + 1];
        FeedSettings fs = FeedSettings.defaults(db, 0, dir.resolve("state-lag"));
        try (ChangeFeed feed = ChangeFeed.start(fs, kafka.bootstrapServers()); Sink sink = sink(pg, kafka, fs, schema)) {
            Thread.sleep(1000);
            boolean[] stop = {false};
            Thread reader = new Thread(() -> {
                try (Connection c = pg.connect("bench-reader"); PreparedStatement q = c.prepareStatement("SELECT coalesce(max(id), 0) FROM " + schema + ".events")) {
                    long seen = 0;
                    while (!stop[0]) {
                        try (ResultSet rs = q.executeQuery()) {
                            rs.next();
                            long max = rs.getLong(1);
                            long now = System.nanoTime();
                            for (long i = seen + 1; i <= max && i <= n; i++) visibleAt[(int) i] = now;
                            seen = Math.max(seen, max);
                        }
                        LockSupport.parkNanos(1_000_000);
                    }
                } catch (Exception e) {
                    FAILURE.compareAndSet(null, e);
                }
            }, "pg-reader");
            reader.start();
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                 PreparedStatement ins = c.prepareStatement("INSERT INTO events VALUES (?, 'order', 12.5, 'payload of a typical row')");
                 PreparedStatement upd = c.prepareStatement("UPDATE counters SET n = n + 1 WHERE id = ?")) {
                try (Statement s = c.createStatement()) {
                    s.execute("PRAGMA synchronous = NORMAL");
                }
                c.setAutoCommit(false);
                long start = System.nanoTime(), interval = 1_000_000_000L / rate;
                for (int i = 1; i <= n; i++) {
                    long wait = start + i * interval - System.nanoTime();
                    if (wait > 0) LockSupport.parkNanos(wait);
                    ins.setLong(1, i);
                    ins.executeUpdate();
                    upd.setLong(1, 1);
                    upd.executeUpdate();
                    upd.setLong(1, 2);
                    upd.executeUpdate();
                    c.commit();
                    committedAt[i] = System.nanoTime();
                }
                double el = (System.nanoTime() - start) / 1e9;
                System.out.printf("lag: wrote %d transactions (3 rows each) in %.1f s (%.0f tx/s)%n", n, el, n / el);
            }
            long stopped = System.nanoTime();
            long maxSeq;
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT max(seq) FROM _replicator_changelog")) {
                rs.next();
                maxSeq = rs.getLong(1);
            }
            while (sink.appliedSeq() < maxSeq || visibleAt[n] == 0) {
                if (System.nanoTime() - stopped > 30_000_000_000L) throw new IllegalStateException("lag did not reach zero in 30 s");
                LockSupport.parkNanos(500_000);
            }
            double zero = (System.nanoTime() - stopped) / 1e6;
            stop[0] = true;
            reader.join();
            checkHelpers();
            int warm = Math.min(n, rate * 5);
            long[] lat = new long[n - warm];
            for (int i = warm + 1; i <= n; i++) lat[i - warm - 1] = visibleAt[i] - committedAt[i];
            Arrays.sort(lat);
            System.out.printf("lag: commit in SQLite -> visible in PostgreSQL, %d transactions after a 5 s warm-up: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    lat.length, p(lat, 50), p(lat, 95), p(lat, 99), lat[lat.length - 1] / 1e6);
            System.out.printf("lag: after the last commit, lag was zero (PostgreSQL at the changelog's end) in %.0f ms%n", zero);
        }
    }

    /** The write pause of a cutover while the application commits {@code rate} transactions a second (100,000 rows in the table). */
    static void cutover(PostgresUrl pg, EmbeddedKafka kafka, Path dir, int rate, io.replicator.cutover.Cutover.VerifyMode verify) throws Exception {
        String schema = "bench_cutover_" + verify.name().toLowerCase();
        Path seeded = dir.resolve("cutover-" + verify.name().toLowerCase() + ".db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + seeded); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, amount REAL, payload TEXT)");
            s.execute("CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
            s.execute("INSERT INTO counters VALUES (1, 0), (2, 0)");
            s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) INSERT INTO events SELECT i, 'seed', i * 0.5, 'payload of a typical row' FROM n");
        }
        new CaptureInstaller(SqliteSource.of(seeded.toString())).install();
        try (Connection c = pg.connect("bench"); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            s.execute("DELETE FROM replicator.snapshot_run WHERE target_schema = '" + schema + "'");
            s.execute("DELETE FROM replicator.snapshot_table WHERE target_schema = '" + schema + "'");
            s.execute("CREATE TABLE IF NOT EXISTS replicator.cutover (target_schema text PRIMARY KEY, status text, final_seq bigint, write_pause_ms bigint, at timestamptz, reason text)");
            s.execute("DELETE FROM replicator.cutover WHERE target_schema = '" + schema + "'");
        }
        new Snapshotter(SqliteSource.of(seeded.toString()), pg, new SnapshotOptions(PlanOptions.of(schema, List.of(), "refuse"), 2, JournalPolicy.REFUSE, true),
                SnapshotProgress.NONE).run();
        FeedSettings fs = FeedSettings.defaults(seeded, 0, dir.resolve("state-" + schema));
        long[] refused = {0}, landed = {0};
        boolean[] stop = {false};
        try (ChangeFeed feed = ChangeFeed.start(fs, kafka.bootstrapServers()); Sink sink = sink(pg, kafka, fs, schema)) {
            Thread writer = new Thread(() -> {
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + seeded); Statement st = c.createStatement();
                     PreparedStatement ins = c.prepareStatement("INSERT INTO events (kind, amount, payload) VALUES ('order', 1.5, 'live')")) {
                    st.execute("PRAGMA synchronous = NORMAL");
                    st.execute("PRAGMA busy_timeout = 5000");
                    long start = System.nanoTime(), interval = 1_000_000_000L / rate;
                    for (long i = 1; !stop[0]; i++) {
                        long wait = start + i * interval - System.nanoTime();
                        if (wait > 0) LockSupport.parkNanos(wait);
                        try {
                            ins.executeUpdate();
                            landed[0]++;
                        } catch (java.sql.SQLException e) {
                            refused[0]++;
                        }
                    }
                } catch (Exception e) {
                    FAILURE.compareAndSet(null, e);
                }
            }, "bench-writer");
            writer.start();
            Thread.sleep(5000);
            io.replicator.cutover.Cutover.Result r = new io.replicator.cutover.Cutover(SqliteSource.of(seeded.toString()), pg, schema,
                    new io.replicator.cutover.Cutover.Options(Duration.ofSeconds(30), 100_000, verify, null)).run();
            Thread.sleep(500);
            stop[0] = true;
            writer.join();
            checkHelpers();
            System.out.printf("cutover: verify=%s, %d-row table, writer at %d tx/s: %s, write pause %d ms (%d writes landed, %d refused by the fence)%n",
                    verify.name().toLowerCase(), 100_000, rate, r.done() ? "done" : "aborted: " + r.reason(), r.writePauseMs(), landed[0], refused[0]);
        }
    }

    private static double p(long[] sorted, double pct) {
        int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(pct / 100.0 * sorted.length) - 1));
        return sorted[i] / 1e6;
    }
}

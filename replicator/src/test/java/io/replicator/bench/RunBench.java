package io.replicator.bench;

import io.replicator.capture.CaptureInstaller;
import io.replicator.core.PostgresUrl;
import io.replicator.cutover.Cutover;
import io.replicator.stream.EmbeddedKafka;
import io.replicator.sink.Sink;
import io.replicator.sink.SinkSettings;
import io.replicator.state.SinkState;
import io.replicator.snapshot.load.SnapshotOptions;
import io.replicator.snapshot.load.SnapshotProgress;
import io.replicator.snapshot.load.Snapshotter;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.stream.ChangeFeed;
import io.replicator.stream.FeedSettings;
import io.replicator.stream.FeedTopic;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The main job's benchmark, all real in one JVM (SQLite + triggers, feed, embedded broker, sink, local
 * PostgreSQL). Parts, chosen with {@code --parts} (default {@code apply,lag,cutover}):
 * <ul>
 * <li>apply: R row changes already in Kafka, the time for the sink to apply them all;</li>
 * <li>lag: an application commits N transactions per second (an insert and two updates each); for every
 * inserted row, the time from its COMMIT returning to the row being visible to a PostgreSQL reader
 * (p50/p95/p99); then the time for lag to reach zero after the writes stop. One run per rate of {@code --rates};</li>
 * <li>max-rate: the offered load doubled step by step, then bisected, until lag keeps growing over a step;
 * the highest rate that held;</li>
 * <li>burst: steady load, a burst at a high rate, steady again; lag sampled every 100 ms into a CSV;</li>
 * <li>cutover: a table of {@code --cutover-rows} rows, a writer at N tx/s, then a cutover per verify mode:
 * the write pause, the writes that landed and those the fence refused.</li>
 * </ul>
 * Every figure is also printed as one {@code result {json}} line (see {@link BenchResult}).
 * <p>
 * Usage: RunBench POSTGRES_URL [txPerSecond=1000] [seconds=20] [applyRows=500000] [--parts LIST]
 * [--rates R,R,..] [--warmup S] [--step-seconds S] [--start-rate R] [--rate-limit R] [--refine K]
 * [--burst-base R] [--burst-rate R] [--burst-before S] [--burst-seconds S] [--burst-after S] [--samples CSV]
 * [--cutover-rows N] [--cutover-verify none,full]
 */
public final class RunBench {
    /** A failure in a helper thread (reader, writer): the figures of that run would be wrong, so the bench fails. */
    private static final AtomicReference<Exception> FAILURE = new AtomicReference<>();
    /** No progress for this long means the run hangs: fail it (with where it stood) rather than wait for the outer timeout. */
    private static final long STALL_NANOS = 60_000_000_000L;
    private static final Set<String> PARTS = Set.of("apply", "lag", "max-rate", "burst", "cutover");
    private static final Set<String> OPTIONS = Set.of("parts", "rates", "warmup", "step-seconds", "start-rate", "rate-limit", "refine",
            "burst-base", "burst-rate", "burst-before", "burst-seconds", "burst-after", "samples", "cutover-rows", "cutover-verify");

    private static void checkHelpers() throws Exception {
        Exception e = FAILURE.get();
        if (e != null) throw e;
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs a = BenchArgs.parse(argv, OPTIONS, Set.of());
        PostgresUrl pg = PostgresUrl.parse(a.positional(0, (String) null));
        int rate = a.positional(1, 1000);
        int seconds = a.positional(2, 20);
        int rows = a.positional(3, 500_000);
        List<String> parts = a.parts("parts", List.of("apply", "lag", "cutover"), PARTS);
        int warmup = a.integer("warmup", 5);
        if (warmup >= seconds) throw new IllegalArgumentException("--warmup (" + warmup + " s) must be shorter than the run (" + seconds + " s)");
        Path dir = Files.createTempDirectory("run-bench");
        List<String> failed = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            if (parts.contains("apply")) part("apply", failed, () -> throughput(pg, kafka, dir, rows));
            if (parts.contains("lag")) {
                for (int r : a.integers("rates", List.of(rate))) part("lag at " + r + " tx/s", failed, () -> lag(pg, kafka, dir, r, seconds, warmup));
            }
            if (parts.contains("max-rate")) {
                part("max-rate", failed, () -> maxRate(pg, kafka, dir, a.integer("start-rate", 500), a.integer("rate-limit", 64_000),
                        a.integer("step-seconds", 10), a.integer("refine", 2)));
            }
            if (parts.contains("burst")) {
                part("burst", failed, () -> burst(pg, kafka, dir, a.integer("burst-base", 500), a.integer("burst-rate", 10_000), a.integer("burst-before", 10),
                        a.integer("burst-seconds", 10), a.integer("burst-after", 20), Path.of(a.string("samples", dir.resolve("burst.csv").toString()))));
            }
            if (parts.contains("cutover")) {
                int table = a.integer("cutover-rows", 100_000);
                for (String v : a.parts("cutover-verify", List.of("none", "full"), Set.of("none", "full"))) {
                    part("cutover verify=" + v, failed, () -> cutover(pg, kafka, dir, rate, table, Cutover.VerifyMode.valueOf(v.toUpperCase(Locale.ROOT))));
                }
            }
        }
        if (!failed.isEmpty()) throw new IllegalStateException("parts failed: " + String.join(", ", failed));
    }

    private interface Part {
        void run() throws Exception;
    }

    /** Runs one part; a failure is printed ("failed: PART: why") and recorded, and the next part still runs. */
    private static void part(String name, List<String> failed, Part p) {
        FAILURE.set(null);
        try {
            p.run();
        } catch (Exception e) {
            failed.add(name);
            System.out.println("failed: " + name + ": " + e);
            e.printStackTrace();
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
        return Sink.start(SinkSettings.builder(kafka.bootstrapServers(), fs.topic(), schema, pg).poolSize(10).build());
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
            long last = -1, lastMoved = System.nanoTime();
            while (s.appliedSeq() < rows) {
                if (s.await(Duration.ofMillis(5))) throw s.failure();
                if (s.appliedSeq() != last) {
                    last = s.appliedSeq();
                    lastMoved = System.nanoTime();
                } else if (System.nanoTime() - lastMoved > STALL_NANOS) {
                    throw new IllegalStateException("the sink applied nothing for " + STALL_NANOS / 1_000_000_000L + " s, at changelog seq " + last
                            + " of " + rows + " (all published; the topic's end offset is " + FeedTopic.endOffset(kafka.bootstrapServers(), fs.topic()) + ")");
                }
            }
            double sec = (System.nanoTime() - start) / 1e9;
            System.out.printf("apply: %d row changes applied to PostgreSQL (read from Kafka, committed with the position) in %.2f s = %.0f row changes/s%n",
                    rows, sec, rows / sec);
            BenchResult.of("run", "apply").put("row_changes", rows).put("seconds", sec).put("row_changes_per_s", rows / sec).emit();
        }
    }

    static void lag(PostgresUrl pg, EmbeddedKafka kafka, Path dir, int rate, int seconds, int warmupSeconds) throws Exception {
        String schema = "bench_lag";
        Path db = database(dir, "lag-" + rate + ".db", pg, schema);
        int n = rate * seconds;
        long[] visibleAt = new long[n + 1];
        FeedSettings fs = FeedSettings.defaults(db, 0, dir.resolve("state-lag-" + rate));
        try (ChangeFeed feed = ChangeFeed.start(fs, kafka.bootstrapServers()); Sink sink = sink(pg, kafka, fs, schema);
             RateWriter writer = new RateWriter(db)) {
            Thread.sleep(1000);
            AtomicBoolean stop = new AtomicBoolean();
            Thread reader = new Thread(() -> {
                try (Connection c = pg.connect("bench-reader"); PreparedStatement q = c.prepareStatement("SELECT coalesce(max(id), 0) FROM " + schema + ".events")) {
                    long seen = 0;
                    while (!stop.get()) {
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
            double achieved = writer.run(rate, seconds);
            System.out.printf("lag: wrote %d transactions (3 rows each) in %.1f s (%.0f tx/s)%n", n, n / achieved, achieved);
            long stopped = System.nanoTime();
            long maxSeq = (long) n * RateWriter.CHANGES_PER_TX;
            while (sink.appliedSeq() < maxSeq || visibleAt[n] == 0) {
                if (sink.await(Duration.ZERO)) throw sink.failure();
                if (System.nanoTime() - stopped > 30_000_000_000L) throw new IllegalStateException("lag did not reach zero in 30 s");
                checkHelpers();
                LockSupport.parkNanos(500_000);
            }
            double zero = (System.nanoTime() - stopped) / 1e6;
            stop.set(true);
            reader.join();
            checkHelpers();
            int warm = Math.min(n, rate * warmupSeconds);
            long[] lat = new long[n - warm];
            for (int i = warm + 1; i <= n; i++) lat[i - warm - 1] = visibleAt[i] - writer.committedAt(i);
            Arrays.sort(lat);
            System.out.printf("lag: commit in SQLite -> visible in PostgreSQL, %d transactions after a %d s warm-up: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    lat.length, warmupSeconds, p(lat, 50), p(lat, 95), p(lat, 99), lat[lat.length - 1] / 1e6);
            System.out.printf("lag: after the last commit, lag was zero (PostgreSQL at the changelog's end) in %.0f ms%n", zero);
            BenchResult.of("run", "lag").put("offered_tx_per_s", rate).put("achieved_tx_per_s", achieved).put("seconds", seconds)
                    .put("warmup_seconds", warmupSeconds).put("measured_tx", lat.length).put("p50_ms", p(lat, 50)).put("p95_ms", p(lat, 95))
                    .put("p99_ms", p(lat, 99)).put("max_ms", lat[lat.length - 1] / 1e6).put("zero_lag_after_ms", zero).emit();
        }
    }

    /** One step of the search for the highest sustained rate. */
    private record Step(int offered, double achieved, double slopeMsPerS, double endLagMs, boolean held) {
    }

    /**
     * The highest offered load the whole chain keeps up with. Each step writes at a fixed rate for
     * {@code stepSeconds} after lag went back to zero; it held when the writer reached 95 % of the rate, lag (ms)
     * over the step's second half grew by less than 50 ms per second (Theil-Sen slope; 50 ms/s is what a chain
     * about 5 % slower than the offered load shows), and the median lag of the step's last second was under 1 s. The rate doubles from {@code startRate} until a step fails (or {@code limit} is reached), then
     * {@code refine} bisections between the last rate that held and the first that failed.
     */
    static void maxRate(PostgresUrl pg, EmbeddedKafka kafka, Path dir, int startRate, int limit, int stepSeconds, int refine) throws Exception {
        String schema = "bench_max_rate";
        Path db = database(dir, "max-rate.db", pg, schema);
        FeedSettings fs = FeedSettings.defaults(db, 0, dir.resolve("state-max-rate"));
        List<Step> steps = new ArrayList<>();
        String limitedBy = "limit";
        try (ChangeFeed feed = ChangeFeed.start(fs, kafka.bootstrapServers()); Sink sink = sink(pg, kafka, fs, schema);
             RateWriter writer = new RateWriter(db); LagProbe probe = new LagProbe(db, sink, writer, 100)) {
            writer.run(startRate, 2); // warm-up: JIT of the whole chain, not counted
            int held = 0, failed = 0;
            int rate = startRate;
            while (true) {
                Step s = step(sink, writer, probe, rate, stepSeconds);
                steps.add(s);
                System.out.printf("max-rate: offered %d tx/s, achieved %.0f, lag slope %.0f ms/s, lag at the end %.0f ms: %s%n",
                        s.offered, s.achieved, s.slopeMsPerS, s.endLagMs, s.held ? "held" : "did not hold");
                if (s.held) held = Math.max(held, rate);
                else if (failed == 0 || rate < failed) failed = rate;
                if (!s.held && s.achieved < 0.95 * s.offered) limitedBy = "writer";
                else if (!s.held) limitedBy = "lag";
                if (failed == 0) {
                    if (rate >= limit) break;
                    rate = Math.min(limit, rate * 2);
                } else {
                    if (refine-- <= 0 || held == 0) break;
                    rate = (held + failed) / 2;
                }
            }
            BenchResult r = BenchResult.of("run", "max_rate").put("max_sustained_tx_per_s", held).put("first_failed_tx_per_s", failed)
                    .put("limited_by", held == 0 ? "no step held" : failed == 0 ? "limit" : limitedBy).put("step_seconds", stepSeconds)
                    .put("changes_per_tx", RateWriter.CHANGES_PER_TX);
            r.put("steps", steps.stream().map(s -> Map.of("offered_tx_per_s", s.offered, "achieved_tx_per_s", Math.round(s.achieved),
                    "lag_slope_ms_per_s", Math.round(s.slopeMsPerS), "end_lag_ms", Math.round(s.endLagMs), "held", s.held)).toList());
            System.out.printf("max-rate: highest offered load that held: %d tx/s (%d row changes/s)%n", held, held * RateWriter.CHANGES_PER_TX);
            r.emit();
        }
    }

    private static Step step(Sink sink, RateWriter writer, LagProbe probe, int rate, int stepSeconds) throws Exception {
        long drainStart = System.nanoTime();
        while (probe.last() == null || probe.last().lagChanges() > 0 || probe.last().atNanos() < drainStart) {
            if (sink.await(Duration.ofMillis(20))) throw sink.failure();
            if (System.nanoTime() - drainStart > 120_000_000_000L) throw new IllegalStateException("lag did not go back to zero in 120 s before the step at " + rate + " tx/s");
        }
        long start = System.nanoTime();
        double achieved = writer.run(rate, stepSeconds);
        long end = System.nanoTime();
        long half = start + (end - start) / 2;
        List<LagProbe.Sample> in = probe.samples().stream().filter(s -> s.atNanos() >= half && s.atNanos() <= end).toList();
        double slope = slope(in);
        double[] lastSecond = in.stream().filter(x -> x.atNanos() >= end - 1_000_000_000L).mapToDouble(LagProbe.Sample::lagMs).sorted().toArray();
        double endLag = lastSecond.length == 0 ? 0 : lastSecond[lastSecond.length / 2];
        boolean held = achieved >= 0.95 * rate && slope < 50 && endLag < 1000;
        return new Step(rate, achieved, slope, endLag, held);
    }

    /**
     * Slope of lag (ms) over time (s), Theil-Sen: the median of the slopes between every pair of samples, so a
     * single GC pause or slow commit near the end of a step does not read as lag that keeps growing.
     */
    private static double slope(List<LagProbe.Sample> s) {
        if (s.size() < 3) return 0;
        List<Double> slopes = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            for (int j = i + 1; j < s.size(); j++) {
                double dt = (s.get(j).atNanos() - s.get(i).atNanos()) / 1e9;
                if (dt > 0) slopes.add((s.get(j).lagMs() - s.get(i).lagMs()) / dt);
            }
        }
        slopes.sort(null);
        return slopes.get(slopes.size() / 2);
    }

    /**
     * Lag over time around a write burst: {@code base} tx/s for {@code before} s, {@code burstRate} for
     * {@code burstSeconds}, {@code base} again for {@code after} s. Lag sampled every 100 ms into {@code csv}
     * (t_s, lag_ms, lag_changes, captured_seq, applied_seq, phase), t from the start of the first phase.
     */
    static void burst(PostgresUrl pg, EmbeddedKafka kafka, Path dir, int base, int burstRate, int before, int burstSeconds, int after, Path csv) throws Exception {
        String schema = "bench_burst";
        Path db = database(dir, "burst.db", pg, schema);
        FeedSettings fs = FeedSettings.defaults(db, 0, dir.resolve("state-burst"));
        try (ChangeFeed feed = ChangeFeed.start(fs, kafka.bootstrapServers()); Sink sink = sink(pg, kafka, fs, schema);
             RateWriter writer = new RateWriter(db); LagProbe probe = new LagProbe(db, sink, writer, 100)) {
            writer.run(base, 2); // warm-up, not plotted
            long t0 = System.nanoTime();
            double aBefore = writer.run(base, before);
            long b0 = System.nanoTime();
            double aBurst = writer.run(burstRate, burstSeconds);
            long b1 = System.nanoTime();
            double aAfter = writer.run(base, after);
            long t1 = System.nanoTime();
            List<LagProbe.Sample> all = probe.samples().stream().filter(s -> s.atNanos() >= t0 && s.atNanos() <= t1).toList();
            Files.createDirectories(csv.toAbsolutePath().getParent());
            double peakMs = 0;
            long peakChanges = 0;
            double drainedAt = -1;
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv))) {
                w.println("t_s,lag_ms,lag_changes,captured_seq,applied_seq,phase");
                for (LagProbe.Sample s : all) {
                    String phase = s.atNanos() < b0 ? "before" : s.atNanos() < b1 ? "burst" : "after";
                    w.printf(Locale.ROOT, "%.3f,%.1f,%d,%d,%d,%s%n", (s.atNanos() - t0) / 1e9, s.lagMs(), s.lagChanges(), s.captured(), s.applied(), phase);
                    peakMs = Math.max(peakMs, s.lagMs());
                    peakChanges = Math.max(peakChanges, s.lagChanges());
                    if (s.atNanos() >= b1 && drainedAt < 0 && s.lagMs() < 1000 * 0.1) drainedAt = (s.atNanos() - b1) / 1e9;
                }
            }
            System.out.printf("burst: %d tx/s, %d s at %d tx/s (achieved %.0f), then %d tx/s: peak lag %.0f ms / %d changes; under 100 ms %.1f s after the burst; samples in %s%n",
                    base, burstSeconds, burstRate, aBurst, base, peakMs, peakChanges, drainedAt, csv);
            BenchResult.of("run", "burst").put("base_tx_per_s", base).put("burst_tx_per_s", burstRate).put("achieved_before", aBefore)
                    .put("achieved_burst", aBurst).put("achieved_after", aAfter).put("burst_start_s", (b0 - t0) / 1e9).put("burst_end_s", (b1 - t0) / 1e9)
                    .put("peak_lag_ms", peakMs).put("peak_lag_changes", peakChanges).put("under_100ms_after_burst_s", drainedAt < 0 ? null : drainedAt)
                    .put("samples", all.size()).put("csv", csv.toString()).emit();
        }
    }

    /** The write pause of a cutover while the application commits {@code rate} transactions a second ({@code tableRows} rows in the table). */
    static void cutover(PostgresUrl pg, EmbeddedKafka kafka, Path dir, int rate, int tableRows, Cutover.VerifyMode verify) throws Exception {
        String schema = "bench_cutover_" + verify.name().toLowerCase();
        Path seeded = dir.resolve("cutover-" + verify.name().toLowerCase() + ".db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + seeded); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, amount REAL, payload TEXT)");
            s.execute("CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
            s.execute("INSERT INTO counters VALUES (1, 0), (2, 0)");
            s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + tableRows + ") INSERT INTO events SELECT i, 'seed', i * 0.5, 'payload of a typical row' FROM n");
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
        AtomicBoolean stop = new AtomicBoolean();
        try (ChangeFeed feed = ChangeFeed.start(fs, kafka.bootstrapServers()); Sink sink = sink(pg, kafka, fs, schema)) {
            Thread writer = new Thread(() -> {
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + seeded); Statement st = c.createStatement();
                     PreparedStatement ins = c.prepareStatement("INSERT INTO events (kind, amount, payload) VALUES ('order', 1.5, 'live')")) {
                    st.execute("PRAGMA synchronous = NORMAL");
                    st.execute("PRAGMA busy_timeout = 5000");
                    long start = System.nanoTime(), interval = 1_000_000_000L / rate;
                    for (long i = 1; !stop.get(); i++) {
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
            writer.setDaemon(true);
            writer.start();
            Cutover.Result r;
            try {
                Thread.sleep(5000);
                r = new Cutover(SqliteSource.of(seeded.toString()), pg, schema,
                        new Cutover.Options(Duration.ofSeconds(30), 100_000, verify, null, false)).run();
                Thread.sleep(500);
            } finally {
                stop.set(true); // also when the cutover throws: a writer left running kept the JVM alive
                writer.join();
            }
            checkHelpers();
            System.out.printf("cutover: verify=%s, %d-row table, writer at %d tx/s: %s, write pause %d ms (%d writes landed, %d refused by the fence)%n",
                    verify.name().toLowerCase(), tableRows, rate, r.done() ? "done" : "aborted: " + r.reason(), r.writePauseMs(), landed[0], refused[0]);
            BenchResult.of("run", "cutover").put("verify", verify.name().toLowerCase()).put("table_rows", tableRows).put("writer_tx_per_s", rate)
                    .put("done", r.done()).put("reason", r.done() ? null : r.reason()).put("write_pause_ms", r.writePauseMs())
                    .put("writes_landed", landed[0]).put("writes_refused", refused[0]).emit();
        }
    }

    private static double p(long[] sorted, double pct) {
        if (sorted.length == 0) return 0;
        int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(pct / 100.0 * sorted.length) - 1));
        return sorted[i] / 1e6;
    }
}

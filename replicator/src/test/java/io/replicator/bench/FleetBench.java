package io.replicator.bench;

import io.replicator.core.testing.TestPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Fleet benchmark: {@code run --stores} with N stores in one process, each written by its own application at a fixed
 * rate (one insert per transaction). For each N: time from start until every store streams; the process's resident
 * memory and threads idle and under writes; PostgreSQL connections it holds; for each row, COMMIT in SQLite → visible
 * in PostgreSQL (p50/p99/max, the first 5 s not counted), read by one prober that asks for every store in one query
 * every 5 ms; rows applied per second. Usage: {@code FleetBench <stores,...> <tx/s per store> <seconds>}.
 */
public final class FleetBench {
    public static void main(String[] args) throws Exception {
        int[] sizes = Arrays.stream((args.length > 0 ? args[0] : "1,10,50,100").split(",")).mapToInt(Integer::parseInt).toArray();
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        for (int n : sizes) one(n, rate, seconds);
    }

    private static void one(int n, int rate, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("fleet-bench-");
        StringBuilder yaml = new StringBuilder("stores:\n");
        List<String> schemas = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path f = dir.resolve("s" + i + ".db");
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)");
            }
            String schema = TestPostgres.freshSchema("fleetbench_s" + i);
            schemas.add(schema);
            files.add(f);
            yaml.append("  - name: s").append(i).append("\n    sqlite: ").append(f).append("\n    schema: ").append(schema).append('\n');
        }
        Files.writeString(dir.resolve("stores.yml"), yaml);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), "io.replicator.cli.Main", "run", "--stores", dir.resolve("stores.yml").toString(),
                "--postgres", TestPostgres.url(), "--state-dir", dir.resolve("state").toString(), "--status-interval", "60s", "--http-port", "0"));
        Path log = dir.resolve("run.log");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            while (count(log, "] replicating ") < n) {
                if (!p.isAlive()) throw new IllegalStateException("run --stores exited " + p.exitValue() + ": " + tail(log));
                if (System.nanoTime() - t0 > TimeUnit.MINUTES.toNanos(10)) throw new IllegalStateException("not all streaming in 10 min: " + tail(log));
                Thread.sleep(100);
            }
            double startS = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(3000);
            long[] idle = proc(p.pid());
            long pgConns = pgConnections();

            Map<String, Long> committedAt = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> writers = new ArrayList<>();
            long writeStart = System.nanoTime();
            for (int i = 0; i < n; i++) writers.add(writer(i, files.get(i), rate, stop, committedAt));
            List<Double> lags = new ArrayList<>();
            long[] applied = new long[n];
            long[] busy = null;
            long end = writeStart + TimeUnit.SECONDS.toNanos(seconds);
            try (Connection pg = TestPostgres.connect()) {
                // one round trip a round for all stores: a query per store made the prober itself add lag at 100 stores
                StringBuilder all = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    all.append(i == 0 ? "" : " UNION ALL ").append("SELECT ").append(i).append(", (SELECT coalesce(max(id), 0) FROM \"")
                            .append(schemas.get(i)).append("\".t)");
                }
                PreparedStatement q = pg.prepareStatement(all.toString());
                long[] maxes = new long[n];
                while (System.nanoTime() < end + TimeUnit.SECONDS.toNanos(10)) {
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) maxes[rs.getInt(1)] = rs.getLong(2);
                    }
                    long now = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        long max = maxes[i];
                        for (long id = applied[i] + 1; id <= max; id++) {
                            Long at = committedAt.remove(i + ":" + id);
                            if (at != null && at - writeStart > TimeUnit.SECONDS.toNanos(5)) lags.add((now - at) / 1e6);
                        }
                        if (max > applied[i]) applied[i] = max;
                    }
                    if (busy == null && System.nanoTime() > writeStart + TimeUnit.SECONDS.toNanos(seconds / 2)) busy = proc(p.pid());
                    if (System.nanoTime() > end) {
                        stop.set(true);
                        if (committedAt.isEmpty()) break;
                    }
                    Thread.sleep(5); // a resolution of 5 ms, without the prober taking a core from what it measures
                }
            }
            stop.set(true);
            for (Thread w : writers) w.join();
            long rows = Arrays.stream(applied).sum();
            lags.sort(Double::compare);
            System.out.printf("fleet stores=%d rate=%d/s/store start_s=%.1f rss_idle_mb=%d threads_idle=%d rss_busy_mb=%d threads_busy=%d pg_conns=%d"
                            + " lag_p50_ms=%.0f lag_p99_ms=%.0f lag_max_ms=%.0f rows=%d apply_rows_per_s=%.0f unseen=%d%n",
                    n, rate, startS, idle[0] / 1024, idle[1], busy == null ? -1 : busy[0] / 1024, busy == null ? -1 : busy[1], pgConns,
                    pct(lags, 50), pct(lags, 99), lags.isEmpty() ? -1 : lags.get(lags.size() - 1), rows, rows / (double) seconds, committedAt.size());
        } finally {
            p.destroy();
            p.waitFor(60, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
    }

    private static Thread writer(int store, Path f, int rate, AtomicBoolean stop, Map<String, Long> committedAt) {
        Thread t = new Thread(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = 5000");
                long periodNs = 1_000_000_000L / rate, next = System.nanoTime();
                while (!stop.get()) {
                    try (ResultSet rs = s.executeQuery("INSERT INTO t (payload) VALUES ('row written at " + System.nanoTime() + "') RETURNING id")) {
                        rs.next();
                        committedAt.put(store + ":" + rs.getLong(1), System.nanoTime());
                    }
                    next += periodNs;
                    long wait = next - System.nanoTime();
                    if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                }
            } catch (SQLException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, "writer-" + store);
        t.start();
        return t;
    }

    private static double pct(List<Double> sorted, int p) {
        if (sorted.isEmpty()) return -1;
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    /** Resident kB and threads of the process, from /proc. */
    private static long[] proc(long pid) throws IOException {
        long rss = -1, threads = -1;
        for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (l.startsWith("VmRSS:")) rss = Long.parseLong(l.replaceAll("\\D", ""));
            if (l.startsWith("Threads:")) threads = Long.parseLong(l.replaceAll("\\D", ""));
        }
        return new long[] {rss, threads};
    }

    private static long pgConnections() throws SQLException {
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'replicator%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long count(Path log, String text) throws IOException {
        if (!Files.exists(log)) return 0;
        return Files.readAllLines(log).stream().filter(l -> l.contains(text)).count();
    }

    private static String tail(Path log) throws IOException {
        List<String> l = Files.readAllLines(log);
        return String.join("\n", l.subList(Math.max(0, l.size() - 20), l.size()));
    }
}

package io.replicator.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replicator.core.PostgresUrl;
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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control plane under load while it replicates: {@value #CLIENTS} concurrent clients send {@code /status} and
 * {@code /metrics} on loopback (at most {@value #MAX_REQUESTS} requests or {@value #LOAD_SECONDS} s) while an
 * application commits about {@value #WRITES_PER_SECOND} transactions a second. Every answer must be 200, parse and
 * show its positions from one reading (captured ≥ published ≥ applied); latency is printed and bounded; the feed's lag under load is compared with the lag before it and must
 * fall to zero soon after the writer stops.
 */
class ControlPlaneLoadIT {
    @TempDir
    Path dir;

    static final int CLIENTS = 32;
    static final int MAX_REQUESTS = 5_000;
    static final int LOAD_SECONDS = 20;
    static final int WRITES_PER_SECOND = 200;
    private static final Pattern APPLIED = Pattern.compile("(?m)^replicator_applied_seq(\\{[^}]*\\})? [0-9.eE+-]+$");

    @Test
    void statusAndMetricsAnswerUnderConcurrentLoadWithoutSlowingReplication() throws Exception {
        Path db = SqliteFiles.create(dir, "load.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, v TEXT)", "INSERT INTO t VALUES (1, 0, 'a')");
        String schema = TestPostgres.freshSchema("http_load");
        PostgresUrl target = TestPostgres.target();
        FeedSettings fs = TestReplication.prepare(db, schema, dir.resolve("state"), target);
        try (ChangeFeed feed = ChangeFeed.start(fs, TestKafka.bootstrap());
             Sink sink = Sink.start(SinkSettings.of(TestKafka.bootstrap(), fs.topic(), schema, target));
             ControlPlane cp = ControlPlane.start(new Replicator(SqliteSource.of(db.toString()), target, schema, fs.stateDir(), TestKafka.bootstrap(), feed, sink),
                     "127.0.0.1", 0, null, fs.stateDir());
             Writer writer = new Writer(db);
             LagMonitor lag = new LagMonitor(db, sink)) {
            // the lag without load is measured once replication streams, not while the feed and the sink start
            Await.until("the sink applied the application's first changes", Duration.ofSeconds(60),
                    () -> sink.appliedSeq() > 0 || feed.failure() != null || sink.failure() != null,
                    () -> "sink at " + sink.appliedSeq() + ", feed failure " + feed.failure() + ", sink failure " + sink.failure());
            assertTrue(feed.failure() == null && sink.failure() == null, "feed and sink up");
            lag.drain();
            Thread.sleep(4_000); // the measuring window: the writer's pace and the feed settle; this is the lag without load
            List<Long> quiet = lag.drain();

            Load load = load(cp.url());
            List<Long> loaded = lag.drain();
            writer.close();
            long stoppedAt = System.nanoTime();
            long captured = lastSeq(db);
            while (sink.appliedSeq() < captured && System.nanoTime() - stoppedAt < 10_000_000_000L) Thread.sleep(10);
            double catchUpMs = (System.nanoTime() - stoppedAt) / 1e6;

            System.out.printf(Locale.ROOT, "control plane load: %d requests (%d clients) in %.1f s = %.0f/s; "
                            + "/status p50 %.1f ms p99 %.1f ms max %.1f ms; /metrics p50 %.1f ms p99 %.1f ms max %.1f ms; "
                            + "writer %d tx; lag in changes without load p50 %d max %d, under load p50 %d max %d; lag 0 %.0f ms after the writer stopped%n",
                    load.count(), CLIENTS, load.seconds, load.count() / load.seconds,
                    pct(load.status, 50), pct(load.status, 99), pct(load.status, 100), pct(load.metrics, 50), pct(load.metrics, 99), pct(load.metrics, 100),
                    writer.commits.get(), lpct(quiet, 50), lpct(quiet, 100), lpct(loaded, 50), lpct(loaded, 100), catchUpMs);

            assertEquals(List.of(), load.failures.stream().limit(5).toList(), "every answer is 200 and parses");
            assertTrue(load.count() >= 500, "enough requests to mean something: " + load.count());
            assertTrue(writer.error.get() == null, () -> "the writer failed: " + writer.error.get());
            assertTrue(writer.commits.get() > WRITES_PER_SECOND * 5L, "the writer kept writing: " + writer.commits.get());
            for (List<Double> ms : List.of(load.status, load.metrics)) {
                assertTrue(pct(ms, 99) < 2_000, "p99 under 2 s: " + pct(ms, 99));
                assertTrue(pct(ms, 100) < 10_000, "no request over 10 s: " + pct(ms, 100));
            }
            // about 2 changes per transaction: 2,000 changes is 5 s of writing; the quiet lag is a few batches
            assertTrue(lpct(loaded, 100) < Math.max(2_000, 10 * lpct(quiet, 100)), "lag stays bounded under load: " + lpct(loaded, 100));
            assertTrue(sink.appliedSeq() >= captured, "lag returns to 0 after the writer stops: applied " + sink.appliedSeq() + " of " + captured);
            assertTrue(catchUpMs < 5_000, "within 5 s: " + catchUpMs);
            assertTrue(feed.failure() == null && sink.failure() == null, "feed and sink still up");
        }
    }

    /** The requests, their latencies per endpoint (ms), and every answer that was not a parseable 200. */
    record Load(List<Double> status, List<Double> metrics, List<String> failures, double seconds) {
        int count() {
            return status.size() + metrics.size();
        }
    }

    private static Load load(String base) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        ObjectMapper json = new ObjectMapper();
        List<Double> status = Collections.synchronizedList(new ArrayList<>());
        List<Double> metrics = Collections.synchronizedList(new ArrayList<>());
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger issued = new AtomicInteger();
        long deadline = System.nanoTime() + LOAD_SECONDS * 1_000_000_000L;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    int n;
                    while ((n = issued.getAndIncrement()) < MAX_REQUESTS && System.nanoTime() < deadline) {
                        boolean isStatus = n % 2 == 0;
                        HttpRequest req = HttpRequest.newBuilder(URI.create(base + (isStatus ? "/status" : "/metrics"))).timeout(Duration.ofSeconds(15)).GET().build();
                        long t0 = System.nanoTime();
                        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                        double ms = (System.nanoTime() - t0) / 1e6;
                        (isStatus ? status : metrics).add(ms);
                        String problem = r.statusCode() != 200 ? r.statusCode() + " " + r.body()
                                : isStatus && !json.readTree(r.body()).path("applied_seq").canConvertToLong() ? "no applied_seq in " + r.body()
                                : isStatus ? unordered(json.readTree(r.body()))
                                : !APPLIED.matcher(r.body()).find() ? "no replicator_applied_seq in /metrics" : unordered(r.body());
                        if (problem != null) failures.add((isStatus ? "/status: " : "/metrics: ") + problem);
                    }
                } catch (Exception e) {
                    failures.add("client failed: " + e);
                }
            }, "http-client-" + i);
            t.start();
            clients.add(t);
        }
        long t0 = System.nanoTime();
        start.countDown();
        for (Thread t : clients) t.join();
        return new Load(new ArrayList<>(status), new ArrayList<>(metrics), new ArrayList<>(failures), (System.nanoTime() - t0) / 1e9);
    }

    /** Null when a /status report, taken while the application writes, shows captured >= published >= applied (one reading). */
    static String unordered(JsonNode st) {
        long captured = st.path("captured_seq").asLong(-1);
        long published = st.path("published_seq").asLong(-1);
        long applied = st.path("applied_seq").asLong(-1);
        long runningPublished = st.path("running").path("published_seq").asLong(-1);
        long runningApplied = st.path("running").path("applied_seq").asLong(-1);
        boolean ordered = captured >= published && published >= applied && applied >= 0 && runningPublished == published && runningApplied == applied;
        return ordered ? null : "positions from different moments: captured " + captured + ", published " + published + ", applied " + applied
                + ", running " + st.path("running");
    }

    /** The same for one /metrics scrape. */
    static String unordered(String metrics) {
        double captured = sample(metrics, "replicator_captured_seq");
        double published = sample(metrics, "replicator_published_seq");
        double applied = sample(metrics, "replicator_applied_seq");
        return captured >= published && published >= applied && applied >= 0 ? null
                : "/metrics from different moments: captured " + captured + ", published " + published + ", applied " + applied;
    }

    private static double sample(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(2)) : Double.NaN;
    }

    private static long lastSeq(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(max(seq), 0) FROM _replicator_changelog")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static double pct(List<Double> values, int p) {
        if (values.isEmpty()) return Double.NaN;
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        return s.get(Math.max(0, (int) Math.ceil(p / 100.0 * s.size()) - 1));
    }

    private static long lpct(List<Long> values, int p) {
        if (values.isEmpty()) return 0;
        List<Long> s = new ArrayList<>(values);
        Collections.sort(s);
        return s.get(Math.max(0, (int) Math.ceil(p / 100.0 * s.size()) - 1));
    }

    /** An application committing about {@value #WRITES_PER_SECOND} transactions a second (an insert and an update each). */
    private static final class Writer implements AutoCloseable {
        final AtomicLong commits = new AtomicLong();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        Writer(Path db) {
            thread = new Thread(() -> {
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
                     PreparedStatement ins = c.prepareStatement("INSERT INTO t (n, v) VALUES (?, 'row')");
                     PreparedStatement upd = c.prepareStatement("UPDATE t SET n = n + 1 WHERE id = 1")) {
                    s.execute("PRAGMA busy_timeout = 5000");
                    long next = System.nanoTime();
                    while (!stop.get()) {
                        c.setAutoCommit(false);
                        ins.setLong(1, commits.get());
                        ins.executeUpdate();
                        upd.executeUpdate();
                        c.commit();
                        c.setAutoCommit(true);
                        commits.incrementAndGet();
                        next += 1_000_000_000L / WRITES_PER_SECOND;
                        long wait = next - System.nanoTime();
                        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                } catch (Exception e) {
                    error.set(e);
                }
            }, "app-writer");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join();
        }
    }

    /** Samples the lag (changes captured in SQLite, not yet applied) every 50 ms. */
    private static final class LagMonitor implements AutoCloseable {
        private final List<Long> samples = Collections.synchronizedList(new ArrayList<>());
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong captured = new AtomicLong();
        private final Thread thread;

        LagMonitor(Path db, Sink sink) {
            thread = new Thread(() -> {
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
                    while (!stop.get()) {
                        try (ResultSet rs = s.executeQuery("SELECT coalesce(max(seq), 0) FROM _replicator_changelog")) {
                            rs.next();
                            captured.set(rs.getLong(1));
                        }
                        samples.add(Math.max(0, captured.get() - sink.appliedSeq()));
                        Thread.sleep(50);
                    }
                } catch (Exception e) {
                    samples.add(Long.MAX_VALUE); // fails the bound, visibly
                }
            }, "lag-monitor");
            thread.start();
        }

        /** The samples since the last call. */
        List<Long> drain() {
            synchronized (samples) {
                List<Long> out = new ArrayList<>(samples);
                samples.clear();
                return out;
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join();
        }
    }
}

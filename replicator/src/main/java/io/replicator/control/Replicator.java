package io.replicator.control;

import io.replicator.replay.ReplayStart;
import io.replicator.sink.RetryBudget;
import java.util.LinkedHashSet;
import java.util.List;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.replicator.capture.CaptureStatus;
import io.replicator.core.PostgresUrl;
import io.replicator.cutover.Cutover;
import io.replicator.sink.Sink;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.status.StatusReport;
import io.replicator.stream.ChangeFeed;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The running main job as the control plane sees it: live numbers from the feed and the sink, the stored
 * status, health of each dependency, Prometheus metrics, and the cutover action.
 */
public final class Replicator {
    private final SqliteSource source;
    private final PostgresUrl target;
    private final String schema;
    private final Path stateDir;
    private final ChangeFeed feed;
    private final Sink sink;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer applyTime;
    private volatile CaptureStatus capture;
    private volatile long captureReadAt;

    private final String bootstrap;

    /** How long a built /status is shared between requests. */
    static final long STATUS_TTL_MS = 250;
    private final Object statusLock = new Object();
    private Map<String, Object> storedStatus;
    private long storedStatusAt;

    public Replicator(SqliteSource source, PostgresUrl target, String schema, Path stateDir, String bootstrap, ChangeFeed feed, Sink sink) {
        this.bootstrap = bootstrap;
        this.source = source;
        this.target = target;
        this.schema = schema;
        this.stateDir = stateDir;
        this.feed = feed;
        this.sink = sink;
        Gauge.builder("replicator_captured_seq", this, r -> r.capture().capturedSeq()).description("newest changelog position in SQLite").register(metrics);
        Gauge.builder("replicator_published_seq", feed, ChangeFeed::publishedSeq).description("changelog position Kafka acknowledged").register(metrics);
        Gauge.builder("replicator_applied_seq", sink, Sink::appliedSeq).description("changelog position PostgreSQL reflects").register(metrics);
        Gauge.builder("replicator_lag_changes", this, Replicator::lagChanges).description("changes captured but not yet applied").register(metrics);
        Gauge.builder("replicator_lag_ms", this, Replicator::lagMs).description("age of the newest applied batch when behind, else 0").register(metrics);
        Gauge.builder("replicator_changelog_rows", this, r -> r.capture().changelogRows()).description("rows in the SQLite changelog").register(metrics);
        FunctionCounter.builder("replicator_events_published", feed, ChangeFeed::publishedEvents).description("events acknowledged by Kafka").register(metrics);
        FunctionCounter.builder("replicator_events_applied", sink, Sink::appliedEvents).description("events applied to PostgreSQL").register(metrics);
        FunctionCounter.builder("replicator_dead_lettered", sink, Sink::deadLettered).description("events set aside in the dead-letter topic").register(metrics);
        applyTime = Timer.builder("replicator_batch_apply").description("time from a transaction's first apply to its commit")
                .publishPercentileHistogram().register(metrics);
        sink.onCommit(nanos -> applyTime.record(nanos, TimeUnit.NANOSECONDS));
    }

    /** The capture status, read at most once a second. */
    private CaptureStatus capture() {
        long now = System.currentTimeMillis();
        if (capture == null || now - captureReadAt > 1000) {
            capture = CaptureStatus.read(source);
            captureReadAt = now;
        }
        return capture;
    }

    private double lagChanges() {
        return Math.max(0, capture().capturedSeq() - sink.appliedSeq());
    }

    private double lagMs() {
        if (sink.appliedSeq() >= capture().capturedSeq()) return 0;
        return sink.lastSourceTsMs() == 0 ? 0 : Math.max(0, System.currentTimeMillis() - sink.lastSourceTsMs());
    }

    public String scrape() {
        return metrics.scrape();
    }

    /**
     * The stored status plus this process's live positions. The stored part costs two SQLite reads and a new
     * PostgreSQL connection, so it is built at most once per {@value #STATUS_TTL_MS} ms and shared: with 32
     * clients polling, building it per request took /status to a p50 of 590 ms and doubled the apply lag
     * (ControlPlaneLoadIT); the live positions are always current.
     */
    public Map<String, Object> status() {
        Map<String, Object> stored;
        synchronized (statusLock) { // one build at a time; the others wait for it and share it
            if (storedStatus == null || System.nanoTime() - storedStatusAt > STATUS_TTL_MS * 1_000_000) {
                storedStatus = StatusReport.build(source, CaptureStatus.read(source), stateDir, target, schema);
                storedStatusAt = System.nanoTime();
            }
            stored = storedStatus;
        }
        Map<String, Object> r = new LinkedHashMap<>(stored);
        r.put("running", Map.of("published_seq", feed.publishedSeq(), "published_events", feed.publishedEvents(),
                "applied_seq", sink.appliedSeq(), "applied_events", sink.appliedEvents(), "dead_lettered", sink.deadLettered(),
                "replaying", sink.replaying()));
        return r;
    }

    /** Each dependency reachable, and the feed and sink running. */
    public Map<String, Object> health() {
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("sqlite", check(() -> CaptureStatus.read(source)));
        checks.put("postgres", check(() -> {
            try (Connection c = target.connect("replicator-health"); Statement s = c.createStatement()) {
                s.execute("SELECT 1");
            }
        }));
        checks.put("kafka", check(() -> {
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", bootstrap,
                    "request.timeout.ms", 2000, "default.api.timeout.ms", 2000))) {
                admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
            }
        }));
        checks.put("feed", feed.failure() == null && !awaitQuick(feed) ? "up" : "down: " + (feed.failure() == null ? "stopped" : feed.failure().getMessage()));
        checks.put("sink", sinkHealth());
        boolean up = checks.values().stream().allMatch("up"::equals);
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("status", up ? "UP" : "DOWN");
        h.put("checks", checks);
        return h;
    }

    private String sinkHealth() {
        if (sink.failure() != null) return "down: " + sink.failure().getMessage();
        if (awaitQuick(sink)) return "down: stopped";
        RetryBudget.Failing f = sink.retrying();
        if (f != null) return "down: retrying for " + (System.currentTimeMillis() - f.sinceMs()) / 1000 + " s: " + PostgresUrl.redactRaw(f.message());
        return "up";
    }

    /** What a replay request started: from where, up to where PostgreSQL was, for which tables (null: all). */
    public record ReplayStarted(long fromSeq, long untilSeq, List<String> tables) {}

    /**
     * Asks the running sink to re-apply the changes Kafka holds after a position or a time; the sink takes it up
     * at its next consistent point. Refused when Kafka no longer holds them.
     */
    public ReplayStarted replay(Long fromSeq, String fromTime, List<String> tables) {
        long from = ReplayStart.resolve(bootstrap, feed.settings().topic(), fromSeq, fromTime);
        long at = sink.appliedSeq();
        from = Math.min(from, at);
        sink.replay(from, tables == null ? null : new LinkedHashSet<>(tables));
        return new ReplayStarted(from, at, tables);
    }

    public boolean replaying() {
        return sink.replaying();
    }

    public Cutover.Result cutover(Cutover.Options opt) {
        try {
            return new Cutover(source, target, schema, opt).run();
        } finally {
            synchronized (statusLock) {
                storedStatus = null; // the phase changed: the next /status reads it afresh
            }
        }
    }

    private interface Probe {
        void run() throws Exception;
    }

    private static String check(Probe p) {
        try {
            p.run();
            return "up";
        } catch (Exception e) {
            return "down: " + PostgresUrl.redactRaw(String.valueOf(e.getMessage()));
        }
    }

    private static boolean awaitQuick(ChangeFeed f) {
        try {
            return f.await(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private static boolean awaitQuick(Sink s) {
        try {
            return s.await(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }
}

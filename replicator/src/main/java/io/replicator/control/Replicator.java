package io.replicator.control;

import io.replicator.replay.ReplayStart;
import java.util.LinkedHashSet;
import java.util.List;

import io.replicator.capture.CaptureStatus;
import io.replicator.metrics.ClientMeters;
import io.replicator.metrics.LagHistory;
import io.replicator.metrics.LagSampler;
import io.replicator.metrics.PipelineMeters;
import io.replicator.metrics.ProcessMeters;
import io.replicator.status.LivePositions;
import io.replicator.status.LiveStatus;
import io.replicator.status.PipelineHealth;
import io.replicator.status.Positions;
import io.replicator.core.PostgresUrl;
import io.replicator.cutover.Cutover;
import io.replicator.sink.Sink;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.status.StatusReport;
import io.replicator.stream.ChangeFeed;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The running main job as the control plane sees it: live numbers from the feed and the sink, the stored
 * status, health of each dependency, Prometheus metrics, the lag history, and the cutover and replay actions.
 *
 * <p>Every report takes its positions from one {@link LivePositions} reading (see {@link Positions} for the order
 * they are read in), so captured ≥ published ≥ applied in each; a reading is shared for {@value #STATUS_TTL_MS} ms.
 */
public final class Replicator implements AutoCloseable {
    private final SqliteSource source;
    private final PostgresUrl target;
    private final String schema;
    private final Path stateDir;
    private final ChangeFeed feed;
    private final Sink sink;
    private final ProcessMeters meters;
    private final boolean ownsMeters;
    private final PipelineMeters pipeline;
    private final LivePositions live;
    private final LagHistory lagHistory = new LagHistory();
    private final LagSampler sampler;
    private final Object scrapeLock = new Object();
    private final Recent<String> scrape = new Recent<>(STATUS_TTL_MS, this::scrapeNow);

    private final String bootstrap;

    /** How long a built /status (and a positions reading) is shared between requests. */
    static final long STATUS_TTL_MS = 250;
    private final Recent<Map<String, Object>> storedStatus;

    /** With meters of its own: JVM and process meters, the pipeline's, but not the clients' (see {@link ClientMeters}). */
    public Replicator(SqliteSource source, PostgresUrl target, String schema, Path stateDir, String bootstrap, ChangeFeed feed, Sink sink) {
        this(source, target, schema, stateDir, bootstrap, feed, sink, new ProcessMeters(), true);
    }

    /** @param meters the process's registry, where the feed's and the sink's clients are already watched; not closed here */
    public Replicator(SqliteSource source, PostgresUrl target, String schema, Path stateDir, String bootstrap, ChangeFeed feed, Sink sink,
                      ProcessMeters meters) {
        this(source, target, schema, stateDir, bootstrap, feed, sink, meters, schema);
    }

    /**
     * One store of a fleet: as above, its meters labelled {@code store=<store>} (the store's name in the stores file).
     *
     * @param meters the process's registry, shared by every store; not closed here
     */
    public Replicator(SqliteSource source, PostgresUrl target, String schema, Path stateDir, String bootstrap, ChangeFeed feed, Sink sink,
                      ProcessMeters meters, String store) {
        this(source, target, schema, stateDir, bootstrap, feed, sink, meters, false, store);
    }

    private Replicator(SqliteSource source, PostgresUrl target, String schema, Path stateDir, String bootstrap, ChangeFeed feed, Sink sink,
                       ProcessMeters meters, boolean ownsMeters) {
        this(source, target, schema, stateDir, bootstrap, feed, sink, meters, ownsMeters, schema);
    }

    private Replicator(SqliteSource source, PostgresUrl target, String schema, Path stateDir, String bootstrap, ChangeFeed feed, Sink sink,
                       ProcessMeters meters, boolean ownsMeters, String store) {
        this.bootstrap = bootstrap;
        this.source = source;
        this.target = target;
        this.schema = schema;
        this.stateDir = stateDir;
        this.feed = feed;
        this.sink = sink;
        this.meters = meters;
        this.ownsMeters = ownsMeters;
        this.pipeline = new PipelineMeters(meters.registry(), store, feed, sink);
        this.live = new LivePositions(source, feed, sink);
        this.sampler = new LagSampler(live, lagHistory);
        this.storedStatus = new Recent<>(STATUS_TTL_MS, () -> StatusReport.build(source, stateDir, target, schema));
    }

    /**
     * The Prometheus text; the position gauges of one scrape all show one reading. A scrape is shared for
     * {@value #STATUS_TTL_MS} ms like /status ({@link Recent}): with the JVM, pool and Kafka client meters it is about
     * 800 lines, and 16 clients scraping at once each for itself took /metrics to a p50 of 340 ms (ControlPlaneLoadIT).
     */
    public String scrape() {
        return scrape.get();
    }

    private String scrapeNow() {
        synchronized (scrapeLock) { // show() and scrape() of one scrape together
            showPositions();
            return meters.scrape();
        }
    }

    /**
     * Sets the position gauges to a reading no older than {@value #STATUS_TTL_MS} ms; a fleet's scrape calls this for
     * every store, then scrapes the shared registry once.
     */
    public void showPositions() {
        pipeline.show(live.current(STATUS_TTL_MS));
    }

    /** A positions reading no older than {@value #STATUS_TTL_MS} ms (shared with /status and /metrics). */
    public Positions positions() {
        return live.current(STATUS_TTL_MS).positions();
    }

    /** The lag over the last 15 minutes, one sample a second, oldest first. */
    public List<LagHistory.Sample> lagHistory() {
        return lagHistory.samples();
    }

    /**
     * The stored status with this process's live positions laid over it, all from one reading. The stored part costs
     * a SQLite read and a new PostgreSQL connection, so it is built at most once per {@value #STATUS_TTL_MS} ms
     * and shared ({@link Recent}): with 32 clients polling, building it per request took /status to a p50 of 590 ms
     * and doubled the apply lag (ControlPlaneLoadIT). The positions reading is taken after the stored part, so a stored applied
     * position (used before the sink has read its own) is never ahead of the captured one.
     */
    public Map<String, Object> status() {
        Map<String, Object> stored = storedStatus.get();
        LivePositions.Reading reading = live.current(STATUS_TTL_MS);
        return LiveStatus.overlay(stored, reading, feed.publishedEvents(), sink.appliedEvents(), sink.deadLettered(), sink.replaying());
    }

    /** Each dependency reachable, and the feed and sink running. */
    public Map<String, Object> health() {
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("sqlite", check(() -> CaptureStatus.read(source)));
        checks.putAll(sharedChecks());
        checks.put("feed", PipelineHealth.feed(feed));
        checks.put("sink", PipelineHealth.sink(sink));
        return verdict(checks);
    }

    /** The checks of this store's own parts: its SQLite file, its feed and its sink (a fleet's /health checks PostgreSQL and Kafka once). */
    public Map<String, Object> storeHealth() {
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("sqlite", check(() -> CaptureStatus.read(source)));
        checks.put("feed", PipelineHealth.feed(feed));
        checks.put("sink", PipelineHealth.sink(sink));
        return verdict(checks);
    }

    /** PostgreSQL and Kafka reachable: the same servers for every store of a fleet. */
    public Map<String, Object> sharedChecks() {
        Map<String, Object> checks = new LinkedHashMap<>();
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
        return checks;
    }

    /** {"status": "UP"|"DOWN", "checks": {...}}: UP when every check is up. */
    static Map<String, Object> verdict(Map<String, Object> checks) {
        boolean up = checks.values().stream().allMatch("up"::equals);
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("status", up ? "UP" : "DOWN");
        h.put("checks", checks);
        return h;
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

    @Override
    public void close() {
        sampler.close();
        if (ownsMeters) meters.close();
    }

    public Cutover.Result cutover(Cutover.Options opt) {
        try {
            return new Cutover(source, target, schema, opt).run();
        } finally {
            storedStatus.invalidate(); // the phase changed: the next /status reads it afresh
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
}

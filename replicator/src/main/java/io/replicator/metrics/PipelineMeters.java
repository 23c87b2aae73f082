package io.replicator.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.replicator.sink.Sink;
import io.replicator.status.LivePositions;
import io.replicator.status.PipelineHealth;
import io.replicator.stream.ChangeFeed;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The {@code replicator_*} meters of one store (one SQLite file replicated into one schema), every one labelled
 * {@code store="<schema>"}: this constructor is the one place that label is added, so a fleet of stores in one
 * process registers one {@code PipelineMeters} per store into the same registry.
 *
 * <p>The position gauges read one {@link LivePositions.Reading}, set by {@link #show} before each scrape, never the
 * pipeline directly: a scrape reads its gauges one after another, and live reads would mix moments (applied above
 * captured). The counters and timers are cumulative and read live.
 *
 * <p>{@code replicator_lag_ms} is deprecated: it is kept for one release beside {@code replicator_lag_seconds} so that
 * dashboards and alerts built on it keep working while they move; it goes in the release after.
 */
public final class PipelineMeters {
    /** The label naming the store. */
    public static final String STORE = "store";

    private volatile LivePositions.Reading shown;
    private final Timer applyLatency;

    public PipelineMeters(MeterRegistry registry, String store, ChangeFeed feed, Sink sink) {
        Tags tags = Tags.of(STORE, store);
        gauge(registry, tags, "replicator.captured.seq", "newest changelog position in SQLite", r -> r.positions().captured());
        gauge(registry, tags, "replicator.published.seq", "changelog position Kafka acknowledged", r -> r.positions().published());
        gauge(registry, tags, "replicator.applied.seq", "changelog position PostgreSQL reflects", r -> r.positions().applied());
        gauge(registry, tags, "replicator.lag.changes", "changes captured but not yet applied", r -> r.positions().lagChanges());
        Gauge.builder("replicator.lag", this, m -> m.value(r -> r.positions().lagSeconds())).tags(tags).baseUnit("seconds")
                .description("age of the oldest change PostgreSQL does not have yet; 0 when it has every change, NaN while unknown").register(registry);
        gauge(registry, tags, "replicator.lag.ms", "DEPRECATED, use replicator_lag_seconds; removed in the next release",
                r -> r.positions().lagMs() == null ? 0 : r.positions().lagMs());
        gauge(registry, tags, "replicator.changelog.rows", "rows in the SQLite changelog", r -> r.capture().changelogRows());
        gauge(registry, tags, "replicator.changelog.oldest.seq", "oldest position still in the SQLite changelog (moves when it is pruned)",
                r -> r.capture().oldestSeq());
        Gauge.builder("replicator.feed.up", feed, f -> PipelineHealth.UP.equals(PipelineHealth.feed(f)) ? 1 : 0).tags(tags)
                .description("1 while the change feed runs, 0 once it stopped (see /health for why)").register(registry);
        Gauge.builder("replicator.sink.up", sink, k -> PipelineHealth.UP.equals(PipelineHealth.sink(k)) ? 1 : 0).tags(tags)
                .description("1 while the sink applies, 0 while it retries an error or once it stopped (see /health for why)").register(registry);
        FunctionCounter.builder("replicator.events.published", feed, ChangeFeed::publishedEvents).tags(tags)
                .description("events acknowledged by Kafka").register(registry);
        FunctionCounter.builder("replicator.events.applied", sink, Sink::appliedEvents).tags(tags)
                .description("events applied to PostgreSQL").register(registry);
        FunctionCounter.builder("replicator.dead.lettered", sink, Sink::deadLettered).tags(tags)
                .description("events set aside in the dead-letter topic").register(registry);
        Timer applyTime = Timer.builder("replicator.batch.apply").tags(tags).description("time from a transaction's first apply to its commit")
                .publishPercentileHistogram().register(registry);
        applyLatency = Timer.builder("replicator.apply.latency").tags(tags)
                .description("time from the feed reading a batch from SQLite to its commit in PostgreSQL")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
        sink.onCommit(nanos -> {
            applyTime.record(nanos, TimeUnit.NANOSECONDS);
            long ts = sink.lastSourceTsMs(); // the committed batch's: set before the listener is called
            if (ts > 0) applyLatency.record(Math.max(0, System.currentTimeMillis() - ts), TimeUnit.MILLISECONDS);
        });
    }

    /** The reading the position gauges show until the next call. */
    public void show(LivePositions.Reading reading) {
        shown = reading;
    }

    private void gauge(MeterRegistry registry, Tags tags, String name, String description, ToDoubleFunction<LivePositions.Reading> f) {
        Gauge.builder(name, this, m -> m.value(f)).tags(tags).description(description).register(registry);
    }

    private double value(ToDoubleFunction<LivePositions.Reading> f) {
        LivePositions.Reading r = shown;
        return r == null ? Double.NaN : f.applyAsDouble(r);
    }
}

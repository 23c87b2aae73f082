package io.replicator.status;

import io.replicator.core.PostgresUrl;
import io.replicator.sink.RetryBudget;
import io.replicator.sink.Sink;
import io.replicator.stream.ChangeFeed;

import java.time.Duration;

/**
 * Whether the feed and the sink of this process run, in the one wording {@code /health} and the
 * {@code replicator_feed_up} / {@code replicator_sink_up} gauges share: "up", or "down: " and why. A sink retrying a
 * transient error counts as down (it applies nothing meanwhile), with the error and its age. No secret: the retried
 * error's message is redacted.
 */
public final class PipelineHealth {
    private PipelineHealth() {}

    public static final String UP = "up";

    public static String feed(ChangeFeed feed) {
        if (feed.failure() != null) return "down: " + feed.failure().getMessage();
        return stopped(feed) ? "down: stopped" : UP;
    }

    public static String sink(Sink sink) {
        if (sink.failure() != null) return "down: " + sink.failure().getMessage();
        if (stopped(sink)) return "down: stopped";
        RetryBudget.Failing f = sink.retrying();
        if (f != null) return "down: retrying for " + (System.currentTimeMillis() - f.sinceMs()) / 1000 + " s: " + PostgresUrl.redactRaw(f.message());
        return UP;
    }

    private static boolean stopped(ChangeFeed f) {
        try {
            return f.await(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private static boolean stopped(Sink s) {
        try {
            return s.await(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }
}

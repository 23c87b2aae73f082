package io.replicator.run;

import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.sink.SinkSettings;
import io.replicator.stream.FeedSettings;
import io.replicator.translate.plan.PlanOptions;

import java.time.Duration;

/**
 * Everything {@code run} needs, validated when built.
 *
 * @param feed          the feed's settings; its start position is set from the snapshot's hand-off
 * @param kafka         external bootstrap servers, or null for the embedded broker (or $KAFKA_BOOTSTRAP_SERVERS)
 * @param workers       tables copied in parallel by a snapshot
 * @param poolSize      PostgreSQL connections in the sink's pool
 * @param statusInterval how often a status line is printed
 * @param replaceExistingRows with --into-existing: the first copy empties the application's tables that already hold rows
 */
public record RunSettings(SqliteSource source, PostgresUrl target, String schema, PlanOptions plan, FeedSettings feed, String kafka,
                          int workers, JournalPolicy journal, SinkSettings.OnPoison onError, int poolSize, Duration maxRetryTime,
                          Duration orphanCheckInterval, Duration statusInterval, ControlPlaneSettings http, boolean replaceExistingRows) {
    public RunSettings {
        if (replaceExistingRows && !plan.intoExisting()) throw ReplicatorException.config("--replace-existing-rows applies only with --into-existing");
        if (workers < 1 || workers > 64) throw ReplicatorException.config("--workers must be 1..64, got " + workers);
        if (statusInterval.isNegative() || statusInterval.isZero()) throw ReplicatorException.config("--status-interval must be more than 0");
        if (orphanCheckInterval.isNegative() || orphanCheckInterval.isZero()) throw ReplicatorException.config("--orphan-check-interval must be more than 0");
    }
}

package io.replicator.stream;

import io.replicator.core.sqlite.SqliteSource;

import io.replicator.feed.FeedConfig;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What {@code stream} and {@code run} need to start the feed.
 *
 * @param startSeq where the feed starts when it has no stored position: the snapshot's changelog mark
 * @param stateDir the replicator's directory: the feed's offsets, and the embedded broker's data
 */
public record FeedSettings(Path sqlite, String databaseName, String topicPrefix, long startSeq, Path stateDir,
                           int pollIntervalMs, int batchMaxRows, long retentionMs, long pruneIntervalMs, long sqliteBusyTimeoutMs) {

    public static FeedSettings defaults(Path sqlite, long startSeq, Path stateDir) {
        return new FeedSettings(sqlite, FeedConfig.defaultDatabaseName(sqlite.toString()), "replicator", startSeq, stateDir, 5, 5_000, 3_600_000L, 10_000L,
                SqliteSource.DEFAULT_BUSY_TIMEOUT.toMillis());
    }

    public FeedSettings withRetention(long retentionMs, long pruneIntervalMs) {
        return new FeedSettings(sqlite, databaseName, topicPrefix, startSeq, stateDir, pollIntervalMs, batchMaxRows, retentionMs, pruneIntervalMs, sqliteBusyTimeoutMs);
    }

    public FeedSettings withNames(String databaseName, String topicPrefix) {
        return new FeedSettings(sqlite, databaseName, topicPrefix, startSeq, stateDir, pollIntervalMs, batchMaxRows, retentionMs, pruneIntervalMs, sqliteBusyTimeoutMs);
    }

    /** How long the feed's SQLite writes (capture refresh, pruning aside) wait for the application's locks. */
    public FeedSettings withSqliteBusyTimeout(long sqliteBusyTimeoutMs) {
        return new FeedSettings(sqlite, databaseName, topicPrefix, startSeq, stateDir, pollIntervalMs, batchMaxRows, retentionMs, pruneIntervalMs, sqliteBusyTimeoutMs);
    }

    /** The same settings, starting at {@code startSeq} when no position is stored (the snapshot's hand-off). */
    public FeedSettings withStartSeq(long startSeq) {
        return new FeedSettings(sqlite, databaseName, topicPrefix, startSeq, stateDir, pollIntervalMs, batchMaxRows, retentionMs, pruneIntervalMs, sqliteBusyTimeoutMs);
    }

    public String topic() {
        return topicPrefix + "." + databaseName;
    }

    public Path offsetsFile() {
        return stateDir.resolve("feed-offsets.dat");
    }

    /** The connector's own configuration (what a Kafka Connect cluster would be given). */
    public Map<String, String> connectorConfig() {
        Map<String, String> m = new HashMap<>();
        m.put(FeedConfig.SQLITE_PATH, sqlite.toString());
        m.put(FeedConfig.DATABASE_NAME, databaseName);
        m.put(FeedConfig.TOPIC_PREFIX, topicPrefix);
        m.put(FeedConfig.START_SEQ, Long.toString(startSeq));
        m.put(FeedConfig.POLL_INTERVAL_MS, Integer.toString(pollIntervalMs));
        m.put(FeedConfig.BATCH_MAX_ROWS, Integer.toString(batchMaxRows));
        m.put(FeedConfig.RETENTION_MS, Long.toString(retentionMs));
        m.put(FeedConfig.PRUNE_INTERVAL_MS, Long.toString(pruneIntervalMs));
        m.put(FeedConfig.SQLITE_BUSY_TIMEOUT_MS, Long.toString(sqliteBusyTimeoutMs));
        return m;
    }
}

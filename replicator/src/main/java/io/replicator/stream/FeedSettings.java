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
 * @param store    the store's name in a fleet ({@code run --stores}), whose offsets live under
 *                 {@code <stateDir>/stores/<name>/}; null for a single store
 */
public record FeedSettings(Path sqlite, String databaseName, String topicPrefix, long startSeq, Path stateDir,
                           int pollIntervalMs, int batchMaxRows, long retentionMs, long pruneIntervalMs, long sqliteBusyTimeoutMs, String store) {

    public static FeedSettings defaults(Path sqlite, long startSeq, Path stateDir) {
        return new FeedSettings(sqlite, FeedConfig.defaultDatabaseName(sqlite.toString()), "replicator", startSeq, stateDir, 5, 5_000, 3_600_000L, 10_000L,
                SqliteSource.DEFAULT_BUSY_TIMEOUT.toMillis(), null);
    }

    public FeedSettings withRetention(long retentionMs, long pruneIntervalMs) {
        return new FeedSettings(sqlite, databaseName, topicPrefix, startSeq, stateDir, pollIntervalMs, batchMaxRows, retentionMs, pruneIntervalMs, sqliteBusyTimeoutMs, store);
    }

    public FeedSettings withNames(String databaseName, String topicPrefix) {
        return new FeedSettings(sqlite, databaseName, topicPrefix, startSeq, stateDir, pollIntervalMs, batchMaxRows, retentionMs, pruneIntervalMs, sqliteBusyTimeoutMs, store);
    }

    /** How long the feed's SQLite writes (capture refresh, pruning aside) wait for the application's locks. */
    public FeedSettings withSqliteBusyTimeout(long sqliteBusyTimeoutMs) {
        return new FeedSettings(sqlite, databaseName, topicPrefix, startSeq, stateDir, pollIntervalMs, batchMaxRows, retentionMs, pruneIntervalMs, sqliteBusyTimeoutMs, store);
    }

    /** How often the feed looks for new changes in SQLite (a look at an unchanged file is two {@code stat}s, no read). */
    public FeedSettings withPollInterval(int pollIntervalMs) {
        return new FeedSettings(sqlite, databaseName, topicPrefix, startSeq, stateDir, pollIntervalMs, batchMaxRows, retentionMs, pruneIntervalMs, sqliteBusyTimeoutMs, store);
    }

    /** The same settings, starting at {@code startSeq} when no position is stored (the snapshot's hand-off). */
    public FeedSettings withStartSeq(long startSeq) {
        return new FeedSettings(sqlite, databaseName, topicPrefix, startSeq, stateDir, pollIntervalMs, batchMaxRows, retentionMs, pruneIntervalMs, sqliteBusyTimeoutMs, store);
    }

    /** The same settings for the store {@code name} of a fleet: its own topic and its own offsets file. */
    public FeedSettings withStore(String name) {
        return new FeedSettings(sqlite, name, topicPrefix, startSeq, stateDir, pollIntervalMs, batchMaxRows, retentionMs, pruneIntervalMs, sqliteBusyTimeoutMs, name);
    }

    public String topic() {
        return topicPrefix + "." + databaseName;
    }

    public Path offsetsFile() {
        return offsetsFile(stateDir, store);
    }

    /** Where the feed of {@code store} (null: the single store) keeps its committed position. */
    public static Path offsetsFile(Path stateDir, String store) {
        return storeDir(stateDir, store).resolve("feed-offsets.dat");
    }

    /** The directory of {@code store}'s own files in a fleet's state directory; the state directory itself for a single store. */
    public static Path storeDir(Path stateDir, String store) {
        return store == null ? stateDir : stateDir.resolve("stores").resolve(store);
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

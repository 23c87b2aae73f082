package io.replicator.cli;

import io.replicator.core.ReplicatorException;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.log.LogFile;
import io.replicator.stream.FeedSettings;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;

/** Options of the change feed: where Kafka is, where state lives, names, changelog retention and the log file. */
public final class FeedOptions {
    @Option(names = "--kafka", paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers; default: $KAFKA_BOOTSTRAP_SERVERS, else an embedded single-node broker with its data under --state-dir.")
    String kafka;

    @Option(names = "--state-dir", defaultValue = "data", paramLabel = "DIR",
            description = "The replicator's own files: the feed's committed position and the embedded broker's data (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--topic-prefix", defaultValue = "replicator", paramLabel = "PREFIX",
            description = "Events go to the topic <prefix>.<database name> (default prefix: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--database-name", paramLabel = "NAME", description = "Logical name of the source in topic and events; default: the file name without extension.")
    String databaseName;

    @Option(names = "--changelog-retention", defaultValue = "1h", converter = Durations.class, paramLabel = "DURATION",
            description = "Changelog rows are pruned once published and older than this (default: ${DEFAULT-VALUE}; 0 prunes as soon as published).")
    Duration retention;

    @Option(names = "--log-level", defaultValue = "info", paramLabel = "error|warn|info|debug|trace",
            description = "Level of the log file <state-dir>/logs/replicator.log, which also holds the libraries' lines (Kafka, Debezium,"
                    + " HikariCP, ...); the console shows the replicator's own lines and the libraries' errors either way (default: ${DEFAULT-VALUE}).")
    String logLevel;

    @Option(names = "--poll-interval", converter = Durations.class, paramLabel = "DURATION",
            description = "How often the feed looks for new changes in SQLite; a look at an unchanged file costs two stat calls, no read"
                    + " (default: 5ms; 20ms for each store of a fleet, so a hundred stores wake the CPU less).")
    Duration pollInterval;

    /** The default look interval of one store of a fleet: at 100 stores, 5 ms wakes took a core at idle. */
    static final Duration FLEET_POLL_INTERVAL = Duration.ofMillis(20);

    @Option(names = "--prune-interval", defaultValue = "10s", converter = Durations.class, paramLabel = "DURATION", hidden = true)
    Duration pruneInterval;

    /** Set for one store of a fleet: its topic and its own offsets under the state directory. */
    private String store;

    void useStore(String name) {
        if (databaseName != null) throw ReplicatorException.config("--database-name: a fleet's store is named by the stores file (" + name + ")");
        this.store = name;
    }

    /** Opens the log file under the state directory and says where it is; null where logging is not logback's. */
    LogFile openLog() {
        LogFile log = LogFile.open(stateDir, logLevel);
        if (log != null) System.err.println("log file: " + log.path() + " (level " + logLevel + "; libraries log there, not here)");
        return log;
    }

    FeedSettings settings(SqliteSource source, long startSeq) {
        FeedSettings s = FeedSettings.defaults(source.path(), startSeq, stateDir.toAbsolutePath().normalize())
                .withRetention(retention.toMillis(), pruneInterval.toMillis())
                .withSqliteBusyTimeout(source.busyTimeout().toMillis());
        if (pollInterval != null) s = s.withPollInterval(pollIntervalMs(pollInterval));
        if (store != null) return s.withNames(store, topicPrefix).withStore(store);
        return s.withNames(databaseName != null ? databaseName : s.databaseName(), topicPrefix);
    }

    /** The same settings for one store of a fleet. */
    FeedSettings settings(SqliteSource source, String storeName) {
        if (databaseName != null) throw ReplicatorException.config("--database-name: a fleet's stores are named by the stores file");
        FeedSettings s = settings(source, 0).withNames(storeName, topicPrefix).withStore(storeName);
        return pollInterval == null ? s.withPollInterval(pollIntervalMs(FLEET_POLL_INTERVAL)) : s;
    }

    private static int pollIntervalMs(Duration d) {
        if (d.toMillis() < 1 || d.toMillis() > 60_000) throw ReplicatorException.config("--poll-interval must be 1ms..60s, got " + d);
        return (int) d.toMillis();
    }
}

package io.replicator.feed;

import io.replicator.core.sqlite.SqliteSource;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/** The connector's configuration: typed, validated fields with defaults, as Kafka Connect expects. */
public final class FeedConfig extends AbstractConfig {
    public static final String SQLITE_PATH = "sqlite.path";
    public static final String DATABASE_NAME = "database.name";
    public static final String TOPIC_PREFIX = "topic.prefix";
    public static final String START_SEQ = "start.seq";
    public static final String POLL_INTERVAL_MS = "poll.interval.ms";
    public static final String BATCH_MAX_ROWS = "batch.max.rows";
    public static final String RETENTION_MS = "changelog.retention.ms";
    public static final String PRUNE_INTERVAL_MS = "changelog.prune.interval.ms";
    public static final String PRUNE_CHUNK_ROWS = "changelog.prune.chunk.rows";
    public static final String SQLITE_BUSY_TIMEOUT_MS = "sqlite.busy.timeout.ms";

    private static final Pattern TOPIC_CHARS = Pattern.compile("[A-Za-z0-9._-]+");

    public static final ConfigDef DEF = new ConfigDef()
            .define(SQLITE_PATH, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Path of the SQLite database file, with change capture installed (bin/replicator install).")
            .define(DATABASE_NAME, Type.STRING, "", Importance.MEDIUM,
                    "Logical name of the source database in topic names and events; default: the file name without extension.")
            .define(TOPIC_PREFIX, Type.STRING, "replicator", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Prefix of the topic name: events go to <topic.prefix>.<database.name>, one partition, in changelog order.")
            .define(START_SEQ, Type.LONG, 0L, ConfigDef.Range.atLeast(0), Importance.HIGH,
                    "Changelog position to start after when no offset is stored: the snapshot's high-water mark.")
            .define(POLL_INTERVAL_MS, Type.INT, 5, ConfigDef.Range.between(1, 60_000), Importance.MEDIUM,
                    "How long to wait between looks at PRAGMA data_version when nothing changed.")
            .define(BATCH_MAX_ROWS, Type.INT, 5_000, ConfigDef.Range.between(1, 1_000_000), Importance.MEDIUM,
                    "Most changelog rows read in one SQLite read transaction (one batch).")
            .define(RETENTION_MS, Type.LONG, 3_600_000L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "Changelog rows are pruned once published and committed and older than this.")
            .define(PRUNE_INTERVAL_MS, Type.LONG, 10_000L, ConfigDef.Range.atLeast(10), Importance.LOW,
                    "How often pruning runs.")
            .define(PRUNE_CHUNK_ROWS, Type.INT, 5_000, ConfigDef.Range.between(1, 1_000_000), Importance.LOW,
                    "Changelog rows deleted per (short) write transaction when pruning.")
            .define(SQLITE_BUSY_TIMEOUT_MS, Type.LONG, SqliteSource.DEFAULT_BUSY_TIMEOUT.toMillis(),
                    ConfigDef.Range.between(0, Integer.MAX_VALUE), Importance.LOW,
                    "How long the feed waits for the application's SQLite locks (refreshing capture after a schema change) before it stops.");

    public FeedConfig(Map<?, ?> props) {
        super(DEF, props);
        if (!TOPIC_CHARS.matcher(topicPrefix()).matches()) {
            throw new ConfigException(TOPIC_PREFIX, topicPrefix(), "use letters, digits, '.', '_' and '-' only");
        }
        if (!TOPIC_CHARS.matcher(databaseName()).matches()) {
            throw new ConfigException(DATABASE_NAME, databaseName(), "use letters, digits, '.', '_' and '-' only (or set it explicitly)");
        }
    }

    public String sqlitePath() {
        return getString(SQLITE_PATH);
    }

    public String databaseName() {
        String n = getString(DATABASE_NAME);
        return n.isEmpty() ? defaultDatabaseName(sqlitePath()) : n;
    }

    /** The file name without its extension, with characters a topic name cannot hold replaced by '_'. */
    public static String defaultDatabaseName(String sqlitePath) {
        String f = Path.of(sqlitePath).getFileName().toString();
        int dot = f.lastIndexOf('.');
        if (dot > 0) f = f.substring(0, dot);
        return f.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    public String topicPrefix() {
        return getString(TOPIC_PREFIX);
    }

    public String topic() {
        return topicPrefix() + "." + databaseName();
    }

    public long startSeq() {
        return getLong(START_SEQ);
    }

    public int pollIntervalMs() {
        return getInt(POLL_INTERVAL_MS);
    }

    public int batchMaxRows() {
        return getInt(BATCH_MAX_ROWS);
    }

    public long retentionMs() {
        return getLong(RETENTION_MS);
    }

    public long pruneIntervalMs() {
        return getLong(PRUNE_INTERVAL_MS);
    }

    public int pruneChunkRows() {
        return getInt(PRUNE_CHUNK_ROWS);
    }

    public long sqliteBusyTimeoutMs() {
        return getLong(SQLITE_BUSY_TIMEOUT_MS);
    }
}

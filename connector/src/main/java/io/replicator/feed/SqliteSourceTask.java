package io.replicator.feed;

import java.time.Duration;

import io.replicator.core.ReplicatorException;
import io.replicator.core.sqlite.SqliteErrors;
import io.replicator.core.sqlite.SqliteSource;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The feed's one task: reads the changelog batch by batch and hands the events to Kafka Connect (or Debezium
 * Embedded). Its position is the Connect source offset {@code {"seq": N}} under the partition
 * {@link SourcePartition} (fixed key order: Connect finds an offset by its exact bytes); with none stored it starts after {@code start.seq}, the
 * snapshot's high-water mark. Pruning runs here too, bounded by the offset Connect has committed.
 */
public final class SqliteSourceTask extends SourceTask {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteSourceTask.class);
    /** How long one poll() waits for a change before returning nothing (so the framework can do its work). */
    private static final long IDLE_RETURN_MS = 200;
    /** The longest the feed goes without reading the changelog while the files look unchanged ({@link ChangeHint}). */
    static final long MAX_QUIET_MS = 100;

    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean stopping;
    private FeedConfig config;
    private ChangelogReader reader;
    private ChangeHint hint;
    private ChangelogPruner pruner;
    private EventEncoder encoder;
    private SourcePartition partition;
    private long position;
    private long lastPrune;
    /** When the read connection was last opened again after a stale read ({@link #reopenAfterStaleRead}). */
    private long reopenedAt;
    private static final long REOPEN_WINDOW_MS = 60_000;
    /** The last batch published was cut at its size limit: the next complete one (even empty) must say so. */
    private boolean openGroup;

    @Override
    public String version() {
        return SqliteSourceConnector.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        try {
            config = new FeedConfig(props);
            SqliteSource source = SqliteSource.of(config.sqlitePath()).withBusyTimeout(Duration.ofMillis(config.sqliteBusyTimeoutMs()));
            reader = new ChangelogReader(source, config.batchMaxRows());
            hint = new ChangeHint(source.path(), MAX_QUIET_MS);
            partition = new SourcePartition(config.databaseName(), reader.captureId());
            position = Math.max(config.startSeq(), committedPosition());
            encoder = new EventEncoder(config.databaseName(), source.path().toString(), config.topic(), partition.map());
            pruner = new ChangelogPruner(source, config.retentionMs(), config.pruneChunkRows());
            LOG.info("feed of {} starts after changelog seq {} into topic {}", source.path(), position, config.topic());
        } catch (ReplicatorException e) {
            close();
            throw new ConnectException(e.getMessage(), e);
        }
    }

    /** The offset Connect committed for this source, or 0. */
    private long committedPosition() {
        return context == null ? 0 : partition.committedSeq(context.offsetStorageReader());
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        long until = System.currentTimeMillis() + IDLE_RETURN_MS;
        while (!stopping) {
            lock.lock();
            try {
                if (stopping) return null;
                maybePrune();
                // unchanged files: nothing new, no read (sleeps below); see ChangeHint
                Batch b = hint.readDue(System.currentTimeMillis()) ? reader.next(position) : null;
                pruner.observed(b != null ? b.readAtMillis() : System.currentTimeMillis(), b != null ? b.upTo() : position);
                if (b != null && (!b.isEmpty() || openGroup && b.complete())) {
                    // an empty complete batch after a cut one still closes the group: a marker says "consistent here"
                    List<SourceRecord> records = encoder.encode(b);
                    position = b.upTo();
                    openGroup = !b.complete();
                    hint.reset(); // more may wait behind a full batch: the next poll reads
                    return records;
                }
            } catch (ReplicatorException e) {
                if (!reopenAfterStaleRead(e)) throw new FeedStoppedException(e);
            } finally {
                lock.unlock();
            }
            if (System.currentTimeMillis() >= until) return null;
            TimeUnit.MILLISECONDS.sleep(config.pollIntervalMs());
        }
        return null;
    }

    /**
     * A read that SQLite answered with "not a database" or "malformed" on a file that is fine: seen in
     * ForeignKeyActionsIT, where the application is the sqlite3 3.40 shell (a process that opens, writes and closes
     * the file) and the cutover fenced the file while nothing else held it open; a new connection then read the
     * file without error. Reopened once per {@value #REOPEN_WINDOW_MS} ms; a second failure in that window is
     * taken as real damage and stops the feed.
     */
    private boolean reopenAfterStaleRead(ReplicatorException e) {
        long now = System.currentTimeMillis();
        if (!SqliteErrors.damaged(e) || now - reopenedAt < REOPEN_WINDOW_MS) return false;
        reopenedAt = now;
        LOG.warn("reading the changelog failed ({}); opening the file again and retrying from position {}", e.getMessage(), position);
        reader.close();
        reader = new ChangelogReader(SqliteSource.of(config.sqlitePath()), config.batchMaxRows());
        return true;
    }

    private void maybePrune() {
        long now = System.currentTimeMillis();
        if (now - lastPrune < config.pruneIntervalMs()) return;
        lastPrune = now;
        long committed = committedPosition();
        long deleted = pruner.prune(committed, now);
        LOG.debug("prune: committed {}, deleted {}", committed, deleted);
        if (deleted > 0) LOG.info("pruned {} changelog row(s) at or below the committed position", deleted);
    }

    @Override
    public void stop() {
        stopping = true;
        try {
            if (lock.tryLock(5, TimeUnit.SECONDS)) {
                try {
                    close();
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void close() {
        if (reader != null) reader.close();
        if (pruner != null) pruner.close();
        reader = null;
        pruner = null;
    }

    /** A stop the operator must act on; carries the exit code of the underlying {@link ReplicatorException}. */
    public static final class FeedStoppedException extends ConnectException {
        private final transient ReplicatorException reason;

        FeedStoppedException(ReplicatorException reason) {
            super(reason.getMessage(), reason);
            this.reason = reason;
        }

        public ReplicatorException reason() {
            return reason;
        }
    }
}

package io.replicator.sink;

import io.replicator.core.ExitCode;
import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.core.event.ChangeEventFormat;
import io.replicator.state.SinkState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The sink of one schema, driven by someone else's consumer: the Kafka Connect sink task hands over the records of one
 * topic as Connect delivers them, and this applies them exactly as {@link Sink} does ({@link ApplyStream}: the commit
 * rule, the applier, the position in the transaction of its rows, the schema lock, {@link ErrorClassifier} deciding
 * what follows an error, {@link RetryBudget}). The position lives in PostgreSQL; the caller's consumer offsets are only
 * advisory: it seeks where {@link #start} and {@link #put} say, and commits only {@link #committedOffset}.
 *
 * <p>Invariants: records are taken in topic order, each offset once per reading (an offset at or below one already
 * taken since the last seek is dropped, so a redelivery inside an open group cannot apply an older change over a newer
 * one). After an error nothing of the open transaction remains: the caller seeks to the offset {@link #put} returns
 * and delivers from there again. On start the record at the stored offset must still be there and carry the stored
 * changelog position; otherwise the topic is not the one the position belongs to and the sink refuses (as
 * {@link TopicIdentity} does for {@link Sink}). Not thread-safe: one caller thread.
 */
public final class TopicApplier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicApplier.class);

    /** The first wait after a transient error, doubled up to {@link #MAX_BACKOFF_MS} (as {@link Sink} waits). */
    private static final long FIRST_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5_000;
    /** How often the schema lock is tried while another sink (a task being revoked on another worker) still holds it. */
    private static final long LOCK_RETRY_MS = 500;

    /** One record of the feed's topic as the caller's consumer delivered it (key and value as the feed wrote them). */
    public record Record(long offset, byte[] key, byte[] value) {}

    /** Where an event that can never apply goes under {@code on-error=dead-letter}; returns once it is kept there. */
    public interface DeadLetterWriter {
        void write(long offset, byte[] key, byte[] value, String reason);
    }

    private final String topic;
    private final String schema;
    private final PostgresUrl target;
    private final TargetPool pool;
    private final SchemaLock lock;
    private final SinkProgress progress = new SinkProgress();
    private final ApplyStream stream;
    private final EventDecoder decoder;
    private final RetryBudget retries;
    private final DeadLetterWriter deadLetters;
    private final VerificationHold hold = new VerificationHold();
    private final Set<Long> setAside = new HashSet<>();
    private long committedSeq;
    private long committedOffset = -1;
    private long lastTaken = -1;
    private long checkAt = -1;
    private long backoff = FIRST_BACKOFF_MS;
    private volatile boolean closing;

    /**
     * A sink of {@code schema} reading {@code topic}, not started; {@code deadLetters} null makes an event that cannot
     * apply stop it (exit 3).
     */
    public TopicApplier(PostgresUrl target, String schema, String topic, int poolSize, Duration maxRetryTime, DeadLetterWriter deadLetters) {
        if (poolSize < 1 || poolSize > SinkSettings.MAX_POOL_SIZE) {
            throw ReplicatorException.config("pool.size must be 1.." + SinkSettings.MAX_POOL_SIZE + ", got " + poolSize);
        }
        this.topic = topic;
        this.schema = schema;
        this.target = target;
        this.retries = new RetryBudget(maxRetryTime);
        this.pool = new TargetPool(target, schema, poolSize, null);
        this.lock = new SchemaLock(target, schema);
        this.stream = new ApplyStream(schema, SinkSettings.DEFAULT_MAX_BATCH_EVENTS, progress);
        this.decoder = new EventDecoder(topic);
        this.deadLetters = deadLetters;
    }

    /**
     * Takes the schema's lock (waiting up to {@code lockWait} for another sink to let it go), reads the stored position
     * and returns the offset the caller seeks to: the stored offset itself (its record is checked, then skipped), or 0
     * when the position was set at the hand-off without one (the topic is read from its beginning and skipped by
     * changelog position). The position must have been prepared ({@link HandOff#prepare}).
     */
    public long start(Duration lockWait) throws InterruptedException {
        takeLock(lockWait);
        SinkState state;
        try {
            Connection c = pool.current();
            state = SinkState.read(c, schema);
            c.commit();
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot read the sink position of schema " + schema + " in " + target.redacted() + ": " + e.getMessage(), e);
        }
        if (state == null) throw ReplicatorException.config("no sink position for schema " + schema + ": take a snapshot first");
        if (!topic.equals(state.topic())) {
            throw ReplicatorException.config("the sink position of schema " + schema + " belongs to topic " + state.topic() + ", not " + topic);
        }
        committedSeq = state.seq();
        committedOffset = state.kafkaOffset();
        checkAt = state.kafkaOffset() >= 0 && state.sourceTsMs() != 0 ? state.kafkaOffset() : -1; // a position set, not reached, has no event to compare
        return seekTarget();
    }

    private void takeLock(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try {
                lock.take();
                return;
            } catch (ReplicatorException e) {
                if (e.exitCode() != ExitCode.BAD_CONFIG || System.nanoTime() > deadline) throw e;
                Thread.sleep(LOCK_RETRY_MS);
            }
        }
    }

    /** Where reading starts again from the committed position; resets what was taken since. */
    private long seekTarget() {
        stream.startAt(committedSeq, null);
        lastTaken = checkAt >= 0 ? checkAt - 1 : committedOffset;
        return checkAt >= 0 ? checkAt : committedOffset + 1;
    }

    /**
     * Applies the next records of the topic (in order). Returns empty when the caller reads on, or the offset to seek
     * to when an error was retried or an event set aside (what was open is rolled back and read again). Throws a
     * {@link ReplicatorException} that says why when the sink must stop (exit 2, 3 or 4 by its cause).
     */
    public OptionalLong put(List<Record> records) {
        List<SinkEvent> events = new ArrayList<>(records.size());
        for (Record r : records) {
            if (checkAt >= 0) { // the first record after a start, whatever its offset
                checkStoredEvent(r);
                lastTaken = r.offset();
                continue;
            }
            if (r.offset() <= lastTaken) continue; // a redelivery: never applied twice within one reading
            lastTaken = r.offset();
            if (!setAside.contains(r.offset())) events.add(decoder.decode(r.offset(), r.key(), r.value()));
        }
        try {
            lock.keepIfDue(System.currentTimeMillis());
            Connection c = pool.current();
            stream.apply(c, events, this::committed, e -> { });
            if (stream.idle() && hold.due(System.currentTimeMillis())) hold.holdIfAsked(c, schema, committedSeq, () -> closing);
            return OptionalLong.empty();
        } catch (SQLException | RuntimeException e) {
            stream.abort();
            pool.rollbackQuietly();
            ErrorClassifier.Verdict verdict = ErrorClassifier.classify(e);
            if (verdict == ErrorClassifier.Verdict.POISON && deadLetters != null) {
                setAside((BatchApplier.PoisonEvent) e);
                return OptionalLong.of(seekTarget());
            }
            if (verdict != ErrorClassifier.Verdict.RETRY) throw ErrorClassifier.stop(e, committedSeq);
            retryAfter(e);
            return OptionalLong.of(seekTarget());
        }
    }

    /** The first record read after a start must be the one the position was stored with. */
    private void checkStoredEvent(Record r) {
        long expected = checkAt;
        checkAt = -1;
        if (r.offset() > expected) {
            throw new ReplicatorException(ExitCode.DATA_LOSS, "topic " + topic + " no longer holds offset " + expected + ", where the sink of schema "
                    + schema + " stopped (changelog seq " + committedSeq + "); the first it delivers is " + r.offset() + ": Kafka's retention"
                    + " deleted events not applied yet, or the topic was created again. Nothing was skipped: the sink stops here. Take a new"
                    + " snapshot (bin/replicator snapshot --drop ...) and raise the topic's retention.ms");
        }
        ChangeEventFormat.Source src = decoder.source(r.value());
        if (r.offset() < expected || src.batch() != committedSeq) {
            throw ReplicatorException.config("the event at offset " + r.offset() + " of topic " + topic + " belongs to changelog seq " + src.batch()
                    + ", but the sink of schema " + schema + " stored offset " + expected + " with seq " + committedSeq + ": the topic holds other"
                    + " events than the ones applied (was it deleted and created again?). Take a new snapshot (bin/replicator snapshot --drop ...)");
        }
    }

    private void committed(CommitRule.Commit c) {
        committedSeq = c.seq();
        committedOffset = c.offset();
        retries.succeeded();
        backoff = FIRST_BACKOFF_MS;
    }

    private void setAside(BatchApplier.PoisonEvent p) {
        deadLetters.write(p.event.offset(), null, p.event.raw(), p.getMessage());
        setAside.add(p.event.offset());
        LOG.warn("dead-lettered: {}", p.getMessage());
        try {
            SinkState.deadLettered(pool.current(), schema);
        } catch (SQLException e) {
            LOG.warn("could not count the dead-lettered event in {}: {}", SinkState.TABLE, e.getMessage());
        }
    }

    /** Counts a transient error against the retry budget (throws once past it), then waits the backoff. */
    private void retryAfter(Exception e) {
        String message = ErrorClassifier.message(e);
        retries.failed(ErrorClassifier.sqlState(e), message);
        LOG.warn("transient error applying topic {} to schema {} ({}); resuming from changelog position {} in {} ms", topic, schema, message,
                committedSeq, backoff);
        if (e instanceof SQLException) pool.closeCurrent();
        try {
            Thread.sleep(backoff);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }

    /** The offset the caller may commit as read (the one after the last committed batch), or empty before any. */
    public OptionalLong committedOffset() {
        return committedOffset < 0 ? OptionalLong.empty() : OptionalLong.of(committedOffset + 1);
    }

    /** The changelog position PostgreSQL reflects for this schema, as last read or committed. */
    public long committedSeq() {
        return committedSeq;
    }

    public String schema() {
        return schema;
    }

    /** Rolls back whatever is open, lets the lock go and closes the connections. */
    @Override
    public void close() {
        closing = true;
        stream.abort();
        pool.close();
        lock.close();
    }
}

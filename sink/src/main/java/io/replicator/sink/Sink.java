package io.replicator.sink;

import io.replicator.state.SinkState;

import io.replicator.core.ReplicatorException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/**
 * The idempotent sink: consumes the feed's topic in order and applies it to PostgreSQL, whole consistent batches at a
 * time, each in one transaction with its position ({@link SinkState}). On start it seeks to the stored position and
 * skips every event at or below it, so redelivery, duplicates and replays change nothing.
 *
 * <p>This class is the sink's face and its thread: it owns the parts and decides, through {@link ErrorClassifier},
 * what follows an error. The parts: {@link SinkSettings} (what it is told), {@link SchemaLock} (one sink per schema),
 * {@link TargetPool} (connections), {@link ApplyLoop} (poll, group by {@link CommitRule}, apply, commit),
 * {@link ReplayControl}, {@link DeadLetters}, {@link RetryBudget}. Transient errors are retried with backoff from the
 * stored position on a new connection; an event that can never apply stops the sink (default) or goes to the
 * dead-letter topic {@code <topic>.dlq} with the reason; anything else stops it, saying where.
 */
public final class Sink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Sink.class);

    /** The first wait after a transient error: a lost connection is usually back at once. */
    private static final long FIRST_BACKOFF_MS = 100;
    /** The longest wait between retries, doubled up to here: a restarting PostgreSQL is seen within seconds. */
    private static final long MAX_BACKOFF_MS = 5_000;
    /** How long {@link #close} waits for the transaction in progress (a large chunk may take this long to apply). */
    private static final long CLOSE_WAIT_S = 30;
    /** Then how long for the thread to end after its last cleanup. */
    private static final long JOIN_MS = 5_000;

    private final SinkSettings settings;
    private final TargetPool pool;
    private final SchemaLock lock;
    private final ReplayControl replay = new ReplayControl();
    private final SinkProgress progress = new SinkProgress();
    private final RetryBudget retries;
    private final Thread thread;
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicReference<ReplicatorException> failure = new AtomicReference<>();
    private volatile DeadLetters deadLetters;
    private volatile boolean stopping;

    private Sink(SinkSettings settings) {
        this.settings = settings;
        this.retries = new RetryBudget(settings.maxRetryTime());
        this.pool = new TargetPool(settings);
        this.lock = new SchemaLock(settings.target(), settings.schema(), settings.shared());
        this.thread = new Thread(this::run, "sink");
    }

    public static Sink start(SinkSettings settings) {
        Sink s = new Sink(settings);
        s.thread.start();
        return s;
    }

    /** Called after each commit, on the sink's thread, with the time from the transaction's first apply to its commit (ns); {@link #appliedSeq} and {@link #lastSourceTsMs} already show the commit. */
    public void onCommit(LongConsumer listener) {
        progress.onCommit(listener);
    }

    /**
     * Asks the running sink to re-apply every change Kafka holds after {@code fromSeq}: at its next consistent
     * point it sets its position back and reads the topic again (applying is idempotent). With {@code tables},
     * only those SQLite tables' changes are re-applied up to the position the sink was at, all in one transaction
     * (PostgreSQL's foreign keys are checked once, at the end, on the state SQLite had there); then it goes on
     * as usual. The caller checks that Kafka still holds the changes after {@code fromSeq}.
     */
    public void replay(long fromSeq, Set<String> tables) {
        replay.request(fromSeq, tables);
    }

    /** True while a requested replay has not been taken up yet or a table-limited one is still re-applying. */
    public boolean replaying() {
        return replay.replaying();
    }

    /** The changelog position PostgreSQL reflects (-1 until the sink read its state). */
    public long appliedSeq() {
        return progress.appliedSeq();
    }

    /** The topic offset of the last batch this sink committed (-1 before its first commit). */
    public long appliedOffset() {
        return progress.appliedOffset();
    }

    public long appliedEvents() {
        return progress.appliedEvents();
    }

    public long deadLettered() {
        DeadLetters d = deadLetters;
        return d == null ? 0 : d.count();
    }

    /** When the feed read the last applied batch from SQLite (epoch ms), 0 before the first. */
    public long lastSourceTsMs() {
        return progress.lastSourceTsMs();
    }

    public boolean await(Duration d) throws InterruptedException {
        return done.await(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    public ReplicatorException failure() {
        return failure.get();
    }

    /** The transient error the sink is retrying now, and since when; null while nothing fails. */
    public RetryBudget.Failing retrying() {
        return retries.current();
    }

    /** How this sink keeps PostgreSQL from doing more than SQLite did; null until it has connected. */
    public ApplySession.Mode applyMode() {
        return pool.mode();
    }

    /** True when a sink (a `run` or a `replay`) applies to {@code schema} now; see {@link SchemaLock}. */
    public static boolean schemaBusy(Connection c, String schema) throws SQLException {
        return SchemaLock.busy(c, schema);
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> consumer = ApplyLoop.consumer(settings);
             SinkInstruments.Binding watched = settings.instruments().consumerOpened(consumer);
             DeadLetters dlq = DeadLetters.open(settings)) {
            deadLetters = dlq;
            lock.take();
            ApplyLoop loop = new ApplyLoop(settings, consumer, pool, lock, replay, dlq, retries, progress, () -> stopping);
            long backoff = FIRST_BACKOFF_MS;
            while (!stopping) {
                try {
                    loop.pass();
                } catch (SQLException | RuntimeException e) {
                    loop.abort();
                    ErrorClassifier.Verdict verdict = ErrorClassifier.classify(e);
                    if (verdict == ErrorClassifier.Verdict.POISON && dlq.enabled()) {
                        setAside((BatchApplier.PoisonEvent) e, dlq);
                        continue;
                    }
                    if (verdict != ErrorClassifier.Verdict.RETRY) throw ErrorClassifier.stop(e, progress.appliedSeq());
                    if (stopping) break;
                    retryAfter(e, backoff);
                    sleep(backoff);
                    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
                }
            }
        } catch (RuntimeException e) {
            failure.set(ErrorClassifier.stop(e, progress.appliedSeq()));
        } finally {
            pool.close();
            lock.close();
            done.countDown();
        }
    }

    /** A poison event under --on-error=dead-letter: into the dead-letter topic, counted; the next pass reads past it. */
    private void setAside(BatchApplier.PoisonEvent p, DeadLetters dlq) {
        dlq.write(p);
        try {
            SinkState.deadLettered(pool.current(), settings.schema());
        } catch (SQLException e) {
            LOG.warn("could not count the dead-lettered event in {}: {}", SinkState.TABLE, e.getMessage());
        }
    }

    /** Counts a transient error against --max-retry-time (throws, exit 4, once past it) and says what happens next. */
    private void retryAfter(Exception e, long backoffMs) {
        String message = ErrorClassifier.message(e);
        retries.failed(ErrorClassifier.sqlState(e), message);
        if (e instanceof SQLException s) {
            LOG.warn("transient PostgreSQL error ({}: {}); resuming from position {} in {} ms", s.getSQLState(), message, progress.appliedSeq(), backoffMs);
            pool.closeCurrent(); // a new connection from the pool for the next pass
        } else {
            LOG.warn("{}; trying again in {} ms", message, backoffMs);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops after the transaction in progress (whole batches only), then closes. */
    @Override
    public void close() {
        stopping = true;
        try {
            done.await(CLOSE_WAIT_S, TimeUnit.SECONDS);
            thread.join(JOIN_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

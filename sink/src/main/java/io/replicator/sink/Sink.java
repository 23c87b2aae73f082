package io.replicator.sink;

import io.replicator.state.Control;
import io.replicator.state.SinkLock;
import io.replicator.state.SinkState;

import io.replicator.core.ExitCode;
import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.core.event.ChangeEventFormat;
import io.replicator.core.event.SqliteValue;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.data.Struct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The idempotent sink: consumes the feed's topic in order and applies it to PostgreSQL, whole consistent
 * batches at a time, each in one transaction with its position ({@link SinkState}). On start it seeks to the
 * stored position and skips every event at or below it, so redelivery, duplicates and replays change nothing.
 * Transient PostgreSQL errors (serialization failure, deadlock, lost connection, restart) are retried with
 * backoff on a new connection; an event that can never apply stops the sink (default) or goes to the
 * dead-letter topic {@code <topic>.dlq} with the reason.
 */
public final class Sink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Sink.class);

    /**
     * @param poolSize connections in the HikariCP pool to PostgreSQL (batches are applied one at a time, in
     *                 order, on one of them; the pool replaces a lost connection)
     */
    public record Settings(String bootstrap, String topic, String schema, PostgresUrl target, boolean deadLetter, int maxBatchEvents, int poolSize,
                           Duration maxRetryTime) {
        /** Transient PostgreSQL errors of one kind are retried this long by default before the sink stops (exit 4). */
        public static final Duration DEFAULT_MAX_RETRY_TIME = Duration.ofMinutes(10);

        public Settings {
            if (poolSize < 1 || poolSize > 100) throw ReplicatorException.config("--pool-size must be 1..100, got " + poolSize);
            new RetryBudget(maxRetryTime); // validates
        }

        public Settings(String bootstrap, String topic, String schema, PostgresUrl target, boolean deadLetter, int maxBatchEvents, int poolSize) {
            this(bootstrap, topic, schema, target, deadLetter, maxBatchEvents, poolSize, DEFAULT_MAX_RETRY_TIME);
        }
    }

    private final com.zaxxer.hikari.HikariDataSource pool;

    private final Settings settings;
    private final TargetCatalog catalog;
    private final BatchApplier applier;
    private final EventJsonReader reader = new EventJsonReader();
    private final Thread thread;
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicReference<ReplicatorException> failure = new AtomicReference<>();
    private final AtomicLong appliedSeq = new AtomicLong(-1);
    private final AtomicLong appliedEvents = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong lastSourceTs = new AtomicLong();
    private volatile boolean stopping;
    private volatile ApplySession.Mode applyMode;
    private final RetryBudget retries;
    private volatile java.util.function.LongConsumer commitListener = n -> { };
    private volatile Replay replayRequest;
    /** While a replay limited to some tables runs: those tables, and the position it ends at (the one it started from). */
    private java.util.Set<String> replayTables;
    private long replayUntil = -1;
    private Connection conn;
    /** The session holding the schema's advisory lock ({@link #schemaBusy}); replaced if PostgreSQL drops it. */
    private Connection lock;
    private long lockCheckedAt;

    /** A request to re-apply every change after {@code fromSeq}; {@code tables} null for all, else SQLite table names. */
    private record Replay(long fromSeq, java.util.Set<String> tables) {}

    private Sink(Settings settings) {
        this.settings = settings;
        this.catalog = new TargetCatalog(settings.schema());
        this.applier = new BatchApplier(catalog);
        this.retries = new RetryBudget(settings.maxRetryTime());
        com.zaxxer.hikari.HikariConfig hc = new com.zaxxer.hikari.HikariConfig();
        hc.setJdbcUrl(settings.target().jdbcUrl());
        hc.setDataSourceProperties(settings.target().properties("replicator-sink"));
        hc.setMaximumPoolSize(settings.poolSize());
        hc.setMinimumIdle(1);
        hc.setAutoCommit(false);
        hc.setPoolName("replicator-sink");
        hc.setInitializationFailTimeout(-1); // PostgreSQL may be restarting: the sink retries
        hc.setConnectionTimeout(10_000);
        // Set, not detected: HikariCP detects the default on the first connection, and if PostgreSQL drops that
        // connection during the detection the pool is left unable to create any (HikariCP issue #1944)
        hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        hc.setConnectionInitSql(ApplySession.INIT_SQL); // no foreign-key action or trigger fires for the sink (ApplySession)
        this.pool = new com.zaxxer.hikari.HikariDataSource(hc);
        this.thread = new Thread(this::run, "sink");
    }

    public static Sink start(Settings settings) {
        Sink s = new Sink(settings);
        s.thread.start();
        return s;
    }

    /** Called after each commit with the time from the transaction's first apply to its commit (ns). */
    public void onCommit(java.util.function.LongConsumer listener) {
        this.commitListener = listener;
    }

    /**
     * Asks the running sink to re-apply every change Kafka holds after {@code fromSeq}: at its next consistent
     * point it sets its position back and reads the topic again (applying is idempotent). With {@code tables},
     * only those SQLite tables' changes are re-applied up to the position the sink was at, all in one transaction
     * (PostgreSQL's foreign keys are checked once, at the end, on the state SQLite had there); then it goes on
     * as usual. The caller checks that Kafka still holds the changes after {@code fromSeq}.
     */
    public void replay(long fromSeq, java.util.Set<String> tables) {
        if (fromSeq < 0) throw ReplicatorException.config("replay: the position must be 0 or more, got " + fromSeq);
        replayRequest = new Replay(fromSeq, tables == null || tables.isEmpty() ? null : java.util.Set.copyOf(tables));
    }

    /** True while a requested replay has not been taken up yet or a table-limited one is still re-applying. */
    public boolean replaying() {
        return replayRequest != null || replayUntil >= 0;
    }

    /** The changelog position PostgreSQL reflects (-1 until the sink read its state). */
    public long appliedSeq() {
        return appliedSeq.get();
    }

    public long appliedEvents() {
        return appliedEvents.get();
    }

    public long deadLettered() {
        return deadLettered.get();
    }

    /** When the feed read the last applied batch from SQLite (epoch ms), 0 before the first. */
    public long lastSourceTsMs() {
        return lastSourceTs.get();
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

    /**
     * One sink per target schema: a session advisory lock, held on its own connection for the sink's life, so a
     * second `run` or a `replay` cannot apply to the same tables at the same time.
     */
    public static boolean schemaBusy(Connection c, String schema) throws SQLException {
        return SinkLock.busy(c, schema);
    }

    /** How often an idle or streaming sink makes sure it still holds its schema's lock (one round trip). */
    private static final long LOCK_CHECK_MS = 5_000;

    private Connection lock() throws SQLException {
        Connection c = DriverManager.getConnection(settings.target().jdbcUrl(), settings.target().properties("replicator-sink-lock"));
        try {
            if (!SinkLock.tryTake(c, settings.schema())) {
                c.close();
                throw ReplicatorException.config("another sink (a running `run` or `replay`) is applying to schema " + settings.schema()
                        + "; stop it first");
            }
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * The lock lives as long as its session: a PostgreSQL restart or a terminated backend ends it while this sink
     * goes on. Checked before applying after every error and every few seconds; taken again when gone. If another
     * sink took the schema in the meantime, this one stops.
     */
    private void keepLock() throws SQLException {
        lockCheckedAt = System.currentTimeMillis();
        if (lock != null) {
            try {
                if (lock.isValid(2)) return;
            } catch (SQLException ignored) {
                // gone: taken again below
            }
            closeQuietly(lock);
            lock = null;
            LOG.warn("the sink's lock on schema {} went with its PostgreSQL session; taking it again", settings.schema());
        }
        lock = lock();
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // already gone
        }
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer();
             KafkaProducer<byte[], byte[]> dlq = settings.deadLetter() ? producer() : null) {
            try {
                keepLock();
            } catch (SQLException e) {
                throw ReplicatorException.runtime("cannot take the sink lock of schema " + settings.schema() + ": " + e.getMessage(), e);
            }
            TopicPartition tp = new TopicPartition(settings.topic(), 0);
            consumer.assign(List.of(tp));
            long backoff = 100;
            java.util.Set<Long> setAside = new java.util.HashSet<>();
            while (!stopping) {
                try {
                    consume(consumer, tp, setAside);
                } catch (BatchApplier.PoisonEvent p) {
                    rollbackQuietly();
                    if (dlq == null) {
                        throw new ReplicatorException(ExitCode.DATA_LOSS, p.getMessage() + ". The sink stopped at changelog position " + appliedSeq.get()
                                + "; nothing after it was applied. Fix the column's type (ALTER TABLE ...) and restart, or run with"
                                + " --on-error=dead-letter to set such events aside");
                    }
                    deadLetter(dlq, p);
                    setAside.add(p.event.offset()); // consumed again from the position, without it
                    try {
                        if (conn == null) conn = connect();
                        SinkState.deadLettered(conn, settings.schema());
                    } catch (SQLException e) {
                        LOG.warn("could not count the dead-lettered event in {}: {}", SinkState.TABLE, e.getMessage());
                    }
                } catch (TopicIdentity.KafkaUnavailable k) {
                    if (stopping) break;
                    retries.failed(null, k.getMessage());
                    LOG.warn("{}; trying again in {} ms", k.getMessage(), backoff);
                    sleep(backoff);
                    backoff = Math.min(backoff * 2, 5_000);
                } catch (SQLException ex) {
                    rollbackQuietly();
                    if ("23503".equals(ex.getSQLState()) || "23505".equals(ex.getSQLState()) || "23514".equals(ex.getSQLState())) {
                        throw new ReplicatorException(ExitCode.DATA_LOSS, "PostgreSQL refuses a state SQLite holds (after changelog position "
                                + appliedSeq.get() + "): " + rootMessage(ex) + " (SQLState " + ex.getSQLState() + "). SQLite enforces foreign keys"
                                + " only under PRAGMA foreign_keys=ON, CHECK constraints loosely, and uniqueness under its own collations; PostgreSQL"
                                + " always checks. Nothing after that position was applied. Fix the rows in SQLite, or drop the constraint in"
                                + " PostgreSQL (ALTER TABLE ... DROP CONSTRAINT ...) and restart; it can be added back (NOT VALID) later");
                    }
                    if (!transientError(ex)) {
                        throw ReplicatorException.runtime("applying changes after position " + appliedSeq.get() + " to PostgreSQL failed: "
                                + rootMessage(ex) + " (SQLState " + ex.getSQLState() + "); nothing after that position was applied; restart to retry", ex);
                    }
                    if (stopping) break;
                    retries.failed(ex.getSQLState(), rootMessage(ex));
                    LOG.warn("transient PostgreSQL error ({}: {}); resuming from position {} in {} ms", ex.getSQLState(), rootMessage(ex),
                            appliedSeq.get(), backoff);
                    closeConnection();
                    sleep(backoff);
                    backoff = Math.min(backoff * 2, 5_000);
                }
            }
        } catch (ReplicatorException e) {
            failure.set(e);
        } catch (RuntimeException e) {
            failure.set(ReplicatorException.runtime("the sink stopped: " + PostgresUrl.redactRaw(String.valueOf(e)), e));
        } finally {
            rollbackQuietly();
            closeConnection();
            if (lock != null) closeQuietly(lock);
            pool.close();
            done.countDown();
        }
    }

    /**
     * Reads from the stored position on and applies until stopped or an error. Events go into one open
     * transaction as they come; it commits (with the position) only at a consistent point, i.e. right after an
     * event marked last_in_batch: the last such point of a poll, or an earlier one once {@code maxBatchEvents}
     * wait. A group cut into many batches (catching up) is applied in pieces inside one transaction, so memory
     * stays bounded whatever the backlog.
     */
    private void consume(KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp, java.util.Set<Long> setAside) throws SQLException {
        keepLock();
        if (conn == null) conn = connect();
        SinkState state = SinkState.read(conn, settings.schema());
        conn.commit();
        if (state == null) throw ReplicatorException.config("no sink position for schema " + settings.schema() + ": take a snapshot first");
        appliedSeq.set(state.seq());
        if (replayRequest == null) { // a replay sets the position back by changelog seq: the stored offset is not used
            String topicId = TopicIdentity.topicId(settings.bootstrap(), settings.topic());
            TopicIdentity.check(consumer, tp, settings.schema(), state, topicId, r -> ChangeEventFormat.readSource((Struct) reader.read(settings.topic(), r.value())));
            if (state.topicId() == null) {
                SinkState.topicId(conn, settings.schema(), topicId);
                conn.commit();
            }
        }
        if (state.kafkaOffset() >= 0) consumer.seek(tp, state.kafkaOffset() + 1);
        else consumer.seekToBeginning(List.of(tp));
        List<SinkEvent> chunk = new ArrayList<>();
        boolean inTx = false;
        boolean inGroup = false;
        long accepted = state.seq();
        long sinceCommit = 0;
        long txStart = 0;
        long holdCheckedAt = 0;
        while (!stopping) {
            if (!inTx && !inGroup && replayRequest != null) {
                rewind(replayRequest, accepted);
                return; // read the position again and seek to it
            }
            if (!inTx && !inGroup && System.currentTimeMillis() - holdCheckedAt > 100) {
                holdCheckedAt = System.currentTimeMillis();
                holdIfAsked();
                if (holdCheckedAt - lockCheckedAt > LOCK_CHECK_MS) keepLock();
            }
            ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(20));
            List<SinkEvent> events = new ArrayList<>(records.count());
            for (ConsumerRecord<byte[], byte[]> r : records) if (!setAside.contains(r.offset())) events.add(decode(r));
            int lastEnd = -1;
            for (int i = 0; i < events.size(); i++) if (events.get(i).source().lastInBatch()) lastEnd = i;
            for (int i = 0; i < events.size(); i++) {
                SinkEvent e = events.get(i);
                // Between groups, an event at or below what is applied is a duplicate or a batch the feed re-sent after a
                // restart: skip it. Inside a group everything counts; the last change per key wins.
                if (!inGroup && e.source().batch() <= accepted) continue;
                inGroup = true;
                boolean limited = replayUntil >= 0 && e.source().batch() <= replayUntil;
                if (!limited || e.table() == null || replayTables.contains(e.table())) chunk.add(e);
                boolean end = e.source().lastInBatch();
                if (end || chunk.size() >= settings.maxBatchEvents()) {
                    if (!inTx) {
                        BatchApplier.begin(conn);
                        inTx = true;
                        txStart = System.nanoTime();
                    }
                    if (!chunk.isEmpty()) applier.apply(conn, chunk);
                    sinceCommit += chunk.size();
                    chunk.clear();
                }
                if (end) {
                    inGroup = false;
                    accepted = e.source().batch();
                    if (replayUntil >= 0 && accepted >= replayUntil) {
                        LOG.info("replay of tables {} reached changelog position {}; applying all tables again", replayTables, accepted);
                        replayUntil = -1;
                        replayTables = null;
                        limited = false;
                    }
                    if (!limited && (i == lastEnd || sinceCommit >= settings.maxBatchEvents())) {
                        SinkState.advance(conn, settings.schema(), e.offset(), accepted, e.source().tsMs(), sinceCommit);
                        conn.commit();
                        inTx = false;
                        retries.succeeded();
                        commitListener.accept(System.nanoTime() - txStart);
                        appliedEvents.addAndGet(sinceCommit);
                        sinceCommit = 0;
                        appliedSeq.set(accepted);
                        lastSourceTs.set(e.source().tsMs());
                    }
                }
            }
        }
        rollbackQuietly(); // stopping: work not at a consistent point is dropped; the next start redoes it from the position
    }

    /** At a consistent point, nothing open: sets the stored position back for a requested replay. */
    private void rewind(Replay r, long at) throws SQLException {
        replayRequest = null;
        if (r.fromSeq() >= at) {
            LOG.info("replay from {}: nothing to re-apply, PostgreSQL is at {}", r.fromSeq(), at);
            return;
        }
        if (r.tables() != null) {
            replayTables = r.tables();
            replayUntil = at;
        }
        SinkState.reset(conn, settings.schema(), settings.topic(), r.fromSeq(), -1);
        conn.commit();
        LOG.info("replay: position set back from {} to {}{}", at, r.fromSeq(), r.tables() == null ? "" : " for tables " + r.tables());
    }

    /** At a consistent point: if online verification asked, apply nothing until it lets go, saying where we hold. */
    private void holdIfAsked() throws SQLException {
        if (!Control.holdRequested(conn, settings.schema())) {
            conn.commit();
            return;
        }
        Control.setHeld(conn, settings.schema(), appliedSeq.get());
        conn.commit();
        LOG.info("holding at changelog position {} for verification", appliedSeq.get());
        long deadline = System.currentTimeMillis() + 600_000; // a verification that died does not hold replication forever
        while (!stopping && System.currentTimeMillis() < deadline && Control.holdRequested(conn, settings.schema())) {
            conn.commit();
            sleep(20);
        }
        Control.setHeld(conn, settings.schema(), null);
        conn.commit();
    }

    /** The server's own words: a batch error's first cause, without the statement text. */
    static String rootMessage(SQLException e) {
        SQLException root = e.getNextException() != null ? e.getNextException() : e;
        String m = String.valueOf(root.getMessage());
        return m.length() > 600 ? m.substring(0, 600) + "…" : m;
    }

    /** Serialization failure, deadlock, and any connection-level trouble (lost, shut down, starting up). */
    static boolean transientError(SQLException e) {
        String s = e.getSQLState();
        return s == null || s.equals("40001") || s.equals("40P01") || s.startsWith("08") || s.equals("57P01") || s.equals("57P02") || s.equals("57P03");
    }

    private void deadLetter(KafkaProducer<byte[], byte[]> dlq, BatchApplier.PoisonEvent p) {
        try {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(settings.topic() + ".dlq", null, p.event.raw());
            r.headers().add("replicator.reason", p.getMessage().getBytes(StandardCharsets.UTF_8));
            r.headers().add("replicator.offset", Long.toString(p.event.offset()).getBytes(StandardCharsets.UTF_8));
            dlq.send(r).get(30, TimeUnit.SECONDS);
            deadLettered.incrementAndGet();
            LOG.warn("dead-lettered: {}", p.getMessage());
        } catch (Exception e) {
            throw ReplicatorException.runtime("cannot write to the dead-letter topic " + settings.topic() + ".dlq: " + e, e);
        }
    }

    private SinkEvent decode(ConsumerRecord<byte[], byte[]> r) {
        Struct v = (Struct) reader.read(settings.topic(), r.value());
        Map<String, SqliteValue> key = r.key() == null ? Map.of() : ChangeEventFormat.decodeRow((Struct) reader.read(settings.topic(), r.key()));
        Struct after = v.getStruct("after");
        Struct ddl = v.getStruct("ddl");
        List<String> statements = ddl == null || !ddl.getBoolean("exists") ? null : ddl.<String>getArray("statements");
        ChangeEventFormat.Source src = ChangeEventFormat.readSource(v);
        return new SinkEvent(r.offset(), v.getString("op"), src.table(), key, after == null ? null : ChangeEventFormat.decodeRow(after), src,
                statements, r.value());
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10", ConsumerConfig.CLIENT_ID_CONFIG, "replicator-sink"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private Connection connect() throws SQLException {
        Connection c = pool.getConnection();
        SinkState.ensure(c);
        c.commit();
        applyMode = ApplySession.prepare(c, settings.schema());
        return c;
    }

    /** How this sink keeps PostgreSQL from doing more than SQLite did; null until it has connected. */
    public ApplySession.Mode applyMode() {
        return applyMode;
    }

    private void rollbackQuietly() {
        catalog.clear();
        try {
            if (conn != null) conn.rollback();
        } catch (SQLException ignored) {
            closeConnection();
        }
    }

    private void closeConnection() {
        try {
            if (conn != null) {
                if (conn.isValid(1)) conn.close();
                else pool.evictConnection(conn);
            }
        } catch (SQLException ignored) {
            // closing
        }
        conn = null;
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
            done.await(30, TimeUnit.SECONDS);
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.replicator.sink;

import io.replicator.state.SinkState;

import io.replicator.core.ReplicatorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Replays asked of a running sink ({@code POST /replay}, {@code replay}): a request waits here until the sink is at a
 * consistent point with nothing open, then {@link #rewind} sets the stored position back and the sink reads the topic
 * again from there (applying is idempotent, so re-applied changes change nothing that was right). A replay of some
 * tables only also leaves a {@link CommitRule.ReplayLimit} that the commit rule follows until the position the sink
 * was at.
 *
 * <p>Requests come from any thread; {@link #rewind} and {@link #ended} run on the sink's thread. A request is
 * dropped only once its position is committed, so a transient error while rewinding does not lose it.
 */
final class ReplayControl {
    private static final Logger LOG = LoggerFactory.getLogger(ReplayControl.class);

    /** Re-apply every change after {@code fromSeq}; {@code tables} null for all, else SQLite table names. */
    private record Request(long fromSeq, Set<String> tables) {}

    private final AtomicReference<Request> request = new AtomicReference<>();
    private volatile CommitRule.ReplayLimit limit;

    /** Asks for a replay from {@code fromSeq}; {@code tables} null or empty for every table. */
    void request(long fromSeq, Set<String> tables) {
        if (fromSeq < 0) throw ReplicatorException.config("replay: the position must be 0 or more, got " + fromSeq);
        request.set(new Request(fromSeq, tables == null || tables.isEmpty() ? null : Set.copyOf(tables)));
    }

    /** True while a request waits, or a table-limited replay is still re-applying. */
    boolean replaying() {
        return request.get() != null || limit != null;
    }

    boolean requested() {
        return request.get() != null;
    }

    /** The table-limited replay in progress, or null. */
    CommitRule.ReplayLimit limit() {
        return limit;
    }

    /**
     * At a consistent point, nothing open, PostgreSQL at {@code at}: sets the stored position back for the waiting
     * request (commits) and reports the new position to {@code progress} before the request counts as taken up, so
     * whoever waits for {@code !replaying() && appliedSeq() >= end} cannot see the old position and stop waiting
     * before anything was re-applied. The caller then reads the position again and seeks to it.
     */
    void rewind(Connection c, String schema, String topic, long at, SinkProgress progress) throws SQLException {
        Request r = request.get();
        if (r == null) return;
        if (r.fromSeq() >= at) {
            request.compareAndSet(r, null);
            LOG.info("replay from {}: nothing to re-apply, PostgreSQL is at {}", r.fromSeq(), at);
            return;
        }
        SinkState.reset(c, schema, topic, r.fromSeq(), -1);
        c.commit();
        progress.positionRead(r.fromSeq());
        limit = r.tables() == null ? null : new CommitRule.ReplayLimit(at, r.tables());
        request.compareAndSet(r, null);
        LOG.info("replay: position set back from {} to {}{}", at, r.fromSeq(), r.tables() == null ? "" : " for tables " + r.tables());
    }

    /** The table-limited replay reached its end: every table is applied again. */
    void ended(CommitRule.ReplayEnded e) {
        limit = null;
        LOG.info("replay of tables {} reached changelog position {}; applying all tables again", e.tables(), e.seq());
    }
}

package io.replicator.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The sink's position, one row per target schema in {@value #TABLE}, written in the same transaction as the rows
 * it covers: after a crash, PostgreSQL holds exactly the batches up to it.
 *
 * @param kafkaOffset the offset of the last event applied in the feed's topic (-1: none yet)
 * @param seq         the changelog position PostgreSQL reflects: the snapshot's mark, then each applied batch's
 * @param sourceTsMs  when the feed read the last applied batch from SQLite (epoch ms); 0 while the position was set
 *                    (snapshot hand-off, replay) rather than reached by applying
 * @param topicId     Kafka's id of the topic the offset belongs to; null until the sink first read it
 */
public record SinkState(String topic, long kafkaOffset, long seq, long sourceTsMs, long appliedAtMs, long deadLettered, String topicId) {
    public static final String TABLE = StateSchema.NAME + ".sink_position";

    /** Brings the state schema up to date (see {@link StateSchema#ensure}). */
    public static void ensure(Connection c) throws SQLException {
        StateSchema.ensure(c);
    }

    /** The stored position, or null when the sink never ran for this schema. */
    public static SinkState read(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT topic, kafka_offset, seq, source_ts_ms, (extract(epoch FROM applied_at) * 1000)::bigint,"
                + " dead_lettered, topic_id FROM " + TABLE + " WHERE target_schema = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new SinkState(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getString(7)) : null;
            }
        }
    }

    /**
     * Starts (or restarts, after a new snapshot or for a replay) the position at changelog position {@code seq};
     * {@code kafkaOffset} is the last offset to skip in the topic (-1: read it from the start, skipping by position).
     */
    public static void reset(Connection c, String schema, String topic, long seq, long kafkaOffset) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (target_schema, topic, kafka_offset, seq, source_ts_ms) VALUES (?, ?, ?, ?, 0)"
                + " ON CONFLICT (target_schema) DO UPDATE SET topic = excluded.topic, kafka_offset = excluded.kafka_offset, seq = excluded.seq,"
                + " source_ts_ms = 0, events = 0, applied_at = clock_timestamp(), topic_id = NULL")) {
            ps.setString(1, schema);
            ps.setString(2, topic);
            ps.setLong(3, kafkaOffset);
            ps.setLong(4, seq);
            ps.executeUpdate();
        }
    }

    /** Records which topic the stored offsets belong to (once, when the sink first reads it after a reset). */
    public static void topicId(Connection c, String schema, String topicId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET topic_id = ? WHERE target_schema = ?")) {
            ps.setString(1, topicId);
            ps.setString(2, schema);
            ps.executeUpdate();
        }
    }

    /** Counts an event set aside in the dead-letter topic (its own transaction: the event is already there). */
    public static void deadLettered(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET dead_lettered = dead_lettered + 1 WHERE target_schema = ?")) {
            ps.setString(1, schema);
            ps.executeUpdate();
        }
        c.commit();
    }

    /** Moves the position to an applied batch, in the transaction that applied it; exactly one row must change. */
    public static void advance(Connection c, String schema, long kafkaOffset, long seq, long sourceTsMs, long events) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET kafka_offset = ?, seq = ?, source_ts_ms = ?, events = events + ?,"
                + " applied_at = clock_timestamp() WHERE target_schema = ?")) {
            ps.setLong(1, kafkaOffset);
            ps.setLong(2, seq);
            ps.setLong(3, sourceTsMs);
            ps.setLong(4, events);
            ps.setString(5, schema);
            if (ps.executeUpdate() != 1) throw new SQLException("the sink position row of schema " + schema + " is missing");
        }
    }
}

package io.replicator.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The sink's position, one row per target schema in {@code replicator.sink_position}, written in the same
 * transaction as the rows it covers: after a crash, PostgreSQL holds exactly the batches up to it.
 *
 * @param kafkaOffset the offset of the last event applied in the feed's topic (-1: none yet)
 * @param seq         the changelog position PostgreSQL reflects: the snapshot's mark, then each applied batch's
 * @param sourceTsMs  when the feed read the last applied batch from SQLite (epoch ms); 0 while the position was set
 *                    (snapshot hand-off, replay) rather than reached by applying
 * @param topicId     Kafka's id of the topic the offset belongs to; null until the sink first read it
 */
public record SinkState(String topic, long kafkaOffset, long seq, long sourceTsMs, long appliedAtMs, long deadLettered, String topicId) {
    public static final String TABLE = "replicator.sink_position";

    /**
     * Creates or upgrades the table when needed. When it is current nothing is run, so a role that was granted
     * use of it needs no CREATE privilege and need not own it.
     */
    public static void ensure(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('" + TABLE
                + "') AND attname = 'topic_id' AND NOT attisdropped")) {
            if (rs.next()) return; // the newest column below exists: nothing to create or add
        }
        try (Statement s = c.createStatement()) {
            s.execute(io.replicator.core.StateSchema.CREATE_IF_MISSING);
            s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " ("
                    + " target_schema text PRIMARY KEY,"
                    + " topic text NOT NULL,"
                    + " kafka_offset bigint NOT NULL,"
                    + " seq bigint NOT NULL,"
                    + " source_ts_ms bigint NOT NULL,"
                    + " applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
                    + " events bigint NOT NULL DEFAULT 0,"
                    + " dead_lettered bigint NOT NULL DEFAULT 0)");
            s.execute("ALTER TABLE " + TABLE + " ADD COLUMN IF NOT EXISTS dead_lettered bigint NOT NULL DEFAULT 0");
            s.execute("ALTER TABLE " + TABLE + " ADD COLUMN IF NOT EXISTS hold_requested boolean NOT NULL DEFAULT false");
            s.execute("ALTER TABLE " + TABLE + " ADD COLUMN IF NOT EXISTS held_seq bigint");
            s.execute("ALTER TABLE " + TABLE + " ADD COLUMN IF NOT EXISTS topic_id text");
        }
    }

    /** The stored position, or null when the sink never ran for this schema. */
    public static SinkState read(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT topic, kafka_offset, seq, source_ts_ms, (extract(epoch FROM applied_at) * 1000)::bigint, dead_lettered, topic_id FROM "
                + TABLE + " WHERE target_schema = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new SinkState(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getString(7)) : null;
            }
        }
    }

    /**
     * Starts (or restarts, after a new snapshot) the position at the snapshot's changelog mark; {@code kafkaOffset}
     * is the last offset to skip in the topic (-1: read it from the start, skipping by position).
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
    static void topicId(Connection c, String schema, String topicId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET topic_id = ? WHERE target_schema = ?")) {
            ps.setString(1, topicId);
            ps.setString(2, schema);
            ps.executeUpdate();
        }
    }

    /** Counts an event set aside in the dead-letter topic (its own statement: the event is already there). */
    static void deadLettered(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET dead_lettered = dead_lettered + 1 WHERE target_schema = ?")) {
            ps.setString(1, schema);
            ps.executeUpdate();
        }
        c.commit();
    }

    /**
     * Asks the running sink to stop applying at its next consistent point (or lets it go on). While held, the
     * sink writes the position it holds at into {@code held_seq}: PostgreSQL then shows exactly SQLite's state
     * at that changelog position, which online verification compares against.
     */
    public static void requestHold(Connection c, String schema, boolean hold) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET hold_requested = ? WHERE target_schema = ?")) {
            ps.setBoolean(1, hold);
            ps.setString(2, schema);
            if (ps.executeUpdate() != 1) throw new SQLException("no sink position row for schema " + schema);
        }
        if (!c.getAutoCommit()) c.commit();
    }

    /** The position the sink holds at, or null while it is not holding. */
    public static Long heldSeq(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT held_seq FROM " + TABLE + " WHERE target_schema = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getObject(1) != null ? rs.getLong(1) : null;
            }
        }
    }

    static boolean holdRequested(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT hold_requested FROM " + TABLE + " WHERE target_schema = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    static void setHeld(Connection c, String schema, Long seq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET held_seq = ? WHERE target_schema = ?")) {
            ps.setObject(1, seq);
            ps.setString(2, schema);
            ps.executeUpdate();
        }
    }

    static void advance(Connection c, String schema, long kafkaOffset, long seq, long sourceTsMs, long events) throws SQLException {
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

package io.replicator.core.codec;

import io.replicator.core.types.PgType;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Reads a PostgreSQL column into the same Java types {@link ValueConverter} produces. An interval with months and
 * days (written by the application) becomes a Duration by PostgreSQL's own equivalence: a month is 30 days, a
 * day 24 hours ({@link Intervals#parsePostgres}), exactly, never through a double.
 */
public final class PgValueReader {
    private PgValueReader() {}

    public static Object read(ResultSet rs, int i, PgType t) throws SQLException {
        switch (t.kind()) {
            case SMALLINT, INTEGER, BIGINT -> {
                long v = rs.getLong(i);
                return rs.wasNull() ? null : v;
            }
            case BOOLEAN -> {
                boolean v = rs.getBoolean(i);
                return rs.wasNull() ? null : v;
            }
            case DOUBLE -> {
                double v = rs.getDouble(i);
                return rs.wasNull() ? null : v;
            }
            case NUMERIC -> {
                String s = rs.getString(i);
                if (s == null) return null;
                return switch (s) {
                    case "Infinity" -> Double.POSITIVE_INFINITY;
                    case "-Infinity" -> Double.NEGATIVE_INFINITY;
                    default -> new BigDecimal(s);
                };
            }
            case TEXT, VARCHAR, JSON, JSONB -> {
                String s = rs.getString(i);
                return s == null ? null : new ValueConverter.Text(s.getBytes(StandardCharsets.UTF_8));
            }
            case BYTEA -> {
                return rs.getBytes(i);
            }
            case DATE -> {
                return rs.getObject(i, LocalDate.class);
            }
            case TIMESTAMP -> {
                return rs.getObject(i, LocalDateTime.class);
            }
            case TIMESTAMPTZ -> {
                OffsetDateTime o = rs.getObject(i, OffsetDateTime.class);
                return o == null ? null : o.toInstant();
            }
            case UUID -> {
                return rs.getObject(i, UUID.class);
            }
            case TIME -> {
                return rs.getObject(i, LocalTime.class);
            }
            case INTERVAL -> {
                String s = rs.getString(i);
                if (s == null) return null;
                Duration d = Intervals.parsePostgres(s);
                if (d == null) {
                    throw new SQLException("interval '" + s + "' is not in PostgreSQL's default output style; this tool reads intervals with"
                            + " IntervalStyle postgres (check ALTER DATABASE/ROLE ... SET IntervalStyle)");
                }
                return d;
            }
        }
        throw new IllegalStateException("unhandled type " + t);
    }
}

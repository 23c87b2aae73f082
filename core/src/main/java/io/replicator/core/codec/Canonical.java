package io.replicator.core.codec;

import io.replicator.core.types.PgType;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The canonical form of a column value, the same whichever side it was read from: a value read from
 * SQLite (through {@link ValueConverter}) and the same value read back from PostgreSQL (through
 * {@link PgValueReader}) encode to the same bytes, and any real difference encodes differently. So 1.0 and 1
 * in a numeric column, two spellings of one timestamp, or JSON whitespace are not differences, while -0.0 vs
 * 0.0 in double precision, or one changed bit of a REAL, are.
 */
public final class Canonical {
    private Canonical() {}

    /** Appends a tagged, length-delimited encoding of {@code v} to {@code out}. */
    public static void append(PgType t, Object v, ByteArrayOutputStream out) {
        if (v == null) {
            out.write(0);
            return;
        }
        byte[] body = bytes(t, v);
        out.write(1 + t.kind().ordinal());
        int n = body.length;
        out.write(n >>> 24);
        out.write(n >>> 16);
        out.write(n >>> 8);
        out.write(n);
        out.write(body, 0, n);
    }

    private static byte[] bytes(PgType t, Object v) {
        return switch (t.kind()) {
            case SMALLINT, INTEGER, BIGINT -> Long.toString((Long) v).getBytes(StandardCharsets.US_ASCII);
            case BOOLEAN -> ((Boolean) v) ? new byte[] {1} : new byte[] {0};
            case DOUBLE -> Long.toHexString(Double.doubleToRawLongBits((Double) v)).getBytes(StandardCharsets.US_ASCII);
            case NUMERIC -> numeric(v).getBytes(StandardCharsets.US_ASCII);
            case TEXT, VARCHAR, JSON -> ((ValueConverter.Text) v).utf8();
            case JSONB -> JsonValues.canonical(((ValueConverter.Text) v).string()).getBytes(StandardCharsets.UTF_8);
            case BYTEA -> (byte[]) v;
            case DATE -> Long.toString(((LocalDate) v).toEpochDay()).getBytes(StandardCharsets.US_ASCII);
            case TIMESTAMP -> Long.toString(PgBinaryRowWriter.micros(((LocalDateTime) v).toInstant(ZoneOffset.UTC))).getBytes(StandardCharsets.US_ASCII);
            case TIMESTAMPTZ -> Long.toString(PgBinaryRowWriter.micros((Instant) v)).getBytes(StandardCharsets.US_ASCII);
        };
    }

    private static String numeric(Object v) {
        if (v instanceof Double d) return d > 0 ? "Infinity" : "-Infinity";
        BigDecimal b = ((BigDecimal) v).stripTrailingZeros();
        return b.signum() == 0 ? "0" : b.toString();
    }

    /** A short human-readable form, for reports of differing rows and keys. */
    public static String display(PgType t, Object v) {
        if (v == null) return "NULL";
        return switch (t.kind()) {
            case DOUBLE -> {
                double d = (Double) v;
                yield (d == 0 && 1 / d < 0) ? "-0.0" : Double.toString(d);
            }
            case NUMERIC -> numeric(v);
            case TEXT, VARCHAR, JSON, JSONB -> {
                String s = ((ValueConverter.Text) v).string();
                yield "'" + (s.length() > 80 ? s.substring(0, 80) + "…" : s).replace("'", "''") + "'";
            }
            case BYTEA -> Utf8.hex((byte[]) v, 32);
            default -> v.toString();
        };
    }
}

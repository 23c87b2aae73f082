package io.replicator.verify;

import io.replicator.core.codec.Intervals;
import io.replicator.core.codec.JsonbText;
import io.replicator.core.codec.PgHash;
import io.replicator.core.codec.Uuids;
import io.replicator.core.codec.ValueConverter;
import io.replicator.core.types.PgType;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.UUID;

/**
 * A row's key text and digest computed over SQLite's values exactly as {@link DigestSql} computes them inside
 * PostgreSQL, so the two sides can be compared by checksums without moving PostgreSQL's rows.
 * <p>Each value is a part: a type tag and a body ({@code N} for NULL). Bodies are PostgreSQL's own canonical
 * spellings: integers in decimal, double precision as the hex of its 8 bytes (every bit counts, -0.0 too),
 * numeric without trailing zeros (1.0 = 1), text length-prefixed, jsonb as the hash of {@code jsonb::text}
 * (whitespace and key order are not differences), bytea length-prefixed in hex, dates as days and timestamps as
 * microseconds since 1970, times of day and intervals as microseconds. Parts are joined with {@code |}. The row's text is key {@code #} row; its digest is
 * two 64-bit hashes of it with PostgreSQL's {@code hashtextextended} under two seeds ({@link PgHash}): 128 bits,
 * computed by PostgreSQL several times faster than MD5.
 */
final class RowDigest {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    static final long SEED_ROW_1 = 0x7265706c69636131L;
    static final long SEED_ROW_2 = 0x7265706c69636132L;
    static final long SEED_JSONB = 0x7265706c69636133L;
    static final long SEED_KEY = 0x7265706c69636134L;

    /** The row's text, built in place: key parts, then {@code #}, then column parts. */
    private final Buf text = new Buf();
    /** Where the key ends (the {@code #}), or -1 while key parts are still being added. */
    private int keyEnd = -1;

    void reset() {
        text.len = 0;
        keyEnd = -1;
    }

    /** Key parts come first, before any column. */
    void key(PgType t, Object v) {
        if (text.len > 0) text.put((byte) '|');
        part(t, v);
    }

    void column(PgType t, Object v) {
        columnSep();
        part(t, v);
    }

    /** A value SQLite holds that the PostgreSQL column cannot: a tag PostgreSQL never produces. */
    void unconvertibleColumn() {
        columnSep();
        text.put((byte) 'X');
    }

    void unconvertibleKey() {
        if (text.len > 0) text.put((byte) '|');
        text.put((byte) 'X');
    }

    private void columnSep() {
        if (keyEnd < 0) {
            keyEnd = text.len;
            text.put((byte) '#');
        } else {
            text.put((byte) '|');
        }
    }

    private int keyLength() {
        return keyEnd < 0 ? text.len : keyEnd;
    }

    /** The key text as PostgreSQL's key expression spells it (UTF-8). */
    byte[] keyBytes() {
        return Arrays.copyOf(text.b, keyLength());
    }

    /** The hash bucket of tables without an integer key: PostgreSQL's {@code hashtextextended(key text, SEED_KEY)}. */
    long keyHash() {
        return PgHash.hashBytesExtended(text.b, 0, keyLength(), SEED_KEY);
    }

    /** The row's 128-bit digest: two hashes of key {@code #} row. */
    long[] digest() {
        return new long[] {PgHash.hashBytesExtended(text.b, 0, text.len, SEED_ROW_1), PgHash.hashBytesExtended(text.b, 0, text.len, SEED_ROW_2)};
    }

    /** The digest as pass 2 reads it from PostgreSQL. */
    static String text(long[] d) {
        return d[0] + ":" + d[1];
    }

    private void part(PgType t, Object v) {
        Buf out = text;
        if (v == null) {
            out.put((byte) 'N');
            return;
        }
        switch (t.kind()) {
            case SMALLINT, INTEGER, BIGINT -> out.put('I', Long.toString((Long) v));
            case BOOLEAN -> out.put('b', ((Boolean) v) ? "true" : "false");
            case DOUBLE -> {
                out.put((byte) 'D');
                long bits = Double.doubleToRawLongBits((Double) v);
                for (int s = 60; s >= 0; s -= 4) out.put(HEX[(int) (bits >>> s) & 0xf]);
            }
            case NUMERIC -> out.put('M', numeric(v));
            case TEXT, VARCHAR, JSON -> {
                byte[] b = ((ValueConverter.Text) v).utf8();
                out.put('T', Integer.toString(b.length));
                out.put((byte) ':');
                out.put(b, b.length);
            }
            case JSONB -> {
                String text;
                try {
                    text = JsonbText.render(((ValueConverter.Text) v).utf8());
                } catch (IOException e) {
                    out.put((byte) 'X');
                    return;
                }
                out.put('J', Long.toString(PgHash.hashBytesExtended(text.getBytes(StandardCharsets.UTF_8), SEED_JSONB)));
            }
            case BYTEA -> {
                byte[] b = (byte[]) v;
                out.put('B', Integer.toString(b.length));
                out.put((byte) ':');
                out.hex(b);
            }
            case DATE -> out.put('d', Long.toString(((LocalDate) v).toEpochDay()));
            case TIMESTAMP -> out.put('t', Long.toString(micros(((LocalDateTime) v).toInstant(ZoneOffset.UTC))));
            case TIMESTAMPTZ -> out.put('t', Long.toString(micros((Instant) v)));
            case UUID -> out.put('u', Uuids.hex((UUID) v));
            case TIME -> out.put('h', Long.toString(((LocalTime) v).toNanoOfDay() / 1000));
            case INTERVAL -> out.put('i', Long.toString(Intervals.micros((Duration) v)));
        }
    }

    static String numeric(Object v) {
        if (v instanceof Double d) return d > 0 ? "Infinity" : "-Infinity";
        BigDecimal b = ((BigDecimal) v).stripTrailingZeros();
        return b.signum() == 0 ? "0" : b.toPlainString();
    }

    private static long micros(Instant i) {
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
    }

    /** A growable byte buffer. */
    private static final class Buf {
        byte[] b = new byte[256];
        int len;

        void put(byte x) {
            ensure(1);
            b[len++] = x;
        }

        void put(char tag, String ascii) {
            int n = ascii.length();
            ensure(n + 1);
            b[len++] = (byte) tag;
            for (int i = 0; i < n; i++) b[len++] = (byte) ascii.charAt(i);
        }

        private void ensure(int n) {
            if (len + n > b.length) b = Arrays.copyOf(b, Math.max(b.length * 2, len + n));
        }

        void hex(byte[] x) {
            ensure(2 * x.length);
            for (byte v : x) {
                b[len++] = HEX[(v >>> 4) & 0xf];
                b[len++] = HEX[v & 0xf];
            }
        }

        void put(byte[] x, int n) {
            ensure(n);
            System.arraycopy(x, 0, b, len, n);
            len += n;
        }
    }
}

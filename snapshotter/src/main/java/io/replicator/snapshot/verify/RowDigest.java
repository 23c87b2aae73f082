package io.replicator.snapshot.verify;

import io.replicator.core.codec.JsonbText;
import io.replicator.core.codec.ValueConverter;
import io.replicator.core.types.PgType;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;

/**
 * A row's key text and digest computed over SQLite's values exactly as {@link DigestSql} computes them inside
 * PostgreSQL, so the two sides can be compared by checksums without moving PostgreSQL's rows.
 * <p>Each value is a part: a type tag and a body ({@code N} for NULL). Bodies are PostgreSQL's own canonical
 * spellings: integers in decimal, double precision as the hex of its 8 bytes (every bit counts, -0.0 too),
 * numeric without trailing zeros (1.0 = 1), text length-prefixed, jsonb as the MD5 of {@code jsonb::text}
 * (whitespace and key order are not differences), bytea as its MD5, dates as days and timestamps as
 * microseconds since 1970. Parts are joined with {@code |}; the digest is MD5(key {@code #} row).
 */
final class RowDigest {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final Buf key = new Buf();
    private final Buf row = new Buf();
    private final MessageDigest md5;

    RowDigest() {
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void reset() {
        key.len = 0;
        row.len = 0;
    }

    void key(PgType t, Object v) {
        part(key, t, v);
    }

    void column(PgType t, Object v) {
        part(row, t, v);
    }

    /** A value SQLite holds that the PostgreSQL column cannot: a tag PostgreSQL never produces. */
    void unconvertibleColumn() {
        row.sep();
        row.put((byte) 'X');
    }

    void unconvertibleKey() {
        key.sep();
        key.put((byte) 'X');
    }

    /** The key text as PostgreSQL's key expression spells it (UTF-8). */
    byte[] keyBytes() {
        return Arrays.copyOf(key.b, key.len);
    }

    /** The first 32 bits of MD5(key text): the hash bucket of tables without an integer key. */
    int keyHash32() {
        md5.reset();
        md5.update(key.b, 0, key.len);
        byte[] d = md5.digest();
        return ((d[0] & 0xff) << 24) | ((d[1] & 0xff) << 16) | ((d[2] & 0xff) << 8) | (d[3] & 0xff);
    }

    /** MD5(key # row) as two big-endian longs. */
    long[] digest() {
        md5.reset();
        md5.update(key.b, 0, key.len);
        md5.update((byte) '#');
        md5.update(row.b, 0, row.len);
        byte[] d = md5.digest();
        long a = 0, b = 0;
        for (int i = 0; i < 8; i++) a = (a << 8) | (d[i] & 0xff);
        for (int i = 8; i < 16; i++) b = (b << 8) | (d[i] & 0xff);
        return new long[] {a, b};
    }

    /** The digest as PostgreSQL's md5() prints it. */
    static String hex(long[] d) {
        return String.format("%016x%016x", d[0], d[1]);
    }

    private void part(Buf out, PgType t, Object v) {
        out.sep();
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
                out.put((byte) 'J');
                md5hex(out, text.getBytes(StandardCharsets.UTF_8));
            }
            case BYTEA -> {
                out.put((byte) 'B');
                md5hex(out, (byte[]) v);
            }
            case DATE -> out.put('d', Long.toString(((LocalDate) v).toEpochDay()));
            case TIMESTAMP -> out.put('t', Long.toString(micros(((LocalDateTime) v).toInstant(ZoneOffset.UTC))));
            case TIMESTAMPTZ -> out.put('t', Long.toString(micros((Instant) v)));
        }
    }

    private void md5hex(Buf out, byte[] b) {
        md5.reset();
        byte[] d = md5.digest(b);
        for (byte x : d) {
            out.put(HEX[(x >>> 4) & 0xf]);
            out.put(HEX[x & 0xf]);
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

    /** A growable byte buffer; parts after the first are preceded by '|'. */
    private static final class Buf {
        byte[] b = new byte[256];
        int len;

        void sep() {
            if (len > 0) put((byte) '|');
        }

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

        void put(byte[] x, int n) {
            ensure(n);
            System.arraycopy(x, 0, b, len, n);
            len += n;
        }
    }
}

package io.replicator.core.codec;

import io.replicator.core.types.PgType;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Writes rows in PostgreSQL's binary COPY format (header, tuples, trailer) from the typed values
 * {@link ValueConverter} produces. Binary COPY sends doubles as their 8 raw bytes, so REAL arrives bit-exact,
 * -0.0 and ±Infinity included. The internal buffer is flushed to the stream when full: memory stays bounded
 * whatever the table size.
 */
public final class PgBinaryRowWriter {
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    /** 2000-01-01, PostgreSQL's epoch, in Unix epoch days and seconds. */
    private static final long PG_EPOCH_DAY = 10957;
    private static final long PG_EPOCH_SECOND = 946684800L;

    private final OutputStream out;
    private final byte[] buf;
    private int pos;
    private long bytesWritten;

    public PgBinaryRowWriter(OutputStream out, int bufferSize) {
        this.out = out;
        this.buf = new byte[bufferSize];
    }

    public void writeHeader() throws IOException {
        ensure(SIGNATURE.length + 8);
        System.arraycopy(SIGNATURE, 0, buf, pos, SIGNATURE.length);
        pos += SIGNATURE.length;
        putInt(0); // flags
        putInt(0); // header extension length
    }

    public void startRow(int fields) throws IOException {
        ensure(2);
        putShort((short) fields);
    }

    public void writeNull() throws IOException {
        ensure(4);
        putInt(-1);
    }

    public void write(PgType t, Object v) throws IOException {
        if (v == null) {
            writeNull();
            return;
        }
        switch (t.kind()) {
            case SMALLINT -> { ensure(6); putInt(2); putShort((short) (long) (Long) v); }
            case INTEGER -> { ensure(8); putInt(4); putInt((int) (long) (Long) v); }
            case BIGINT -> { ensure(12); putInt(8); putLong((Long) v); }
            case BOOLEAN -> { ensure(5); putInt(1); buf[pos++] = (byte) (((Boolean) v) ? 1 : 0); }
            case DOUBLE -> { ensure(12); putInt(8); putLong(Double.doubleToRawLongBits((Double) v)); }
            case NUMERIC -> writeNumeric(v);
            case TEXT, VARCHAR, JSON -> writeBytes(((ValueConverter.Text) v).utf8(), false);
            case JSONB -> writeBytes(((ValueConverter.Text) v).utf8(), true);
            case BYTEA -> writeBytes((byte[]) v, false);
            case DATE -> { ensure(8); putInt(4); putInt((int) (((LocalDate) v).toEpochDay() - PG_EPOCH_DAY)); }
            case TIMESTAMP -> { ensure(12); putInt(8); putLong(micros(((LocalDateTime) v).toInstant(ZoneOffset.UTC))); }
            case TIMESTAMPTZ -> { ensure(12); putInt(8); putLong(micros((Instant) v)); }
            case TIME -> { ensure(12); putInt(8); putLong(((LocalTime) v).toNanoOfDay() / 1000); }
            case INTERVAL -> { // microseconds, days, months: all in the microseconds, which PostgreSQL keeps as they are
                ensure(20);
                putInt(16);
                putLong(Intervals.micros((Duration) v));
                putInt(0);
                putInt(0);
            }
            case UUID -> { ensure(20); putInt(16); putLong(((UUID) v).getMostSignificantBits()); putLong(((UUID) v).getLeastSignificantBits()); }
        }
    }

    public void writeTrailer() throws IOException {
        ensure(2);
        putShort((short) -1);
        flush();
    }

    public void flush() throws IOException {
        if (pos > 0) {
            out.write(buf, 0, pos);
            bytesWritten += pos;
            pos = 0;
        }
    }

    public long bytesWritten() {
        return bytesWritten + pos;
    }

    static long micros(Instant i) {
        return (i.getEpochSecond() - PG_EPOCH_SECOND) * 1_000_000L + i.getNano() / 1000;
    }

    private void writeBytes(byte[] b, boolean jsonbVersion) throws IOException {
        int len = b.length + (jsonbVersion ? 1 : 0);
        ensure(5);
        putInt(len);
        if (jsonbVersion) buf[pos++] = 1;
        int off = 0;
        while (off < b.length) {
            if (pos == buf.length) flush();
            int n = Math.min(buf.length - pos, b.length - off);
            System.arraycopy(b, off, buf, pos, n);
            pos += n;
            off += n;
        }
    }

    /** numeric's binary form: ndigits, weight, sign, dscale, then base-10000 digits. */
    private void writeNumeric(Object v) throws IOException {
        if (v instanceof Double d) { // ±Infinity (PostgreSQL 14+)
            ensure(12);
            putInt(8);
            putShort((short) 0);
            putShort((short) 0);
            putShort((short) (d > 0 ? 0xD000 : 0xF000));
            putShort((short) 0);
            return;
        }
        short[] enc = NumericBinary.encode((BigDecimal) v);
        ensure(4 + enc.length * 2);
        putInt(enc.length * 2);
        for (short s : enc) putShort(s);
    }

    private void ensure(int n) throws IOException {
        if (buf.length - pos < n) flush();
    }

    private void putShort(short s) {
        buf[pos++] = (byte) (s >> 8);
        buf[pos++] = (byte) s;
    }

    private void putInt(int i) {
        buf[pos++] = (byte) (i >> 24);
        buf[pos++] = (byte) (i >> 16);
        buf[pos++] = (byte) (i >> 8);
        buf[pos++] = (byte) i;
    }

    private void putLong(long l) {
        putInt((int) (l >> 32));
        putInt((int) l);
    }
}

package io.replicator.core.event;


import io.replicator.core.model.StorageClass;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One SQLite value exactly as SQLite stores it: its storage class and its bits. The change feed carries row
 * values in this form so that the sink converts them with the same rules as the snapshot.
 *
 * @param value Long (INTEGER), Double (REAL), byte[] UTF-8 bytes as stored (TEXT, possibly not well-formed),
 *              byte[] (BLOB), or null (NULL)
 */
public record SqliteValue(StorageClass storageClass, Object value) {
    public static final SqliteValue NULL = new SqliteValue(StorageClass.NULL, null);

    public static SqliteValue integer(long v) {
        return new SqliteValue(StorageClass.INTEGER, v);
    }

    public static SqliteValue real(double v) {
        return new SqliteValue(StorageClass.REAL, v);
    }

    public static SqliteValue text(byte[] utf8) {
        return new SqliteValue(StorageClass.TEXT, utf8);
    }

    public static SqliteValue text(String s) {
        return text(s.getBytes(StandardCharsets.UTF_8));
    }

    public static SqliteValue blob(byte[] b) {
        return new SqliteValue(StorageClass.BLOB, b);
    }

    public boolean isNull() {
        return storageClass == StorageClass.NULL;
    }

    public long asLong() {
        return (Long) value;
    }

    public double asDouble() {
        return (Double) value;
    }

    public byte[] asBytes() {
        return (byte[]) value;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SqliteValue v) || v.storageClass != storageClass) return false;
        return switch (storageClass) {
            case NULL -> true;
            case INTEGER -> asLong() == v.asLong();
            case REAL -> Double.doubleToRawLongBits(asDouble()) == Double.doubleToRawLongBits(v.asDouble());
            case TEXT, BLOB -> Arrays.equals(asBytes(), v.asBytes());
        };
    }

    @Override
    public int hashCode() {
        return switch (storageClass) {
            case NULL -> 0;
            case INTEGER -> Long.hashCode(asLong());
            case REAL -> Long.hashCode(Double.doubleToRawLongBits(asDouble()));
            case TEXT, BLOB -> Arrays.hashCode(asBytes()) * 31 + storageClass.ordinal();
        };
    }

    @Override
    public String toString() {
        return switch (storageClass) {
            case NULL -> "NULL";
            case INTEGER -> Long.toString(asLong());
            case REAL -> Double.toString(asDouble());
            case TEXT -> "'" + new String(asBytes(), StandardCharsets.UTF_8) + "'";
            case BLOB -> hex(asBytes(), 32);
        };
    }

    /** {@code x'00FF…'}: the first {@code max} bytes as an SQL blob literal, "…" when there are more. */
    public static String hex(byte[] b, int max) {
        StringBuilder sb = new StringBuilder("x'");
        for (int i = 0; i < Math.min(b.length, max); i++) sb.append(String.format("%02X", b[i] & 0xff));
        if (b.length > max) sb.append("…");
        return sb.append('\'').toString();
    }
}

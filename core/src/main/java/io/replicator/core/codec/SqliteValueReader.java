package io.replicator.core.codec;

import io.replicator.core.event.SqliteValue;
import java.nio.charset.StandardCharsets;

import io.replicator.core.model.StorageClass;
import io.replicator.core.types.PgType;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Reads one SQLite value with its real storage class and converts it for its PostgreSQL column.
 * <p>The storage class of the current value ({@code sqlite3_column_type}) is asked of sqlite-jdbc directly,
 * which costs nothing, instead of selecting {@code typeof(col)} beside every column. TEXT is read as its raw
 * bytes ({@code getBytes}) so that invalid UTF-8 is seen, not silently replaced.
 */
public final class SqliteValueReader {
    private SqliteValueReader() {}

    private static final MethodHandle COLUMN_TYPE;

    static {
        MethodHandle h;
        try {
            Class<?> rs = Class.forName("org.sqlite.jdbc3.JDBC3ResultSet");
            h = MethodHandles.privateLookupIn(rs, MethodHandles.lookup())
                    .findVirtual(rs, "safeGetColumnType", MethodType.methodType(int.class, int.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError("sqlite-jdbc does not expose the value type as expected: " + e);
        }
        COLUMN_TYPE = h;
    }

    /** The storage class of the current row's value in 1-based column {@code col}. */
    public static StorageClass storageClass(ResultSet rs, int col) throws SQLException {
        int code;
        try {
            code = (int) COLUMN_TYPE.invoke(rs, col - 1);
        } catch (SQLException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new SQLException(t);
        }
        return switch (code) {
            case 1 -> StorageClass.INTEGER;
            case 2 -> StorageClass.REAL;
            case 3 -> StorageClass.TEXT;
            case 4 -> StorageClass.BLOB;
            default -> StorageClass.NULL;
        };
    }

    /** The converted value, or null for SQL NULL. */
    public static Object read(ResultSet rs, int col, PgType target) throws SQLException, ConversionException {
        return switch (storageClass(rs, col)) {
            case NULL -> null;
            case INTEGER -> ValueConverter.fromInteger(target, rs.getLong(col));
            case REAL -> ValueConverter.fromReal(target, rs.getDouble(col));
            case TEXT -> ValueConverter.fromText(target, rs.getBytes(col));
            case BLOB -> ValueConverter.fromBlob(target, rs.getBytes(col));
        };
    }

    /** The value exactly as SQLite holds it: storage class and bits (TEXT as its raw bytes). */
    public static SqliteValue value(ResultSet rs, int col) throws SQLException {
        return switch (storageClass(rs, col)) {
            case NULL -> SqliteValue.NULL;
            case INTEGER -> SqliteValue.integer(rs.getLong(col));
            case REAL -> SqliteValue.real(rs.getDouble(col));
            case TEXT -> SqliteValue.text(rs.getBytes(col));
            case BLOB -> SqliteValue.blob(rs.getBytes(col));
        };
    }

    /** The value as SQLite holds it, for error messages: 'text', 42, 1.5, x'00FF'. */
    public static String display(ResultSet rs, int col) throws SQLException {
        return display(value(rs, col));
    }

    /** The same, for a value already read. */
    public static String display(SqliteValue v) {
        return switch (v.storageClass()) {
            case NULL -> "NULL";
            case INTEGER -> Long.toString(v.asLong());
            case REAL -> Decimals.realToText(v.asDouble());
            case TEXT -> {
                byte[] b = (byte[]) v.value();
                yield Utf8.firstInvalid(b) >= 0 ? Utf8.hex(b, 32) + " (as bytes)"
                        : "'" + truncate(new String(b, StandardCharsets.UTF_8)) + "'";
            }
            case BLOB -> Utf8.hex((byte[]) v.value(), 32);
        };
    }

    private static String truncate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}

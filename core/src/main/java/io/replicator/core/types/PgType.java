package io.replicator.core.types;

import io.replicator.core.ReplicatorException;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL column type this tool creates or writes into. {@code precision}/{@code scale} apply to NUMERIC
 * (0 = unconstrained); {@code precision} of TIMESTAMP, TIMESTAMPTZ and TIME is the number of fractional second
 * digits the column keeps (0–6; 6, PostgreSQL's default and most, is what {@link #TIMESTAMP}, {@link #TIMESTAMPTZ}
 * and {@link #TIME} mean); {@code length} applies to VARCHAR (0 = no length, {@code character varying}).
 */
public record PgType(Kind kind, int precision, int scale, int length) {

    public enum Kind { SMALLINT, INTEGER, BIGINT, BOOLEAN, DOUBLE, NUMERIC, TEXT, VARCHAR, BYTEA, DATE, TIMESTAMP, TIMESTAMPTZ, TIME, INTERVAL, JSON, JSONB, UUID }

    /** The fractional second digits PostgreSQL keeps in a timestamp, timestamptz or time without a precision. */
    public static final int MAX_FRACTION_DIGITS = 6;

    public static final PgType SMALLINT = of(Kind.SMALLINT);
    public static final PgType INTEGER = of(Kind.INTEGER);
    public static final PgType BIGINT = of(Kind.BIGINT);
    public static final PgType BOOLEAN = of(Kind.BOOLEAN);
    public static final PgType DOUBLE = of(Kind.DOUBLE);
    public static final PgType NUMERIC = of(Kind.NUMERIC);
    public static final PgType TEXT = of(Kind.TEXT);
    public static final PgType BYTEA = of(Kind.BYTEA);
    public static final PgType DATE = of(Kind.DATE);
    public static final PgType TIMESTAMP = withFraction(Kind.TIMESTAMP, MAX_FRACTION_DIGITS);
    public static final PgType TIMESTAMPTZ = withFraction(Kind.TIMESTAMPTZ, MAX_FRACTION_DIGITS);
    public static final PgType TIME = withFraction(Kind.TIME, MAX_FRACTION_DIGITS);
    public static final PgType INTERVAL = of(Kind.INTERVAL);
    /** {@code character varying} without a length: any text, as Rails makes it. */
    public static final PgType VARCHAR = of(Kind.VARCHAR);
    public static final PgType JSON = of(Kind.JSON);
    public static final PgType JSONB = of(Kind.JSONB);
    public static final PgType UUID = of(Kind.UUID);

    private static PgType of(Kind k) {
        return new PgType(k, 0, 0, 0);
    }

    public static PgType numeric(int precision, int scale) {
        return new PgType(Kind.NUMERIC, precision, scale, 0);
    }

    public static PgType varchar(int length) {
        return new PgType(Kind.VARCHAR, 0, 0, length);
    }

    /** timestamp(p), timestamptz(p) or time(p): keeps {@code digits} (0–6) fractional second digits. */
    public static PgType withFraction(Kind kind, int digits) {
        if (!hasFraction(kind)) throw new IllegalArgumentException(kind + " has no fractional seconds");
        if (digits < 0 || digits > MAX_FRACTION_DIGITS) throw new IllegalArgumentException("fractional second digits must be 0.." + MAX_FRACTION_DIGITS);
        return new PgType(kind, digits, 0, 0);
    }

    private static boolean hasFraction(Kind k) {
        return k == Kind.TIMESTAMP || k == Kind.TIMESTAMPTZ || k == Kind.TIME;
    }

    /** The fractional second digits a timestamp, timestamptz or time column keeps (6 unless it was given a precision). */
    public int fractionDigits() {
        if (!hasFraction(kind)) throw new IllegalStateException(sql() + " has no fractional seconds");
        return precision;
    }

    /** Whether a VARCHAR has a maximum length ({@code varchar(n)}) rather than none ({@code character varying}). */
    public boolean hasLength() {
        return length > 0;
    }

    public boolean isInteger() {
        return kind == Kind.SMALLINT || kind == Kind.INTEGER || kind == Kind.BIGINT;
    }

    public boolean isText() {
        return kind == Kind.TEXT || kind == Kind.VARCHAR;
    }

    public boolean isTemporal() {
        return kind == Kind.DATE || kind == Kind.TIMESTAMP || kind == Kind.TIMESTAMPTZ;
    }

    public long minInteger() {
        return switch (kind) {
            case SMALLINT -> Short.MIN_VALUE;
            case INTEGER -> Integer.MIN_VALUE;
            default -> Long.MIN_VALUE;
        };
    }

    public long maxInteger() {
        return switch (kind) {
            case SMALLINT -> Short.MAX_VALUE;
            case INTEGER -> Integer.MAX_VALUE;
            default -> Long.MAX_VALUE;
        };
    }

    public String sql() {
        return switch (kind) {
            case SMALLINT -> "smallint";
            case INTEGER -> "integer";
            case BIGINT -> "bigint";
            case BOOLEAN -> "boolean";
            case DOUBLE -> "double precision";
            case NUMERIC -> precision > 0 ? "numeric(" + precision + "," + scale + ")" : "numeric";
            case TEXT -> "text";
            case VARCHAR -> length > 0 ? "varchar(" + length + ")" : "character varying";
            case BYTEA -> "bytea";
            case DATE -> "date";
            case TIMESTAMP -> withPrecision("timestamp");
            case TIMESTAMPTZ -> withPrecision("timestamptz");
            case TIME -> withPrecision("time");
            case INTERVAL -> "interval";
            case JSON -> "json";
            case JSONB -> "jsonb";
            case UUID -> "uuid";
        };
    }

    private String withPrecision(String name) {
        return precision == MAX_FRACTION_DIGITS ? name : name + "(" + precision + ")";
    }

    @Override
    public String toString() {
        return sql();
    }

    private static final Pattern NUMERIC_PS = Pattern.compile("(?:numeric|decimal)\\s*\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\)");
    private static final Pattern VARCHAR_N = Pattern.compile("(?:varchar|character varying)\\s*\\(\\s*(\\d+)\\s*\\)");
    /** timestamp(p) and time(p), as written or as {@code format_type} prints them, and timestamptz(p). */
    private static final Pattern FRACTION_P = Pattern.compile("(timestamptz|timestamp|time)\\s*\\(\\s*(\\d+)\\s*\\)( with time zone| without time zone)?");

    /** Parses a type named by the user ({@code --type t.c=TYPE}); unknown names are a config error. */
    public static PgType parse(String raw) {
        String t = raw.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        Matcher m = NUMERIC_PS.matcher(t);
        if (m.matches()) {
            int p = Integer.parseInt(m.group(1));
            int s = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
            if (p < 1 || p > 1000 || s > p) {
                throw ReplicatorException.config("type '" + raw + "': numeric precision must be 1..1000 and scale 0..precision");
            }
            return numeric(p, s);
        }
        m = VARCHAR_N.matcher(t);
        if (m.matches()) {
            int n = Integer.parseInt(m.group(1));
            if (n < 1 || n > 10485760) throw ReplicatorException.config("type '" + raw + "': varchar length must be 1..10485760");
            return varchar(n);
        }
        m = FRACTION_P.matcher(t);
        if (m.matches()) return fractional(raw, m.group(1), m.group(2), m.group(3));
        return switch (t) {
            case "smallint", "int2" -> SMALLINT;
            case "integer", "int", "int4" -> INTEGER;
            case "bigint", "int8" -> BIGINT;
            case "boolean", "bool" -> BOOLEAN;
            case "double precision", "double", "float8" -> DOUBLE;
            case "numeric", "decimal" -> NUMERIC;
            case "text" -> TEXT;
            case "varchar", "character varying" -> VARCHAR;
            case "bytea" -> BYTEA;
            case "date" -> DATE;
            case "timestamp", "timestamp without time zone" -> TIMESTAMP;
            case "timestamptz", "timestamp with time zone" -> TIMESTAMPTZ;
            case "time", "time without time zone" -> TIME;
            case "interval" -> INTERVAL;
            case "json" -> JSON;
            case "jsonb" -> JSONB;
            case "uuid" -> UUID;
            default -> throw notTargetable(raw);
        };
    }

    private static final String ACCEPTED = "smallint, integer, bigint, boolean, double precision, numeric, numeric(p,s), text, varchar,"
            + " varchar(n), bytea, date, timestamp, timestamp(p), timestamptz, timestamptz(p), time, time(p), interval, json, jsonb, uuid";

    private static ReplicatorException notTargetable(String raw) {
        return ReplicatorException.config("type '" + raw + "' is not one this tool can target; use one of " + ACCEPTED
                + " (others, such as character(n), real, time with time zone or arrays, would change values or are not written by this tool)");
    }

    private static PgType fractional(String raw, String name, String digits, String zone) {
        Kind kind;
        if (name.equals("timestamptz")) kind = zone == null ? Kind.TIMESTAMPTZ : null;
        else if (name.equals("timestamp")) kind = " with time zone".equals(zone) ? Kind.TIMESTAMPTZ : Kind.TIMESTAMP;
        else kind = " with time zone".equals(zone) ? null : Kind.TIME; // timetz: not a type this tool writes
        if (kind == null) throw notTargetable(raw);
        if (digits.length() > 1 || digits.charAt(0) - '0' > MAX_FRACTION_DIGITS) {
            throw ReplicatorException.config("type '" + raw + "': fractional second precision must be 0.." + MAX_FRACTION_DIGITS);
        }
        return withFraction(kind, digits.charAt(0) - '0');
    }
}

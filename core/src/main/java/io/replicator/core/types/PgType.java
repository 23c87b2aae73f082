package io.replicator.core.types;

import io.replicator.core.ReplicatorException;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL column type this tool creates. {@code precision}/{@code scale} apply to NUMERIC (0 = unconstrained),
 * {@code length} to VARCHAR.
 */
public record PgType(Kind kind, int precision, int scale, int length) {

    public enum Kind { SMALLINT, INTEGER, BIGINT, BOOLEAN, DOUBLE, NUMERIC, TEXT, VARCHAR, BYTEA, DATE, TIMESTAMP, TIMESTAMPTZ, TIME, JSON, JSONB, UUID }

    public static final PgType SMALLINT = of(Kind.SMALLINT);
    public static final PgType INTEGER = of(Kind.INTEGER);
    public static final PgType BIGINT = of(Kind.BIGINT);
    public static final PgType BOOLEAN = of(Kind.BOOLEAN);
    public static final PgType DOUBLE = of(Kind.DOUBLE);
    public static final PgType NUMERIC = of(Kind.NUMERIC);
    public static final PgType TEXT = of(Kind.TEXT);
    public static final PgType BYTEA = of(Kind.BYTEA);
    public static final PgType DATE = of(Kind.DATE);
    public static final PgType TIMESTAMP = of(Kind.TIMESTAMP);
    public static final PgType TIMESTAMPTZ = of(Kind.TIMESTAMPTZ);
    public static final PgType TIME = of(Kind.TIME);
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
            case VARCHAR -> "varchar(" + length + ")";
            case BYTEA -> "bytea";
            case DATE -> "date";
            case TIMESTAMP -> "timestamp";
            case TIMESTAMPTZ -> "timestamptz";
            case TIME -> "time";
            case JSON -> "json";
            case JSONB -> "jsonb";
            case UUID -> "uuid";
        };
    }

    @Override
    public String toString() {
        return sql();
    }

    private static final Pattern NUMERIC_PS = Pattern.compile("(?:numeric|decimal)\\s*\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\)");
    private static final Pattern VARCHAR_N = Pattern.compile("(?:varchar|character varying)\\s*\\(\\s*(\\d+)\\s*\\)");

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
        return switch (t) {
            case "smallint", "int2" -> SMALLINT;
            case "integer", "int", "int4" -> INTEGER;
            case "bigint", "int8" -> BIGINT;
            case "boolean", "bool" -> BOOLEAN;
            case "double precision", "double", "float8" -> DOUBLE;
            case "numeric", "decimal" -> NUMERIC;
            case "text" -> TEXT;
            case "bytea" -> BYTEA;
            case "date" -> DATE;
            case "timestamp", "timestamp without time zone" -> TIMESTAMP;
            case "timestamptz", "timestamp with time zone" -> TIMESTAMPTZ;
            case "time", "time without time zone" -> TIME;
            case "json" -> JSON;
            case "jsonb" -> JSONB;
            case "uuid" -> UUID;
            default -> throw ReplicatorException.config("type '" + raw + "' is not one this tool can target; use one of smallint, integer, bigint, "
                    + "boolean, double precision, numeric, numeric(p,s), text, varchar(n), bytea, date, timestamp, timestamptz, time, json, jsonb, uuid");
        };
    }
}

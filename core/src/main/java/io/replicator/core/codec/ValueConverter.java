package io.replicator.core.codec;

import io.replicator.core.event.SqliteValue;
import io.replicator.core.types.PgType;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Turns one SQLite value into the Java value of its PostgreSQL column, exactly or not at all. The same
 * conversion serves the snapshot's COPY, the change feed's sink and verification, so all three agree.
 * <p>Result types: integer kinds → Long; boolean → Boolean; double → Double; numeric → BigDecimal, or a
 * Double for ±Infinity; text, varchar, json, jsonb → {@link Text}; bytea → byte[]; date → LocalDate;
 * timestamp → LocalDateTime; timestamptz → Instant; time → LocalTime; interval → Duration (whole microseconds); uuid → UUID.
 * <p>A timestamp(3) or timestamptz(3) column takes an integer as milliseconds since 1970-01-01 UTC ({@link EpochMillis}).
 * <p>A timestamp, timestamptz or time column with fewer fractional digits than 6 ({@code timestamp(3)}) refuses a
 * value with more non-zero digits: PostgreSQL would round it without a word.
 */
public final class ValueConverter {
    private ValueConverter() {}

    /** UTF-8 text already validated for PostgreSQL (no NUL, well-formed). */
    public record Text(byte[] utf8) {
        public String string() {
            return new String(utf8, StandardCharsets.UTF_8);
        }
    }

    /** A SQLite value as it arrived in a change event, for its column; null for NULL. */
    public static Object from(PgType t, SqliteValue v) throws ConversionException {
        return switch (v.storageClass()) {
            case NULL -> null;
            case INTEGER -> fromInteger(t, v.asLong());
            case REAL -> fromReal(t, v.asDouble());
            case TEXT -> fromText(t, v.asBytes());
            case BLOB -> fromBlob(t, v.asBytes());
        };
    }

    public static Object fromInteger(PgType t, long v) throws ConversionException {
        switch (t.kind()) {
            case SMALLINT, INTEGER, BIGINT -> {
                if (v < t.minInteger() || v > t.maxInteger()) throw new ConversionException("is outside the range of " + t.sql());
                return v;
            }
            case BOOLEAN -> {
                if (v == 0) return Boolean.FALSE;
                if (v == 1) return Boolean.TRUE;
                throw new ConversionException("is neither 0 nor 1, so boolean cannot hold it");
            }
            case DOUBLE -> {
                if (Math.abs(v) > (1L << 53) && new BigDecimal((double) v).compareTo(BigDecimal.valueOf(v)) != 0) throw new ConversionException("has more digits than double precision keeps");
                return (double) v;
            }
            case NUMERIC -> {
                BigDecimal d = BigDecimal.valueOf(v);
                if (!Decimals.fits(d, t.precision(), t.scale())) throw new ConversionException("does not fit " + t.sql());
                return d;
            }
            case TEXT, VARCHAR -> {
                return new Text(Long.toString(v).getBytes(StandardCharsets.US_ASCII));
            }
            case INTERVAL -> { // microseconds, as Django's DurationField keeps a timedelta
                return Intervals.ofMicros(v);
            }
            case TIMESTAMP, TIMESTAMPTZ -> {
                if (!EpochMillis.applies(t)) {
                    throw new ConversionException("is an integer, which " + t.sql() + " cannot hold; a " + (t.kind() == PgType.Kind.TIMESTAMP
                            ? "timestamp(3)" : "timestamptz(3)") + " column takes integers as milliseconds since 1970-01-01 UTC (Prisma's DateTime)");
                }
                Instant i = EpochMillis.toInstant(v);
                return t.kind() == PgType.Kind.TIMESTAMP ? LocalDateTime.ofInstant(i, ZoneOffset.UTC) : i;
            }
            default -> throw new ConversionException("is an integer, which " + t.sql() + " cannot hold");
        }
    }

    public static Object fromReal(PgType t, double v) throws ConversionException {
        switch (t.kind()) {
            case DOUBLE -> {
                return v;
            }
            case NUMERIC -> {
                if (Double.isInfinite(v)) {
                    if (t.precision() > 0) throw new ConversionException("is infinite, which " + t.sql() + " cannot hold");
                    return v;
                }
                if (Double.isNaN(v)) throw new ConversionException("is NaN");
                if (v == 0 && 1 / v < 0) throw new ConversionException("is -0.0, which numeric cannot tell from 0");
                BigDecimal d = Decimals.shortest(v);
                if (!Decimals.fits(d, t.precision(), t.scale())) {
                    throw new ConversionException("needs " + d.toPlainString() + " exactly, which does not fit " + t.sql());
                }
                return d;
            }
            case TEXT, VARCHAR -> {
                return new Text(Decimals.realToText(v).getBytes(StandardCharsets.US_ASCII));
            }
            default -> throw new ConversionException("is a real number, which " + t.sql() + " cannot hold exactly");
        }
    }

    public static Object fromText(PgType t, byte[] utf8) throws ConversionException {
        if (t.kind() == PgType.Kind.BYTEA) return utf8; // raw bytes, chosen explicitly by the user
        int bad = Utf8.firstInvalid(utf8);
        if (bad >= 0) throw new ConversionException(Utf8.describe(utf8, bad));
        switch (t.kind()) {
            case TEXT -> {
                return new Text(utf8);
            }
            case JSON -> {
                String problem = JsonValues.jsonProblem(utf8);
                if (problem != null) throw new ConversionException(problem + ", which json cannot hold");
                return new Text(utf8);
            }
            case VARCHAR -> {
                if (t.hasLength()) {
                    String s = new String(utf8, StandardCharsets.UTF_8);
                    if (s.codePointCount(0, s.length()) > t.length()) throw new ConversionException("is longer than " + t.sql());
                }
                return new Text(utf8);
            }
            case JSONB -> {
                String problem = JsonValues.jsonbProblem(utf8);
                if (problem != null) throw new ConversionException(problem);
                return new Text(utf8);
            }
            case UUID -> {
                UUID u = Uuids.fromHex(utf8);
                if (u == null) throw new ConversionException("is not a UUID in 32 lowercase hex digits (uuid would not keep its spelling)");
                return u;
            }
            case DATE, TIMESTAMP, TIMESTAMPTZ -> {
                Temporals.Parsed p = Temporals.parse(new String(utf8, StandardCharsets.UTF_8));
                if (p == null) throw new ConversionException("is not a date/time " + t.sql() + " can hold exactly");
                if (t.kind() == PgType.Kind.DATE) {
                    if (!p.dateOnly()) throw new ConversionException("has a time of day, which date cannot hold");
                    return p.local().toLocalDate();
                }
                checkFraction(t, p.local().getNano());
                if (t.kind() == PgType.Kind.TIMESTAMP) {
                    if (p.offset() != null) throw new ConversionException("has a UTC offset, which " + t.sql() + " cannot hold");
                    return p.local();
                }
                return p.instantAssumingUtc();
            }
            case TIME -> {
                LocalTime time = Temporals.parseTime(new String(utf8, StandardCharsets.UTF_8));
                if (time == null) throw new ConversionException("is not a time of day (HH:MM[:SS[.ffffff]]) " + t.sql() + " can hold exactly");
                checkFraction(t, time.getNano());
                return time;
            }
            case INTERVAL -> { // SQLAlchemy's Interval: a DATETIME relative to 1970-01-01 00:00:00
                Temporals.Parsed p = Temporals.parse(new String(utf8, StandardCharsets.UTF_8));
                if (p == null) {
                    throw new ConversionException("is text that is not a date/time, so not an interval as SQLAlchemy keeps one (a DATETIME relative to"
                            + " 1970-01-01 00:00:00); interval takes those or integer microseconds");
                }
                if (p.offset() != null) {
                    throw new ConversionException("has a UTC offset; an interval kept as a date/time (SQLAlchemy's, relative to 1970-01-01 00:00:00)"
                            + " has none");
                }
                return Intervals.sinceEpoch(p.local());
            }
            case SMALLINT, INTEGER, BIGINT, NUMERIC, DOUBLE -> {
                String s = new String(utf8, StandardCharsets.UTF_8);
                try {
                    if (t.isInteger()) {
                        long v = Long.parseLong(s);
                        if (!Long.toString(v).equals(s)) throw new NumberFormatException();
                        return fromInteger(t, v);
                    }
                    BigDecimal d = new BigDecimal(s);
                    if (!d.toString().equals(s) && !d.toPlainString().equals(s)) throw new NumberFormatException();
                    if (t.kind() == PgType.Kind.DOUBLE) {
                        double dv = d.doubleValue();
                        if (Decimals.shortest(dv).compareTo(d) != 0) throw new NumberFormatException();
                        return dv;
                    }
                    if (!Decimals.fits(d, t.precision(), t.scale())) throw new ConversionException("does not fit " + t.sql());
                    return d;
                } catch (NumberFormatException e) {
                    throw new ConversionException("is text that is not a number in its canonical spelling, which " + t.sql() + " cannot hold");
                }
            }
            default -> throw new ConversionException("is text, which " + t.sql() + " cannot hold");
        }
    }

    /** Refuses a fraction the column would round: more non-zero digits than {@code t} keeps. */
    private static void checkFraction(PgType t, int nanos) throws ConversionException {
        int digits = t.fractionDigits();
        int unit = 1_000;
        for (int k = digits; k < PgType.MAX_FRACTION_DIGITS; k++) unit *= 10;
        if (nanos % unit != 0) {
            throw new ConversionException("has more fractional digits than " + t.sql() + " keeps (PostgreSQL would round it)");
        }
    }

    public static Object fromBlob(PgType t, byte[] b) throws ConversionException {
        if (t.kind() == PgType.Kind.BYTEA) return b;
        throw new ConversionException("is a BLOB, which " + t.sql() + " cannot hold; map the column to bytea");
    }
}

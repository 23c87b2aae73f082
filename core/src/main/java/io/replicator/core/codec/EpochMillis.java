package io.replicator.core.codec;

import io.replicator.core.types.PgType;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Date-times kept as integer milliseconds since 1970-01-01 00:00 UTC, as Prisma keeps a DateTime in SQLite (and
 * JavaScript's {@code Date.now()} counts). The rule is tied to the column's type: a {@code timestamp(3)} or
 * {@code timestamptz(3)} column — the precision such a count has, and what Prisma makes on PostgreSQL — takes an
 * integer as milliseconds, and gives one back on the way to SQLite. Any other timestamp column refuses integers, so
 * a count of seconds is never read as milliseconds without the user having asked for milliseconds.
 * <p>Years 1..9999 only: what SQLite's date functions and the ORMs handle; beyond, the value is refused, not moved.
 */
public final class EpochMillis {
    private static final long MIN = LocalDateTime.of(1, 1, 1, 0, 0).toInstant(ZoneOffset.UTC).toEpochMilli();
    private static final long MAX = LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_000_000).toInstant(ZoneOffset.UTC).toEpochMilli();

    private EpochMillis() {}

    /** True when {@code t} takes integers as milliseconds since 1970: timestamp(3) and timestamptz(3). */
    public static boolean applies(PgType t) {
        return (t.kind() == PgType.Kind.TIMESTAMP || t.kind() == PgType.Kind.TIMESTAMPTZ) && t.fractionDigits() == 3;
    }

    /** The count is within the years 1..9999. */
    public static boolean fits(long millis) {
        return millis >= MIN && millis <= MAX;
    }

    public static Instant toInstant(long millis) throws ConversionException {
        if (!fits(millis)) {
            throw new ConversionException("as milliseconds since 1970-01-01 UTC falls outside the years 1..9999");
        }
        return Instant.ofEpochMilli(millis);
    }

    /** The count for a date-time read back from PostgreSQL; its fraction finer than a millisecond must be zero. */
    public static long of(Instant i) throws ConversionException {
        if (i.getNano() % 1_000_000 != 0) throw new ConversionException("has a fraction finer than a millisecond");
        return i.toEpochMilli();
    }
}

package io.replicator.translate.framework;

import io.replicator.core.model.SqliteCheck;
import io.replicator.core.model.SqliteColumn;
import io.replicator.core.model.SqliteTable;
import io.replicator.core.types.PgType;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The type a framework's PostgreSQL backend gives a column, where the SQLite file leaves a choice the generic rule
 * would make otherwise. Only an intent: the data still has to fit it exactly (lossless or loud), else the generic
 * rule's type is kept and the plan says so.
 *
 * <ul>
 *   <li>Django {@code datetime} → {@code timestamptz}: with USE_TZ (the default of new projects) Django keeps UTC in
 *       SQLite without an offset and reads aware datetimes back; {@code timestamp} gave it naive ones.</li>
 *   <li>Django JSONField ({@code text} with {@code CHECK (JSON_VALID(col) ...)}) → {@code jsonb}.</li>
 *   <li>Django UUIDField and SQLAlchemy's UUID recipe ({@code char(32)} holding 32 lowercase hex digits) → {@code uuid}.</li>
 *   <li>Laravel {@code tinyint(1)} → {@code boolean}.</li>
 *   <li>Prisma {@code DATETIME} (integer milliseconds since 1970, or text) → {@code timestamp(3)}; in its own
 *       {@code _prisma_migrations}, {@code timestamptz(3)}.</li>
 *   <li>Rails and Laravel {@code varchar} (no length) → {@code character varying} (no length).</li>
 *   <li>SQLAlchemy {@code JSON} → {@code json} (its PostgreSQL JSON type; the generic rule makes jsonb).</li>
 * </ul>
 */
public final class FrameworkTypes {
    private FrameworkTypes() {}

    /** A framework's choice for a column and why, or null when the generic rule stands. */
    public record Choice(PgType type, String why) {}

    public static Choice of(Framework f, SqliteTable t, SqliteColumn col, PgType generic) {
        String declared = col.declaredType() == null ? "" : col.declaredType().trim().toLowerCase(Locale.ROOT);
        switch (f) {
            case DJANGO -> {
                if (declared.equals("datetime")) {
                    return new Choice(PgType.TIMESTAMPTZ, "Django DateTimeField: timestamptz, as Django makes it on PostgreSQL; SQLite holds UTC"
                            + " without an offset when USE_TZ is on (with USE_TZ off, use --type " + t.name() + "." + col.name() + "=timestamp)");
                }
                if (declared.equals("char(32)")) {
                    return new Choice(PgType.UUID, "Django UUIDField (char(32)): uuid, as Django makes it on PostgreSQL (only if every value is"
                            + " 32 lowercase hex digits)");
                }
                if (declared.equals("text") && jsonValidCheck(t, col)) {
                    return new Choice(PgType.JSONB, "Django JSONField (text with a JSON_VALID check): jsonb, as Django makes it on PostgreSQL");
                }
            }
            case LARAVEL -> {
                if (declared.replace(" ", "").equals("tinyint(1)")) {
                    return new Choice(PgType.BOOLEAN, "Laravel boolean (tinyint(1)): boolean, as Laravel makes it on PostgreSQL");
                }
                if (declared.equals("varchar")) {
                    return new Choice(PgType.VARCHAR, "Laravel string (varchar): character varying; Laravel makes varchar(255) on PostgreSQL, but"
                            + " SQLite's DDL keeps no length and SQLite never enforced one");
                }
            }
            case PRISMA -> {
                if (declared.equals("datetime")) {
                    if (t.name().equals("_prisma_migrations")) {
                        return new Choice(PgType.withFraction(PgType.Kind.TIMESTAMPTZ, 3), "Prisma's migration log: timestamptz (Prisma makes"
                                + " timestamptz for it on PostgreSQL), at millisecond precision: SQLite holds milliseconds since 1970 (UTC)");
                    }
                    return new Choice(PgType.withFraction(PgType.Kind.TIMESTAMP, 3), "Prisma DateTime: timestamp(3), as Prisma makes it on"
                            + " PostgreSQL; SQLite holds milliseconds since 1970 (UTC) or text, both taken exactly");
                }
            }
            case RAILS -> {
                if (declared.equals("varchar")) {
                    return new Choice(PgType.VARCHAR, "Rails string (varchar): character varying, as Rails makes it on PostgreSQL");
                }
            }
            case ALEMBIC -> {
                if (declared.equals("char(32)")) {
                    return new Choice(PgType.UUID, "SQLAlchemy's UUID recipe (CHAR(32)): uuid, as the recipe makes it on PostgreSQL (only if every"
                            + " value is 32 lowercase hex digits)");
                }
                if (declared.equals("json") && generic != null && generic.kind() == PgType.Kind.JSONB) {
                    return new Choice(PgType.JSON, "SQLAlchemy JSON: json, as SQLAlchemy makes it on PostgreSQL");
                }
            }
            default -> { }
        }
        return null;
    }

    /** The column has Django's {@code CHECK ((JSON_VALID("col") OR "col" IS NULL))}. */
    public static boolean jsonValidCheck(SqliteTable t, SqliteColumn col) {
        for (SqliteCheck c : t.checks()) if (isJsonValid(c, col.name())) return true;
        return false;
    }

    /** {@code check} is a JSON_VALID check of {@code column}. */
    public static boolean isJsonValid(SqliteCheck check, String column) {
        Pattern p = Pattern.compile("JSON_VALID\\s*\\(\\s*[\"`\\[]?" + Pattern.quote(column) + "[\"`\\]]?\\s*\\)", Pattern.CASE_INSENSITIVE);
        return p.matcher(check.expression()).find();
    }
}

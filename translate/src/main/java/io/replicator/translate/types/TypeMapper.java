package io.replicator.translate.types;

import io.replicator.core.codec.EpochMillis;
import io.replicator.core.types.PgType;

import io.replicator.core.model.Affinity;
import io.replicator.core.model.SqliteColumn;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SQLite → PostgreSQL type rules. The declared type says what the application meant; the data says what
 * the column really holds (SQLite types values, not columns). A declared intent is used only when every value
 * fits it exactly; otherwise the column keeps the values' own type and the plan says so. Values of several
 * storage classes in one column are a conflict: refused, or widened when the policy says so.
 */
public final class TypeMapper {
    private TypeMapper() {}

    private static final Pattern LENGTH = Pattern.compile("\\(\\s*(\\d+)\\s*\\)");
    private static final Pattern PRECISION_SCALE = Pattern.compile("\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\)");
    private static final double TWO_53 = 9007199254740992d;

    /** What the declared type asks for, or null when it says nothing usable (then the data decides). */
    public static PgType intent(SqliteColumn c, boolean rowidAlias) {
        if (rowidAlias) return PgType.BIGINT;
        String t = c.declaredType() == null ? "" : c.declaredType().toUpperCase(Locale.ROOT).trim();
        Affinity a = Affinity.of(t);
        switch (a) {
            case INTEGER -> {
                boolean unsigned = t.contains("UNSIGNED");
                if (t.contains("BIGINT") || t.contains("INT8") || t.contains("INTEGER")) return PgType.BIGINT;
                if (t.contains("SMALLINT") || t.contains("INT2") || t.contains("TINYINT") || t.contains("SHORT")) {
                    return unsigned ? PgType.INTEGER : PgType.SMALLINT;
                }
                if (t.contains("MEDIUMINT") || t.contains("INT4") || t.matches("INT(\\s*\\(.*\\))?")) {
                    return unsigned ? PgType.BIGINT : PgType.INTEGER;
                }
                return PgType.BIGINT;
            }
            case TEXT -> {
                Matcher m = LENGTH.matcher(t);
                if ((t.contains("CHAR")) && m.find()) {
                    int n = Integer.parseInt(m.group(1));
                    if (n >= 1 && n <= 10485760) return PgType.varchar(n);
                }
                return PgType.TEXT;
            }
            case BLOB -> {
                return t.isEmpty() ? null : PgType.BYTEA;
            }
            case REAL -> {
                return PgType.DOUBLE;
            }
            default -> {
                if (t.contains("BOOL")) return PgType.BOOLEAN;
                if (t.contains("DATETIME") || t.contains("TIMESTAMP")) return PgType.TIMESTAMP;
                if (t.equals("DATE")) return PgType.DATE;
                if (t.equals("TIME") || t.matches("TIME\\s*\\(\\s*\\d\\s*\\)")) return PgType.TIME;
                if (t.contains("JSON")) return PgType.JSONB;
                if (t.startsWith("DECIMAL") || t.startsWith("NUMERIC")) {
                    Matcher m = PRECISION_SCALE.matcher(t);
                    if (m.find()) {
                        int p = Integer.parseInt(m.group(1));
                        int s = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
                        if (p >= 1 && p <= 1000 && s <= p) return PgType.numeric(p, s);
                    }
                    return PgType.NUMERIC;
                }
                return null;
            }
        }
    }

    /**
     * The declared type's intent taken on trust, for a copy that checks every value as it goes (see
     * {@link ColumnMapping#assumed()}). Null when the declared type says nothing and the data must decide.
     */
    public static ColumnMapping assume(SqliteColumn c, boolean rowidAlias) {
        return assume(c, rowidAlias, intent(c, rowidAlias));
    }

    /** {@link #assume(SqliteColumn, boolean)} with the intent given (a framework's choice, or the declared type's). */
    public static ColumnMapping assume(SqliteColumn c, boolean rowidAlias, PgType intent) {
        return intent == null ? null : new ColumnMapping(intent, List.of(), null, !rowidAlias);
    }

    /** Which semantic checks the profiler must run for a column with this intent. */
    public static boolean needsTemporalCheck(PgType intent) {
        return intent != null && intent.isTemporal();
    }

    public static boolean needsJsonCheck(PgType intent) {
        return intent != null && intent.kind() == PgType.Kind.JSONB;
    }

    public static boolean needsRealFitCheck(PgType intent) {
        return intent != null && intent.kind() == PgType.Kind.NUMERIC;
    }

    /**
     * Decides the column's type.
     *
     * @param override the user's {@code --type} for this column, or null
     */
    public static ColumnMapping decide(SqliteColumn c, boolean rowidAlias, ColumnProfile p, PgType override, ConflictPolicy policy) {
        return decide(c, rowidAlias, p, override, policy, intent(c, rowidAlias));
    }

    /** {@link #decide(SqliteColumn, boolean, ColumnProfile, PgType, ConflictPolicy)} with the intent given. */
    public static ColumnMapping decide(SqliteColumn c, boolean rowidAlias, ColumnProfile p, PgType override, ConflictPolicy policy, PgType intent) {
        List<String> notes = new ArrayList<>();
        if (override != null) {
            String bad = incompatibleClasses(override, p);
            notes.add("type set by --type to " + override.sql());
            return new ColumnMapping(override, notes, bad == null ? null
                    : "holds " + bad + " values, which " + override.sql() + " (set by --type) cannot hold");
        }
        if (intent != null) {
            PgType fitted = fit(intent, p, notes);
            if (fitted != null) return new ColumnMapping(fitted, notes, null);
        }
        PgType generic = intent(c, rowidAlias);
        if (intent != null && generic != null && !generic.equals(intent)) { // a framework's choice the data does not fit: the declared type's own
            PgType fitted = fit(generic, p, notes);
            if (fitted != null) {
                notes.add("the values do not all fit " + intent.sql() + ": " + fitted.sql() + " from the declared type");
                return new ColumnMapping(fitted, notes, null);
            }
        }
        PgType data = dataType(p);
        String declared = c.declaredType() == null || c.declaredType().isBlank() ? "no declared type" : "declared '" + c.declaredType() + "'";
        if (p.nonNull() == 0) {
            notes.add(declared + " and no values yet: text");
            return new ColumnMapping(PgType.TEXT, notes, null);
        }
        if (data != null) {
            if (intent != null) notes.add(declared + ", but holds " + p.describe() + "; kept as " + data.sql());
            else if (data.kind() != PgType.Kind.TEXT || c.declaredType() == null || c.declaredType().isBlank()) {
                notes.add(declared + "; holds " + p.describe() + ": " + data.sql());
            }
            return new ColumnMapping(data, notes, null);
        }
        PgType widened = widen(p);
        if (policy == ConflictPolicy.WIDEN && widened != null) {
            notes.add(declared + ", but holds " + p.describe() + "; widened to " + widened.sql() + " (--on-type-conflict=widen)");
            return new ColumnMapping(widened, notes, null);
        }
        PgType shown = intent != null ? intent : (widened != null ? widened : PgType.TEXT);
        String fix = widened != null
                ? "rerun with --type " + "%TABLE%." + c.name() + "=" + widened.sql() + " or --on-type-conflict=widen to widen it"
                : "no single PostgreSQL type holds these exactly; " + (p.blobs() > 0 && p.texts() > 0 && p.integers() + p.reals() == 0
                ? "--type %TABLE%." + c.name() + "=bytea keeps every value's bytes" : "clean the data in SQLite first");
        return new ColumnMapping(shown, notes, declared + ", but holds " + p.describe() + "; " + fix);
    }

    private static PgType fit(PgType intent, ColumnProfile p, List<String> notes) {
        boolean onlyInts = p.reals() + p.texts() + p.blobs() == 0;
        boolean onlyNumbers = p.texts() + p.blobs() == 0;
        boolean onlyTexts = p.integers() + p.reals() + p.blobs() == 0;
        switch (intent.kind()) {
            case SMALLINT, INTEGER, BIGINT -> {
                if (!onlyInts) return null;
                if (p.integers() > 0 && (p.minInteger() < intent.minInteger() || p.maxInteger() > intent.maxInteger())) {
                    notes.add("declared narrower, but holds " + p.minInteger() + ".." + p.maxInteger() + ": bigint");
                    return PgType.BIGINT;
                }
                return intent;
            }
            case BOOLEAN -> {
                return onlyInts && p.integersNotBoolean() == 0 ? intent : null;
            }
            case DOUBLE -> {
                if (!onlyNumbers) return null;
                if (p.integers() > 0 && (Math.abs((double) p.minInteger()) > TWO_53 || Math.abs((double) p.maxInteger()) > TWO_53)) return null;
                return intent;
            }
            case NUMERIC -> {
                if (!onlyNumbers || p.realsNegativeZero() > 0) return null;
                if (p.realsNotFitting() > 0) {
                    if (intent.precision() == 0) return null;
                    notes.add(p.realsNotFitting() + " value(s) need more digits than " + intent.sql() + ": numeric");
                    return PgType.NUMERIC;
                }
                if (intent.precision() > 0 && p.integers() > 0) {
                    int maxDigits = Math.max(Long.toString(Math.abs(p.minInteger())).length(), Long.toString(Math.abs(p.maxInteger())).length());
                    if (p.minInteger() == Long.MIN_VALUE || maxDigits > intent.precision() - intent.scale()) {
                        notes.add("integers up to " + maxDigits + " digits do not fit " + intent.sql() + ": numeric");
                        return PgType.NUMERIC;
                    }
                }
                return intent;
            }
            case VARCHAR -> {
                if (!onlyTexts) return null;
                if (intent.hasLength() && p.maxTextChars() > intent.length()) {
                    notes.add("declared " + intent.sql() + ", but a value has " + p.maxTextChars() + " characters: text");
                    return PgType.TEXT;
                }
                return intent;
            }
            case TEXT -> {
                return onlyTexts ? intent : null;
            }
            case JSON -> {
                return onlyTexts && p.textsNotJson() == 0 ? intent : null;
            }
            case BYTEA -> {
                return p.integers() + p.reals() + p.texts() == 0 ? intent : null;
            }
            case DATE, TIMESTAMP, TIMESTAMPTZ -> {
                boolean epochMillis = EpochMillis.applies(intent) && p.integers() > 0; // Prisma's DateTime
                if (!(onlyTexts || epochMillis && p.reals() + p.blobs() == 0) || p.textsNotTemporal() > 0) return null;
                if (epochMillis && (!EpochMillis.fits(p.minInteger()) || !EpochMillis.fits(p.maxInteger()))) return null;
                if (epochMillis) notes.add("integers taken as milliseconds since 1970-01-01 UTC, e.g. " + p.maxInteger() + " = "
                        + Instant.ofEpochMilli(p.maxInteger()));
                if (p.texts() == 0) return intent;
                if (p.textsWithOffset() > 0) {
                    notes.add("some values carry a UTC offset: timestamptz; values without one are taken as UTC");
                    return PgType.TIMESTAMPTZ;
                }
                if (intent.kind() == PgType.Kind.DATE && p.textsNotDateOnly() > 0) return PgType.TIMESTAMP;
                return intent;
            }
            case TIME -> {
                return onlyTexts && p.textsNotTemporal() == 0 ? intent : null;
            }
            case UUID -> {
                if (!onlyTexts || p.textsNotUuid() > 0) return null;
                return intent;
            }
            case JSONB -> {
                if (!onlyTexts) return null;
                if (p.textsNotJson() > 0) {
                    notes.add(p.textsNotJson() + " value(s) are not JSON jsonb holds exactly (invalid, duplicate keys or U+0000): text");
                    return PgType.TEXT;
                }
                return intent;
            }
            default -> {
                return null;
            }
        }
    }

    /** The type of a column whose non-null values all have one storage class, else null. */
    static PgType dataType(ColumnProfile p) {
        if (p.classCount() != 1) return null;
        if (p.integers() > 0) return PgType.BIGINT;
        if (p.reals() > 0) return PgType.DOUBLE;
        if (p.texts() > 0) return PgType.TEXT;
        return PgType.BYTEA;
    }

    /** The narrowest type holding every value of a mixed column exactly, or null. */
    static PgType widen(ColumnProfile p) {
        if (p.blobs() > 0) return null;
        if (p.texts() > 0) return PgType.TEXT;
        if (p.realsNegativeZero() > 0) return PgType.TEXT;
        return PgType.NUMERIC;
    }

    /** Storage classes present in the data that {@code t} cannot hold at all, or null. */
    static String incompatibleClasses(PgType t, ColumnProfile p) {
        List<String> bad = new ArrayList<>();
        boolean ints, reals, texts, blobs;
        switch (t.kind()) {
            case SMALLINT, INTEGER, BIGINT -> { ints = true; reals = false; texts = true; blobs = false; }
            case BOOLEAN -> { ints = true; reals = false; texts = false; blobs = false; }
            case DOUBLE, NUMERIC -> { ints = true; reals = true; texts = true; blobs = false; }
            case TEXT, VARCHAR -> { ints = true; reals = true; texts = true; blobs = false; }
            case BYTEA -> { ints = false; reals = false; texts = true; blobs = true; }
            case INTERVAL -> { ints = true; reals = false; texts = true; blobs = false; } // Django's microseconds, SQLAlchemy's DATETIME
            case TIMESTAMP, TIMESTAMPTZ -> { ints = EpochMillis.applies(t); reals = false; texts = true; blobs = false; } // Prisma's milliseconds
            default -> { ints = false; reals = false; texts = true; blobs = false; }
        }
        if (!ints && p.integers() > 0) bad.add("integer");
        if (!reals && p.reals() > 0) bad.add("real");
        if (!texts && p.texts() > 0) bad.add("text");
        if (!blobs && p.blobs() > 0) bad.add("blob");
        return bad.isEmpty() ? null : String.join("/", bad);
    }
}

package io.replicator.translate.plan;

import io.replicator.translate.framework.Framework;
import io.replicator.translate.framework.FrameworkTypes;
import io.replicator.translate.schema.RowIdentity;
import io.replicator.core.codec.Decimals;
import io.replicator.core.codec.JsonValues;
import io.replicator.core.codec.Temporals;
import io.replicator.core.model.SqliteColumn;
import io.replicator.core.model.SqliteTable;
import io.replicator.translate.types.ColumnProfile;
import io.replicator.core.types.PgType;
import io.replicator.translate.types.TypeMapper;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.replicator.core.Identifiers.sqlite;

/**
 * Measures what every column really holds, in one aggregate scan per table run by SQLite itself, plus a
 * one-column scan for the few checks SQL cannot make exactly (date/time shapes, JSON that jsonb keeps,
 * REALs that fit numeric(p,s)), only where the declared type asks for them.
 */
public final class Profiler {
    private Profiler() {}

    public record TableProfile(long rows, Map<String, ColumnProfile> columns) {}

    public static TableProfile profile(Connection c, SqliteTable t, Map<String, PgType> intents) throws SQLException {
        return profile(c, t, intents, t.storedColumns(), true);
    }

    /** Aggregates per column in the profile's one query. */
    private static final int AGGREGATES = 9;

    /**
     * Profiles only {@code cols} (the others get an empty profile), with or without the one-column Java scans.
     * With no column at all this is just {@code count(*)}, which SQLite answers without reading rows. What is
     * measured serves both the column's intent and its declared type's generic intent, which the decision falls
     * back to when a framework's choice does not fit.
     */
    public static TableProfile profile(Connection c, SqliteTable t, Map<String, PgType> intents, List<SqliteColumn> cols, boolean semanticScans)
            throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT count(*)");
        for (SqliteColumn col : cols) {
            String q = sqlite(col.name());
            PgType intent = intents.get(col.name());
            PgType generic = TypeMapper.intent(col, col.name().equals(t.rowidAlias()));
            sql.append(", count(").append(q).append(')')
               .append(", sum(typeof(").append(q).append(")='integer')")
               .append(", sum(typeof(").append(q).append(")='real')")
               .append(", sum(typeof(").append(q).append(")='text')")
               .append(", min(CASE WHEN typeof(").append(q).append(")='integer' THEN ").append(q).append(" END)")
               .append(", max(CASE WHEN typeof(").append(q).append(")='integer' THEN ").append(q).append(" END)");
            if (either(intent, generic, PgType.Kind.VARCHAR)) {
                sql.append(", max(CASE WHEN typeof(").append(q).append(")='text' THEN length(").append(q).append(") END)");
            } else {
                sql.append(", 0");
            }
            if (either(intent, generic, PgType.Kind.BOOLEAN)) {
                sql.append(", sum(typeof(").append(q).append(")='integer' AND ").append(q).append(" NOT IN (0,1))");
            } else {
                sql.append(", 0");
            }
            if (either(intent, generic, PgType.Kind.UUID)) { // only 32 lowercase hex digits come back from uuid unchanged
                sql.append(", sum(typeof(").append(q).append(")='text' AND NOT (length(").append(q).append(")=32 AND ").append(q)
                   .append(" NOT GLOB '*[^0-9a-f]*'))");
            } else {
                sql.append(", 0");
            }
        }
        sql.append(" FROM ").append(sqlite(t.name()));
        Map<String, ColumnProfile> out = new LinkedHashMap<>();
        long rows;
        long[][] agg = new long[cols.size()][AGGREGATES];
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.toString())) {
            rs.next();
            rows = rs.getLong(1);
            for (int i = 0; i < cols.size(); i++) {
                for (int k = 0; k < AGGREGATES; k++) agg[i][k] = rs.getLong(2 + i * AGGREGATES + k);
            }
        }
        for (int i = 0; i < cols.size(); i++) {
            SqliteColumn col = cols.get(i);
            long[] a = agg[i];
            long nonNull = a[0];
            long ints = a[1], reals = a[2], texts = a[3];
            long blobs = nonNull - ints - reals - texts;
            PgType intent = intents.get(col.name());
            PgType generic = TypeMapper.intent(col, col.name().equals(t.rowidAlias()));
            long notTemporal = 0, withOffset = 0, notDateOnly = 0, notJson = 0, realsNotFitting = 0, negZero = 0;
            if (texts > 0 && semanticScans && either(intent, generic, PgType.Kind.TIME)) {
                notTemporal = scanTime(c, t, col);
            } else if (texts > 0 && semanticScans && (TypeMapper.needsTemporalCheck(intent) || TypeMapper.needsTemporalCheck(generic))) {
                long[] r = scanTemporal(c, t, col);
                notTemporal = r[0];
                withOffset = r[1];
                notDateOnly = r[2];
            }
            if (texts > 0 && semanticScans && (either(intent, generic, PgType.Kind.JSON) || either(intent, generic, PgType.Kind.JSONB))) {
                // json holds any valid JSON as written; jsonb, stricter, is what a failed json falls back to
                notJson = scanJson(c, t, col, intent != null && intent.kind() == PgType.Kind.JSON);
            }
            PgType numeric = TypeMapper.needsRealFitCheck(intent) ? intent : TypeMapper.needsRealFitCheck(generic) ? generic : null;
            if (reals > 0 && semanticScans && numeric != null) {
                long[] r = scanReals(c, t, col, numeric);
                realsNotFitting = r[0];
                negZero = r[1];
            }
            out.put(col.name(), new ColumnProfile(rows, rows - nonNull, ints, reals, texts, blobs, a[4], a[5], a[6], a[7],
                    notTemporal, withOffset, notDateOnly, notJson, realsNotFitting, negZero, a[8]));
        }
        for (SqliteColumn col : t.storedColumns()) out.putIfAbsent(col.name(), ColumnProfile.empty());
        return new TableProfile(rows, out);
    }

    /** Whether a primary-key column (other than the rowid alias, which cannot be NULL) holds a NULL; served by the key's index. */
    public static boolean primaryKeyHasNulls(Connection c, SqliteTable t) throws SQLException {
        return RowIdentity.primaryKeyHasNulls(c, t);
    }

    private static String textValues(SqliteTable t, SqliteColumn col, String cls) {
        return "SELECT " + sqlite(col.name()) + " FROM " + sqlite(t.name()) + " WHERE typeof(" + sqlite(col.name()) + ")='" + cls + "'";
    }

    private static long[] scanTemporal(Connection c, SqliteTable t, SqliteColumn col) throws SQLException {
        long bad = 0, offset = 0, notDate = 0;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(textValues(t, col, "text"))) {
            while (rs.next()) {
                Temporals.Parsed p = Temporals.parse(new String(rs.getBytes(1), StandardCharsets.UTF_8));
                if (p == null) bad++;
                else {
                    if (p.offset() != null) offset++;
                    if (!p.dateOnly()) notDate++;
                }
            }
        }
        return new long[] {bad, offset, notDate};
    }

    private static long scanTime(Connection c, SqliteTable t, SqliteColumn col) throws SQLException {
        long bad = 0;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(textValues(t, col, "text"))) {
            while (rs.next()) {
                if (Temporals.parseTime(new String(rs.getBytes(1), StandardCharsets.UTF_8)) == null) bad++;
            }
        }
        return bad;
    }

    private static boolean either(PgType intent, PgType generic, PgType.Kind kind) {
        return intent != null && intent.kind() == kind || generic != null && generic.kind() == kind;
    }

    /** Text values that are not JSON json (syntax only) or jsonb (also no duplicate key, no U+0000) holds exactly. */
    private static long scanJson(Connection c, SqliteTable t, SqliteColumn col, boolean syntaxOnly) throws SQLException {
        long bad = 0;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(textValues(t, col, "text"))) {
            while (rs.next()) {
                byte[] v = rs.getBytes(1);
                if ((syntaxOnly ? JsonValues.jsonProblem(v) : JsonValues.jsonbProblem(v)) != null) bad++;
            }
        }
        return bad;
    }

    private static long[] scanReals(Connection c, SqliteTable t, SqliteColumn col, PgType intent) throws SQLException {
        long notFitting = 0, negZero = 0;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(textValues(t, col, "real"))) {
            while (rs.next()) {
                double d = rs.getDouble(1);
                if (d == 0 && 1 / d < 0) { negZero++; continue; }
                if (Double.isInfinite(d) || Double.isNaN(d)) {
                    if (intent.precision() > 0) notFitting++;
                    continue;
                }
                BigDecimal b = Decimals.shortest(d);
                if (!Decimals.fits(b, intent.precision(), intent.scale())) notFitting++;
            }
        }
        return new long[] {notFitting, negZero};
    }

    /** Column intents for a table: what the declared types ask for, or what the framework's PostgreSQL backend makes of them. */
    public static Map<String, PgType> intents(SqliteTable t, Framework framework) {
        Map<String, PgType> m = new LinkedHashMap<>();
        for (SqliteColumn col : t.storedColumns()) {
            boolean rowidAlias = col.name().equals(t.rowidAlias());
            PgType generic = TypeMapper.intent(col, rowidAlias);
            FrameworkTypes.Choice choice = rowidAlias ? null : FrameworkTypes.of(framework, t, col, generic);
            m.put(col.name(), choice != null ? choice.type() : generic);
        }
        return m;
    }

}

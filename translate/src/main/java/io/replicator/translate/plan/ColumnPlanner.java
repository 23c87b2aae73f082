package io.replicator.translate.plan;

import io.replicator.core.Identifiers;
import io.replicator.core.codec.ScaleRounding;
import io.replicator.core.codec.SqliteValueReader;
import io.replicator.core.model.SqliteColumn;
import io.replicator.core.model.SqliteTable;
import io.replicator.core.types.PgType;
import io.replicator.core.sqlite.ApplicationCollations;
import io.replicator.translate.types.ColumnMapping;
import io.replicator.translate.types.ColumnProfile;
import io.replicator.translate.types.TypeMapper;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.replicator.core.Identifiers.sqlite;

/**
 * Decides each stored column of a table: its PostgreSQL type ({@link TypeMapper}, from the declared type alone
 * when trusted, else from the profile of its values), its default, and the problems that come with it. A
 * conflict (values no one type holds exactly) is an ERROR that names the first row holding the odd value out.
 * Reads SQLite only to find that row; writes nothing.
 */
final class ColumnPlanner {
    private ColumnPlanner() {}

    /**
     * @param assume take the declared type on trust for columns that have one and no {@code --type} override
     */
    static List<ColumnPlan> plan(Connection c, SqliteTable t, Profiler.TableProfile prof, Map<String, PgType> intents,
                                 Map<String, String> colNames, boolean pkUsable, PlanOptions opt, List<Problem> problems,
                                 boolean assume) throws SQLException {
        List<ColumnPlan> cols = new ArrayList<>();
        for (SqliteColumn col : t.storedColumns()) {
            ColumnProfile p = prof.columns().get(col.name());
            boolean rowidAlias = col.name().equals(t.rowidAlias());
            PgType override = opt.typeOverrides().get(t.name() + "." + col.name());
            PgType intent = intents.get(col.name());
            boolean roundAsked = opt.roundsToScale(t.name(), col.name());
            PgType declared = override != null ? override : intent;
            ColumnProfile decideOn = roundAsked && declared != null && ScaleRounding.applies(declared) ? p.roundedToScale() : p;
            ColumnMapping m = assume && override == null && intent != null
                    ? TypeMapper.assume(col, rowidAlias, intent)
                    : TypeMapper.decide(col, rowidAlias, decideOn, override, opt.conflictPolicy(), intent);
            boolean rounds = roundAsked && ScaleRounding.applies(m.type());
            if (rounds) {
                problems.add(RoundingReport.of(c, t, col, m.type()));
            } else if (roundAsked && !opt.roundToScale().contains(PlanOptions.EVERY_COLUMN)) {
                problems.add(new Problem(Problem.Level.WARNING, t.name(), col.name(), "--round-to-scale: the column is " + m.type().sql()
                        + ", which has no scale to round to; its values move as they are"));
            }
            for (String n : m.notes()) problems.add(new Problem(Problem.Level.NOTE, t.name(), col.name(), n));
            if (m.hasConflict()) {
                problems.add(new Problem(Problem.Level.ERROR, t.name(), col.name(), m.conflict().replace("%TABLE%", t.name())
                        + firstOffender(c, t, col, m.type(), p)));
            }
            if (col.generated()) problems.add(new Problem(Problem.Level.WARNING, t.name(), col.name(), "generated column: values are copied, but PostgreSQL will not compute it"));
            if (col.collation() != null) {
                problems.add(new Problem(Problem.Level.WARNING, t.name(), col.name(), "COLLATE " + col.collation()
                        + " has no PostgreSQL equivalent here; comparisons and UNIQUE become case/space-sensitive"
                        + (ApplicationCollations.isApplicationDefined(col.collation()) ? " (" + col.collation() + " is the application's own collation,"
                        + " unknown to SQLite elsewhere: the tool reads the table with a case-insensitive stand-in; values move exactly)" : "")));
            }
            String def = null;
            if (!rowidAlias && col.defaultSql() != null) {
                DefaultTranslator.Result r = DefaultTranslator.translate(col.defaultSql(), m.type());
                def = r.sql();
                if (r.problem() != null) problems.add(new Problem(r.sql() == null ? Problem.Level.WARNING : Problem.Level.NOTE, t.name(), col.name(), r.problem()));
            }
            cols.add(new ColumnPlan(col, colNames.get(col.name()), m, p, def, rowidAlias && pkUsable, false, false, rounds, opt.decimalRounding()));
        }
        return cols;
    }

    /** " (first at row id=2: 'lots-of-it')": the first row holding a value of the column's least common storage class. */
    private static String firstOffender(Connection c, SqliteTable t, SqliteColumn col, PgType type, ColumnProfile p) throws SQLException {
        String cls = leastCommonClass(p);
        if (cls == null) return "";
        String key = t.primaryKey().isEmpty() ? "rowid" : String.join(", ", t.primaryKey().stream().map(Identifiers::sqlite).toList());
        String keyNames = t.primaryKey().isEmpty() ? "rowid" : String.join(",", t.primaryKey());
        try (PreparedStatement ps = c.prepareStatement("SELECT " + key + ", " + sqlite(col.name()) + " FROM " + sqlite(t.name())
                + " WHERE typeof(" + sqlite(col.name()) + ") = ? LIMIT 1")) {
            ps.setString(1, cls);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return "";
                int n = rs.getMetaData().getColumnCount();
                List<String> kv = new ArrayList<>();
                for (int i = 1; i < n; i++) kv.add(SqliteValueReader.display(rs, i));
                return " (first " + cls + " value at row " + keyNames + "=" + String.join(",", kv) + ": " + SqliteValueReader.display(rs, n) + ")";
            }
        }
    }

    private static String leastCommonClass(ColumnProfile p) {
        String best = null;
        long min = Long.MAX_VALUE;
        long[] counts = {p.integers(), p.reals(), p.texts(), p.blobs()};
        String[] names = {"integer", "real", "text", "blob"};
        for (int i = 0; i < 4; i++) {
            if (counts[i] > 0 && counts[i] < min) { min = counts[i]; best = names[i]; }
        }
        return best;
    }
}

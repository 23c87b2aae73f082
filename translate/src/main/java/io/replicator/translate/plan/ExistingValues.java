package io.replicator.translate.plan;

import io.replicator.core.codec.ConversionException;
import io.replicator.core.codec.SqliteValueReader;
import io.replicator.translate.schema.ExistingSchema;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.replicator.core.Identifiers.sqlite;

/**
 * The values of one SQLite table against the application's existing columns, converted exactly as the copy will
 * convert them: each column's values the type cannot hold and NULLs a NOT NULL column refuses (counted, the first
 * named by its key), and rows that would break a unique key of the application's table. Reads the table once,
 * plus one grouping query per unique key.
 */
final class ExistingValues {
    private ExistingValues() {}

    private static final class Misfit {
        long count;
        String first;
    }

    static void check(Connection c, TablePlan t, ExistingSchema.Table target, List<Problem> problems) throws SQLException {
        List<ColumnPlan> cols = t.columns();
        int[] keyAt = t.keyColumnPositions();
        Map<Integer, Misfit> misfits = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(t.sqliteSelect())) {
            while (rs.next()) {
                for (int i = 0; i < cols.size(); i++) {
                    ColumnPlan col = cols.get(i);
                    String why;
                    try {
                        Object v = col.convert(SqliteValueReader.value(rs, i + 1));
                        if (v != null || !col.refusesNull()) continue;
                        why = "NULL, which the NOT NULL column refuses";
                    } catch (ConversionException e) {
                        why = SqliteValueReader.display(rs, i + 1) + " " + e.getMessage();
                    }
                    Misfit m = misfits.computeIfAbsent(i, x -> new Misfit());
                    if (m.count++ == 0) m.first = key(rs, t, keyAt) + ": " + why;
                }
            }
        }
        for (Map.Entry<Integer, Misfit> e : misfits.entrySet()) {
            ColumnPlan col = cols.get(e.getKey());
            problems.add(new Problem(Problem.Level.ERROR, t.source().name(), col.source().name(), e.getValue().count + " value(s) the application's column "
                    + col.pgName() + " " + col.type().sql() + (col.refusesNull() ? " NOT NULL" : "") + " cannot hold exactly, first at " + e.getValue().first
                    + ". Change the column with a migration of the application, or fix the rows in SQLite"));
        }
        for (ExistingSchema.Unique u : target.uniques()) duplicates(c, t, u, problems);
    }

    /** Rows with the same values in the columns of a unique key of the application's table (rows holding a NULL in one never clash). */
    private static void duplicates(Connection c, TablePlan t, ExistingSchema.Unique u, List<Problem> problems) throws SQLException {
        List<String> sqliteCols = new ArrayList<>();
        for (String pgCol : u.columns()) {
            ColumnPlan cp = t.columns().stream().filter(x -> x.pgName().equals(pgCol)).findFirst().orElse(null);
            if (cp == null) return; // a column SQLite does not fill: its default decides, nothing to compare here
            sqliteCols.add(sqlite(cp.source().name()));
        }
        String list = String.join(", ", sqliteCols);
        String sql = "SELECT " + list + ", count(*) FROM " + sqlite(t.source().name()) + " WHERE "
                + String.join(" AND ", sqliteCols.stream().map(x -> x + " IS NOT NULL").toList()) + " GROUP BY " + list + " HAVING count(*) > 1";
        long groups = 0;
        String first = null;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                if (groups++ == 0) {
                    List<String> vals = new ArrayList<>();
                    for (int i = 1; i <= sqliteCols.size(); i++) vals.add(SqliteValueReader.display(rs, i));
                    first = "(" + String.join(", ", vals) + ") in " + rs.getLong(sqliteCols.size() + 1) + " rows";
                }
            }
        }
        if (groups > 0) {
            problems.add(new Problem(Problem.Level.ERROR, t.source().name(), null, groups + " value(s) of " + u.columns() + " repeat in SQLite, which the"
                    + " application's unique key " + u.name() + " refuses; first " + first + ". Remove the duplicates in SQLite, or drop the key"
                    + " with a migration of the application"));
        }
    }

    private static String key(ResultSet rs, TablePlan t, int[] keyAt) throws SQLException {
        List<String> parts = new ArrayList<>();
        List<String> names = t.source().primaryKey();
        for (int k = 0; k < keyAt.length; k++) parts.add(names.get(k) + "=" + SqliteValueReader.display(rs, keyAt[k] + 1));
        return String.join(", ", parts);
    }
}

package io.replicator.translate.plan;

import io.replicator.core.ReplicatorException;
import io.replicator.core.codec.ScaleRounding;
import io.replicator.core.model.SqliteColumn;
import io.replicator.core.model.SqliteTable;
import io.replicator.core.types.PgType;
import io.replicator.translate.schema.ExistingSchema;
import io.replicator.translate.schema.SourceSchema;
import io.replicator.translate.types.ColumnMapping;
import io.replicator.translate.types.ColumnProfile;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The plan of a copy into the tables the application's own migrations made ({@code --into-existing}): each SQLite
 * table goes into the table of the same name, each column into the column of the same name, with that column's
 * type. Nothing is created; the application's constraints, names, defaults and sequences stay as it made them.
 *
 * <p>Every difference that would lose or refuse data is an ERROR, found before anything is written: a table or
 * column PostgreSQL does not have, a type this tool cannot fill exactly, a NOT NULL column SQLite does not fill,
 * a key that differs from SQLite's (the change feed identifies rows by it). With {@code checkValues} (the
 * {@code plan} command) every value is also converted as the copy would ({@link ExistingValues}): values a
 * column cannot hold, NULLs in NOT NULL columns and duplicates of a unique key are found too. Without it (the
 * snapshot) the copy converts each value and stops with exit 3 at the first that does not fit.
 */
public final class ExistingTablesPlanner {
    private ExistingTablesPlanner() {}

    public static Plan plan(String sqlitePath, Connection sqlite, SourceSchema schema, PlanOptions opt, Connection pg, boolean checkValues) {
        try {
            return build(sqlitePath, sqlite, schema, opt, pg, checkValues);
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot compare " + sqlitePath + " with schema " + opt.schema() + ": " + e.getMessage(), e);
        }
    }

    private static Plan build(String path, Connection c, SourceSchema schema, PlanOptions opt, Connection pg, boolean checkValues) throws SQLException {
        List<Problem> problems = new ArrayList<>();
        if (!ExistingSchema.exists(pg, opt.schema())) {
            throw ReplicatorException.config("--into-existing: schema " + opt.schema() + " does not exist in PostgreSQL. Create the application's tables"
                    + " there first with its own migrations (e.g. manage.py migrate, alembic upgrade head, rails db:schema:load, php artisan migrate,"
                    + " prisma migrate deploy), or leave out --into-existing to have the tables made from the SQLite file");
        }
        Map<String, ExistingSchema.Table> existing = ExistingSchema.read(pg, opt.schema());
        Map<String, String> tableNames = PgNames.tables(schema.tables(), problems);
        Set<String> filled = new HashSet<>();
        List<TablePlan> tables = new ArrayList<>();
        for (SqliteTable t : schema.tables()) {
            String pgName = tableNames.get(t.name());
            ExistingSchema.Table target = existing.get(pgName);
            if (target == null) {
                problems.add(new Problem(Problem.Level.ERROR, t.name(), null, "PostgreSQL has no table " + pgName + " in schema " + opt.schema()
                        + ": its rows would have nowhere to go. Run the application's migrations against PostgreSQL, or drop the table in SQLite"));
                continue;
            }
            filled.add(pgName);
            TablePlan tp = planTable(c, t, pgName, target, opt, problems);
            if (tp == null) continue;
            if (checkValues) ExistingValues.check(c, tp, target, problems);
            tables.add(tp);
        }
        for (String other : existing.keySet()) {
            if (!filled.contains(other)) {
                problems.add(new Problem(Problem.Level.NOTE, other, null, "PostgreSQL table with no SQLite table: left as it is"));
            }
        }
        if (schema.views().size() + schema.triggers().size() > 0) {
            problems.add(new Problem(Problem.Level.NOTE, null, null, "views and triggers are the application's to make on PostgreSQL; none is created"));
        }
        return new Plan(path, opt.schema(), tables, List.of(), problems);
    }

    /** One table, or null when its structure already rules the copy out (the ERRORs say why). */
    private static TablePlan planTable(Connection c, SqliteTable t, String pgName, ExistingSchema.Table target, PlanOptions opt, List<Problem> problems)
            throws SQLException {
        int errorsBefore = errors(problems);
        Map<String, String> colNames = PgNames.columns(t, problems);
        List<ColumnPlan> cols = new ArrayList<>();
        Set<String> fed = new HashSet<>();
        for (SqliteColumn col : t.storedColumns()) {
            String name = colNames.get(col.name());
            ExistingSchema.Column pc = target.columns().get(name);
            if (pc == null) {
                problems.add(new Problem(Problem.Level.ERROR, t.name(), col.name(), "PostgreSQL table " + pgName + " has no column " + name
                        + ": its values would be lost. Add it with a migration of the application, or drop it in SQLite"));
                continue;
            }
            if (pc.generated()) {
                problems.add(new Problem(Problem.Level.ERROR, t.name(), col.name(), "PostgreSQL column " + name + " is generated, so it cannot take"
                        + " SQLite's values"));
                continue;
            }
            PgType type;
            try {
                type = PgType.parse(pc.type());
            } catch (ReplicatorException e) {
                problems.add(new Problem(Problem.Level.ERROR, t.name(), col.name(), "PostgreSQL column " + name + " is " + pc.type()
                        + ", which this tool cannot fill exactly (" + e.getMessage() + ")"));
                continue;
            }
            fed.add(name);
            ColumnMapping m = new ColumnMapping(type, List.of("the application's column: " + pc.type() + (pc.notNull() ? " NOT NULL" : "")), null);
            boolean rounds = opt.roundsToScale(t.name(), col.name()) && ScaleRounding.applies(type);
            if (rounds) problems.add(RoundingReport.of(c, t, col, type));
            cols.add(new ColumnPlan(col, name, m, ColumnProfile.empty(), null, false, true, pc.notNull(), rounds, opt.decimalRounding()));
        }
        for (ExistingSchema.Column pc : target.columns().values()) {
            if (fed.contains(pc.name()) || pc.fillsItself()) continue;
            problems.add(new Problem(Problem.Level.ERROR, t.name(), null, "PostgreSQL column " + pgName + "." + pc.name() + " is NOT NULL without a"
                    + " default, and SQLite has no column " + pc.name() + " to fill it: give it a default, or make it nullable, with a migration"));
        }
        KeyRule.Key key = KeyRule.decide(c, t, colNames, new ArrayList<>());
        if (!key.primaryKeyUsable()) {
            problems.add(new Problem(Problem.Level.ERROR, t.name(), null, (t.primaryKey().isEmpty() ? "no primary key" : "primary key " + t.primaryKey()
                    + " holds NULLs") + " in SQLite: the change feed then tells rows apart by SQLite's rowid, for which the application's table has no"
                    + " column. Give the SQLite table a primary key, or copy it without --into-existing"));
        } else {
            List<String> keyPg = key.pgColumns(t, colNames);
            if (!new HashSet<>(keyPg).equals(new HashSet<>(target.primaryKey()))) {
                problems.add(new Problem(Problem.Level.ERROR, t.name(), null, "the change feed identifies rows by SQLite's primary key " + keyPg
                        + ", but PostgreSQL table " + pgName + (target.primaryKey().isEmpty() ? " has no primary key"
                        : "'s primary key is " + target.primaryKey()) + "; they must be the same columns"));
            }
        }
        if (errors(problems) > errorsBefore) return null;
        long rows = Profiler.profile(c, t, Map.of(), List.of(), false).rows();
        return new TablePlan(t, pgName, cols, key.pgColumns(t, colNames), true, null, null, rows, 0, List.of(), List.of(), List.of());
    }

    private static int errors(List<Problem> problems) {
        return (int) problems.stream().filter(p -> p.level() == Problem.Level.ERROR).count();
    }
}

package io.replicator.translate.plan;

import io.replicator.translate.framework.FrameworkTypes;
import io.replicator.translate.types.TypeMapper;
import io.replicator.core.model.SqliteColumn;
import io.replicator.translate.framework.Framework;
import io.replicator.core.model.SqliteCheck;
import io.replicator.core.Identifiers;
import io.replicator.core.ReplicatorException;
import io.replicator.core.model.SqliteColumn;
import io.replicator.core.model.SqliteTable;
import io.replicator.core.model.SqliteView;
import io.replicator.core.types.PgType;
import io.replicator.translate.schema.SourceSchema;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.replicator.core.Identifiers.pg;

/**
 * Builds the {@link Plan}: profiles every table in the given read transaction, decides every column's type,
 * names, key, defaults, indexes and constraints, and records every problem. Writes nothing.
 * <p>This class orders the decisions; each kind is its own class: {@link PgNames} (names), {@link KeyRule} (how
 * rows are told apart), {@link ColumnPlanner} (types and defaults), {@link IndexPlanner} (key constraint and
 * indexes), {@link ForeignKeyPlanner} (foreign keys, once every table is planned). Problems are recorded in that
 * order, table by table, so the same file always gives the same plan.
 */
public final class Planner {

    private Planner() {}

    /** A plan from a full profile of the data: what {@code plan} shows. */
    public static Plan plan(String sqlitePath, Connection sqlite, SourceSchema schema, PlanOptions opt) {
        return plan(sqlitePath, sqlite, schema, opt, false);
    }

    /**
     * @param assumeDeclaredTypes take declared types on trust instead of profiling every column first; the
     *                            copy checks every value and re-plans a table from a full profile on the
     *                            first value that does not fit ({@link #replanColumns}). Saves a full read
     *                            of every table when the data is clean, which is the common case.
     */
    public static Plan plan(String sqlitePath, Connection sqlite, SourceSchema schema, PlanOptions opt, boolean assumeDeclaredTypes) {
        try {
            return build(sqlitePath, sqlite, schema, opt, assumeDeclaredTypes);
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot profile the SQLite data of " + sqlitePath + ": " + e.getMessage(), e);
        }
    }

    private static Plan build(String path, Connection c, SourceSchema schema, PlanOptions opt, boolean assume) throws SQLException {
        List<Problem> problems = new ArrayList<>();
        checkOverrides(schema, opt, problems);
        Framework framework = opt.resolved(schema).framework();
        if (framework != Framework.NONE) {
            problems.add(new Problem(Problem.Level.NOTE, null, null, "written by " + framework.label + " (recognized by its migration tables): keys,"
                    + " constraints and indexes are made as " + framework.label + " makes them on PostgreSQL"));
        }
        Map<String, String> tableNames = PgNames.tables(schema.tables(), problems);
        Map<String, Long> sequences = autoincrementSequences(c);
        Set<String> usedRelationNames = new HashSet<>(tableNames.values());
        List<TablePlan> tables = new ArrayList<>();
        for (SqliteTable t : schema.tables()) {
            tables.add(planTable(c, t, tableNames, sequences, usedRelationNames, opt, framework, problems, assume));
        }
        List<TablePlan> withFks = ForeignKeyPlanner.withForeignKeys(tables, opt.schema(), framework, problems);
        List<Plan.ViewPlan> views = new ArrayList<>();
        for (SqliteView v : schema.views()) {
            if (v.select() == null) {
                problems.add(new Problem(Problem.Level.WARNING, v.name(), null, "view not understood; not created"));
                continue;
            }
            String name = Identifiers.truncateUtf8(v.name(), Identifiers.PG_MAX_BYTES);
            views.add(new Plan.ViewPlan(v.name(), name, "CREATE VIEW " + pg(opt.schema(), name) + " AS " + v.select()));
        }
        for (String trig : schema.triggers()) {
            problems.add(new Problem(Problem.Level.WARNING, null, null, "trigger " + trig + " is application logic in SQLite's dialect; not translated, recreate it in PostgreSQL if needed"));
        }
        for (String vt : schema.virtualTables()) {
            problems.add(new Problem(Problem.Level.WARNING, vt, null, "virtual table (e.g. FTS) is not created in PostgreSQL; its shadow tables are copied as plain tables"));
        }
        return new Plan(path, opt.schema(), withFks, views, problems);
    }

    /**
     * A {@code --type} for a table.column the file does not have is kept, with a warning: the options are stored with
     * the snapshot, and the sink plans columns and tables added while replicating with them. (The sink plans one table at a
     * time and ignores the warnings about the others.)
     */
    private static void checkOverrides(SourceSchema schema, PlanOptions opt, List<Problem> problems) {
        for (String key : opt.typeOverrides().keySet()) {
            int dot = key.indexOf('.');
            String table = key.substring(0, dot);
            boolean found = schema.tables().stream().anyMatch(t -> t.storedColumns().stream().anyMatch(col -> (t.name() + "." + col.name()).equals(key)));
            if (!found) {
                problems.add(new Problem(Problem.Level.WARNING, table, key.substring(dot + 1), "--type " + key + ": no such table.column in the SQLite"
                        + " file now (names are case-sensitive; 'plan' lists them); it applies if it is added while replicating"));
            }
        }
    }

    private static Map<String, Long> autoincrementSequences(Connection c) throws SQLException {
        Map<String, Long> m = new HashMap<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1 FROM sqlite_schema WHERE type='table' AND name='sqlite_sequence'")) {
            if (!rs.next()) return m;
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT name, seq FROM sqlite_sequence")) {
            while (rs.next()) m.put(rs.getString(1), rs.getLong(2));
        }
        return m;
    }

    private static TablePlan planTable(Connection c, SqliteTable t, Map<String, String> tableNames, Map<String, Long> sequences,
                                       Set<String> usedRelationNames, PlanOptions opt, Framework framework, List<Problem> problems, boolean assume) throws SQLException {
        Map<String, PgType> intents = Profiler.intents(t, framework);
        for (SqliteColumn col : t.storedColumns()) {
            FrameworkTypes.Choice choice = col.name().equals(t.rowidAlias()) ? null
                    : FrameworkTypes.of(framework, t, col, TypeMapper.intent(col, false));
            if (choice != null && !opt.typeOverrides().containsKey(t.name() + "." + col.name())) {
                problems.add(new Problem(Problem.Level.NOTE, t.name(), col.name(), choice.why()));
            }
        }
        Profiler.TableProfile prof;
        if (assume) {
            List<SqliteColumn> dataDecides = t.storedColumns().stream()
                    .filter(col -> intents.get(col.name()) == null || opt.typeOverrides().containsKey(t.name() + "." + col.name())).toList();
            prof = Profiler.profile(c, t, intents, dataDecides, false);
        } else {
            prof = Profiler.profile(c, t, intents);
        }
        Map<String, String> colNames = PgNames.columns(t, problems);
        KeyRule.Key key = KeyRule.decide(c, t, colNames, problems);
        List<ColumnPlan> cols = ColumnPlanner.plan(c, t, prof, intents, colNames, key.primaryKeyUsable(), opt, problems, assume);
        List<String> keyPg = key.pgColumns(t, colNames);
        long restart = 0;
        if (t.autoincrement() && sequences.containsKey(t.name())) restart = sequences.get(t.name());
        String pgTable = tableNames.get(t.name());
        List<IndexPlan> indexes = IndexPlanner.indexes(t, pgTable, colNames, key.primaryKeyUsable(), usedRelationNames, opt.schema(), framework, problems);
        List<SqliteCheck> checks = new ArrayList<>();
        for (SqliteCheck chk : t.checks()) {
            ColumnPlan json = cols.stream().filter(cp -> cp.type().kind() == PgType.Kind.JSONB || cp.type().kind() == PgType.Kind.JSON)
                    .filter(cp -> FrameworkTypes.isJsonValid(chk, cp.source().name())).findFirst().orElse(null);
            if (json != null) {
                problems.add(new Problem(Problem.Level.NOTE, t.name(), json.source().name(), "CHECK (" + chk.expression() + ") not created: the column is "
                        + json.type().sql() + ", which holds only valid JSON"));
                continue;
            }
            checks.add(chk);
        }
        return new TablePlan(t, pgTable, cols, keyPg, key.primaryKeyUsable(), key.rowidColumn(), key.rowidSelect(), prof.rows(), restart,
                indexes, checks, List.of());
    }

    /**
     * Decides a table's column types again from a full profile, after a copy found a value its assumed type
     * cannot hold. Names, key, indexes and constraints stay as planned. Problems (including conflicts, as
     * ERROR) go to {@code problems}; notes about the same columns are not repeated.
     */
    public static TablePlan replanColumns(Connection c, TablePlan t, PlanOptions opt, List<Problem> problems) {
        try {
            Map<String, PgType> intents = Profiler.intents(t.source(), opt.framework() == null ? Framework.NONE : opt.framework());
            Profiler.TableProfile prof = Profiler.profile(c, t.source(), intents);
            Map<String, String> colNames = new LinkedHashMap<>();
            for (ColumnPlan cp : t.columns()) colNames.put(cp.source().name(), cp.pgName());
            List<Problem> found = new ArrayList<>();
            List<ColumnPlan> cols = ColumnPlanner.plan(c, t.source(), prof, intents, colNames, t.primaryKeyUsable(), opt, found, false);
            for (Problem p : found) {
                if (p.level() == Problem.Level.WARNING) continue; // already reported by the first plan
                problems.add(p);
            }
            return new TablePlan(t.source(), t.pgName(), cols, t.keyPgColumns(), t.primaryKeyUsable(), t.rowidPgColumn(), t.rowidSelect(),
                    prof.rows(), t.identityRestart(), t.indexes(), t.checks(), t.foreignKeys());
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot profile table " + t.source().name() + ": " + e.getMessage(), e);
        }
    }

    /** For messages: the list of problems at one level. */
    public static Map<Problem.Level, List<Problem>> byLevel(Plan p) {
        Map<Problem.Level, List<Problem>> m = new LinkedHashMap<>();
        for (Problem.Level l : Problem.Level.values()) m.put(l, new ArrayList<>());
        for (Problem pr : p.problems()) m.get(pr.level()).add(pr);
        return m;
    }
}

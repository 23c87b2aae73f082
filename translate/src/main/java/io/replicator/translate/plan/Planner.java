package io.replicator.translate.plan;

import io.replicator.core.Identifiers;
import io.replicator.core.NameAllocator;
import io.replicator.core.ReplicatorException;
import io.replicator.core.codec.SqliteValueReader;
import io.replicator.core.model.SqliteColumn;
import io.replicator.core.model.SqliteForeignKey;
import io.replicator.core.model.SqliteIndex;
import io.replicator.core.model.SqliteTable;
import io.replicator.core.model.SqliteView;
import io.replicator.translate.types.ColumnMapping;
import io.replicator.translate.types.ColumnProfile;
import io.replicator.core.types.PgType;
import io.replicator.translate.types.TypeMapper;
import io.replicator.translate.schema.SourceSchema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static io.replicator.core.Identifiers.pg;
import static io.replicator.core.Identifiers.sqlite;

/**
 * Builds the {@link Plan}: profiles every table in the given read transaction, decides every column's type,
 * names, key, defaults, indexes and constraints, and records every problem. Writes nothing.
 */
public final class Planner {
    /** Name of the column added to tables without a usable primary key to carry SQLite's rowid. */
    public static final String ROWID_COLUMN = "_sqlite_rowid";

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
        List<NameAllocator.Renamed> renamed = new ArrayList<>();
        Map<String, String> tableNames = NameAllocator.allocate(schema.tables().stream().map(SqliteTable::name).toList(), renamed);
        for (NameAllocator.Renamed r : renamed) problems.add(new Problem(Problem.Level.NOTE, r.original(), null, "table renamed to " + r.assigned() + ": " + r.reason()));
        Map<String, Long> sequences = autoincrementSequences(c);
        Set<String> usedRelationNames = new HashSet<>(tableNames.values());
        List<TablePlan> tables = new ArrayList<>();
        for (SqliteTable t : schema.tables()) {
            tables.add(planTable(c, t, tableNames, sequences, usedRelationNames, opt, problems, assume));
        }
        Map<String, TablePlan> byName = new HashMap<>();
        for (TablePlan tp : tables) byName.put(tp.source().name().toLowerCase(Locale.ROOT), tp);
        List<TablePlan> withFks = new ArrayList<>();
        for (TablePlan tp : tables) {
            withFks.add(new TablePlan(tp.source(), tp.pgName(), tp.columns(), tp.keyPgColumns(), tp.primaryKeyUsable(), tp.rowidPgColumn(),
                    tp.rowidSelect(), tp.rows(), tp.identityRestart(), tp.indexes(), tp.checks(), foreignKeys(tp, byName, opt.schema(), problems)));
        }
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
                                       Set<String> usedRelationNames, PlanOptions opt, List<Problem> problems, boolean assume) throws SQLException {
        Map<String, PgType> intents = Profiler.intents(t);
        Profiler.TableProfile prof;
        if (assume) {
            List<SqliteColumn> dataDecides = t.storedColumns().stream()
                    .filter(col -> intents.get(col.name()) == null || opt.typeOverrides().containsKey(t.name() + "." + col.name())).toList();
            prof = Profiler.profile(c, t, intents, dataDecides, false);
        } else {
            prof = Profiler.profile(c, t, intents);
        }
        List<NameAllocator.Renamed> renamed = new ArrayList<>();
        Map<String, String> colNames = NameAllocator.allocate(t.storedColumns().stream().map(SqliteColumn::name).toList(), renamed);
        for (NameAllocator.Renamed r : renamed) problems.add(new Problem(Problem.Level.NOTE, t.name(), r.original(), "column renamed to " + r.assigned() + ": " + r.reason()));

        boolean pkHasNulls = Profiler.primaryKeyHasNulls(c, t);
        boolean pkUsable = !t.primaryKey().isEmpty() && !pkHasNulls;
        String rowidSelect = null;
        String rowidCol = null;
        if (!pkUsable) {
            for (String cand : List.of("rowid", "_rowid_", "oid")) {
                if (t.column(cand).isEmpty()) { rowidSelect = cand; break; }
            }
            if (rowidSelect == null) {
                throw new ReplicatorException(io.replicator.core.ExitCode.DATA_LOSS, "table " + t.name()
                        + " has no usable primary key and columns named rowid, _rowid_ and oid hide its rowid; rows cannot be told apart for replication. Add a primary key in SQLite first.");
            }
            rowidCol = ROWID_COLUMN;
            if (colNames.containsValue(rowidCol)) {
                throw ReplicatorException.config("table " + t.name() + " has no usable primary key and already has a column named " + ROWID_COLUMN + "; rename that column first");
            }
            problems.add(new Problem(Problem.Level.NOTE, t.name(), null, (t.primaryKey().isEmpty() ? "no primary key" : "primary key " + t.primaryKey() + " holds NULLs")
                    + ": column " + ROWID_COLUMN + " (bigint identity, unique) is added to carry SQLite's rowid, which the change feed uses as the row's key. "
                    + "VACUUM may renumber rowids of such tables; the feed detects it"));
        }
        List<ColumnPlan> cols = planColumns(c, t, prof, intents, colNames, pkUsable, opt, problems, assume);
        List<String> keyPg = new ArrayList<>();
        if (pkUsable) for (String k : t.primaryKey()) keyPg.add(colNames.get(k));
        else keyPg.add(rowidCol);
        long restart = 0;
        if (t.autoincrement() && sequences.containsKey(t.name())) restart = sequences.get(t.name());
        String pgTable = tableNames.get(t.name());
        List<IndexPlan> indexes = indexes(t, pgTable, colNames, pkUsable, usedRelationNames, opt.schema(), problems);
        List<String> checks = new ArrayList<>();
        for (String chk : t.checks()) checks.add(chk);
        return new TablePlan(t, pgTable, cols, keyPg, pkUsable, rowidCol, rowidSelect, prof.rows(), restart, indexes, checks, List.of());
    }

    private static List<ColumnPlan> planColumns(Connection c, SqliteTable t, Profiler.TableProfile prof, Map<String, PgType> intents,
                                                Map<String, String> colNames, boolean pkUsable, PlanOptions opt, List<Problem> problems,
                                                boolean assume) throws SQLException {
        List<ColumnPlan> cols = new ArrayList<>();
        for (SqliteColumn col : t.storedColumns()) {
            ColumnProfile p = prof.columns().get(col.name());
            boolean rowidAlias = col.name().equals(t.rowidAlias());
            PgType override = opt.typeOverrides().get(t.name() + "." + col.name());
            ColumnMapping m = assume && override == null && intents.get(col.name()) != null
                    ? TypeMapper.assume(col, rowidAlias)
                    : TypeMapper.decide(col, rowidAlias, p, override, opt.conflictPolicy());
            for (String n : m.notes()) problems.add(new Problem(Problem.Level.NOTE, t.name(), col.name(), n));
            if (m.hasConflict()) {
                problems.add(new Problem(Problem.Level.ERROR, t.name(), col.name(), m.conflict().replace("%TABLE%", t.name())
                        + firstOffender(c, t, col, m.type(), p)));
            }
            if (col.generated()) problems.add(new Problem(Problem.Level.WARNING, t.name(), col.name(), "generated column: values are copied, but PostgreSQL will not compute it"));
            if (col.collation() != null) {
                problems.add(new Problem(Problem.Level.WARNING, t.name(), col.name(), "COLLATE " + col.collation()
                        + " has no PostgreSQL equivalent here; comparisons and UNIQUE become case/space-sensitive"));
            }
            String def = null;
            if (!rowidAlias && col.defaultSql() != null) {
                DefaultTranslator.Result r = DefaultTranslator.translate(col.defaultSql(), m.type());
                def = r.sql();
                if (r.problem() != null) problems.add(new Problem(r.sql() == null ? Problem.Level.WARNING : Problem.Level.NOTE, t.name(), col.name(), r.problem()));
            }
            cols.add(new ColumnPlan(col, colNames.get(col.name()), m, p, def, rowidAlias && pkUsable));
        }
        return cols;
    }

    /**
     * Decides a table's column types again from a full profile, after a copy found a value its assumed type
     * cannot hold. Names, key, indexes and constraints stay as planned. Problems (including conflicts, as
     * ERROR) go to {@code problems}; notes about the same columns are not repeated.
     */
    public static TablePlan replanColumns(Connection c, TablePlan t, PlanOptions opt, List<Problem> problems) {
        try {
            Map<String, PgType> intents = Profiler.intents(t.source());
            Profiler.TableProfile prof = Profiler.profile(c, t.source(), intents);
            Map<String, String> colNames = new LinkedHashMap<>();
            for (ColumnPlan cp : t.columns()) colNames.put(cp.source().name(), cp.pgName());
            List<Problem> found = new ArrayList<>();
            List<ColumnPlan> cols = planColumns(c, t.source(), prof, intents, colNames, t.primaryKeyUsable(), opt, found, false);
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

    private static List<IndexPlan> indexes(SqliteTable t, String pgTable, Map<String, String> colNames, boolean pkUsable,
                                           Set<String> used, String schema, List<Problem> problems) {
        List<IndexPlan> out = new ArrayList<>();
        String qt = pg(schema, pgTable);
        if (pkUsable) {
            out.add(new IndexPlan("PRIMARY KEY", null, "ALTER TABLE " + qt + " ADD PRIMARY KEY (" + joinCols(t.primaryKey(), colNames) + ")"));
        } else {
            out.add(new IndexPlan("rowid", null, "ALTER TABLE " + qt + " ADD UNIQUE (" + pg(ROWID_COLUMN) + ")"));
        }
        for (SqliteIndex ix : t.indexes()) {
            if (ix.origin().equals("pk")) {
                if (!pkUsable) out.add(new IndexPlan(ix.name(), null, "ALTER TABLE " + qt + " ADD UNIQUE (" + joinCols(t.primaryKey(), colNames) + ") DEFERRABLE INITIALLY IMMEDIATE"));
                continue;
            }
            if (ix.hasExpression()) {
                problems.add(new Problem(Problem.Level.WARNING, t.name(), null, "index " + ix.name() + " is on an expression; not translated, create it by hand"));
                continue;
            }
            List<String> parts = new ArrayList<>();
            for (SqliteIndex.IndexedColumn ic : ix.columns()) {
                if (ic.collation() != null) {
                    problems.add(new Problem(Problem.Level.WARNING, t.name(), ic.name(), "index " + ix.name() + " uses COLLATE " + ic.collation() + "; built without it"));
                }
                String name = ic.name().equals("rowid") && !colNames.containsKey("rowid") ? ROWID_COLUMN : colNames.get(ic.name());
                parts.add(pg(name) + (ic.descending() ? " DESC" : ""));
            }
            String name = ix.origin().equals("u") && ix.name().startsWith("sqlite_autoindex_") ? pgTable + "_" + ix.name().substring("sqlite_autoindex_".length()) : ix.name();
            String pgName = uniqueRelationName(name, used);
            if (!pgName.equals(ix.name()) && !ix.name().startsWith("sqlite_autoindex_")) {
                problems.add(new Problem(Problem.Level.NOTE, t.name(), null, "index " + ix.name() + " is named " + pgName + " in PostgreSQL"));
            }
            // A plain UNIQUE becomes a DEFERRABLE INITIALLY IMMEDIATE constraint: the application sees the same check, and
            // the sink (SET CONSTRAINTS ALL DEFERRED) can apply a batch in which two rows swap a unique value. A partial
            // unique index has no constraint form and stays an index.
            String sql = ix.unique() && ix.where() == null
                    ? "ALTER TABLE " + qt + " ADD CONSTRAINT " + pg(pgName) + " UNIQUE (" + String.join(", ", parts.stream().map(x -> x.replace(" DESC", "")).toList())
                            + ") DEFERRABLE INITIALLY IMMEDIATE"
                    : "CREATE " + (ix.unique() ? "UNIQUE " : "") + "INDEX " + pg(pgName) + " ON " + qt + " (" + String.join(", ", parts) + ")"
                            + (ix.where() == null ? "" : " WHERE " + ix.where());
            out.add(new IndexPlan(ix.name(), pgName, sql));
        }
        return out;
    }

    /** Index names share PostgreSQL's relation namespace with tables: cut to 63 bytes and made unique deterministically. */
    private static String uniqueRelationName(String wanted, Set<String> used) {
        String name = Identifiers.truncateUtf8(wanted, Identifiers.PG_MAX_BYTES);
        if (used.add(name)) return name;
        for (int i = 1; ; i++) {
            String suffix = "_" + i;
            String cand = Identifiers.truncateUtf8(wanted, Identifiers.PG_MAX_BYTES - suffix.length()) + suffix;
            if (used.add(cand)) return cand;
        }
    }

    private static String joinCols(List<String> cols, Map<String, String> colNames) {
        return String.join(", ", cols.stream().map(k -> pg(colNames.getOrDefault(k, k))).toList());
    }

    private static List<String> foreignKeys(TablePlan tp, Map<String, TablePlan> byName, String schema, List<Problem> problems) {
        List<String> out = new ArrayList<>();
        for (SqliteForeignKey fk : tp.source().foreignKeys()) {
            TablePlan parent = byName.get(fk.toTable().toLowerCase(Locale.ROOT));
            if (parent == null) {
                problems.add(new Problem(Problem.Level.WARNING, tp.source().name(), null, "foreign key to missing table " + fk.toTable() + " not created (SQLite does not check it either)"));
                continue;
            }
            List<String> to = fk.toColumns().isEmpty() ? parent.source().primaryKey() : fk.toColumns();
            if (to.isEmpty() || to.size() != fk.fromColumns().size()) {
                problems.add(new Problem(Problem.Level.WARNING, tp.source().name(), null, "foreign key to " + fk.toTable() + " names no key columns; not created"));
                continue;
            }
            Map<String, String> childCols = new HashMap<>();
            for (ColumnPlan cp : tp.columns()) childCols.put(cp.source().name().toLowerCase(Locale.ROOT), cp.pgName());
            Map<String, String> parentCols = new HashMap<>();
            for (ColumnPlan cp : parent.columns()) parentCols.put(cp.source().name().toLowerCase(Locale.ROOT), cp.pgName());
            List<String> from = new ArrayList<>();
            List<String> toPg = new ArrayList<>();
            boolean ok = true;
            for (int i = 0; i < to.size(); i++) {
                String f = childCols.get(fk.fromColumns().get(i).toLowerCase(Locale.ROOT));
                String p = parentCols.get(to.get(i).toLowerCase(Locale.ROOT));
                if (f == null || p == null) ok = false;
                from.add(f == null ? "?" : pg(f));
                toPg.add(p == null ? "?" : pg(p));
            }
            if (!ok) {
                problems.add(new Problem(Problem.Level.WARNING, tp.source().name(), null, "foreign key to " + fk.toTable() + " names unknown columns; not created"));
                continue;
            }
            // DEFERRABLE so a batch of changes can be applied in any order inside one transaction; INITIALLY
            // IMMEDIATE keeps the application's behaviour after cutover.
            out.add("ALTER TABLE " + pg(schema, tp.pgName()) + " ADD FOREIGN KEY (" + String.join(", ", from) + ") REFERENCES "
                    + pg(schema, parent.pgName()) + " (" + String.join(", ", toPg) + ")" + action("UPDATE", fk.onUpdate())
                    + action("DELETE", fk.onDelete()) + " DEFERRABLE INITIALLY IMMEDIATE");
        }
        return out;
    }

    private static String action(String on, String a) {
        if (a == null) return "";
        String u = a.toUpperCase(Locale.ROOT);
        return switch (u) {
            case "CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT" -> " ON " + on + " " + u;
            default -> "";
        };
    }

    /** For messages: the list of problems at one level. */
    public static Map<Problem.Level, List<Problem>> byLevel(Plan p) {
        Map<Problem.Level, List<Problem>> m = new LinkedHashMap<>();
        for (Problem.Level l : Problem.Level.values()) m.put(l, new ArrayList<>());
        for (Problem pr : p.problems()) m.get(pr.level()).add(pr);
        return m;
    }
}

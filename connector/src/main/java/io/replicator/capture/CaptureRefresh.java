package io.replicator.capture;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.core.model.SqliteTable;
import io.replicator.translate.plan.Profiler;
import io.replicator.translate.schema.RowIdentity;
import io.replicator.translate.schema.SchemaReader;
import io.replicator.translate.schema.SourceSchema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.replicator.core.Identifiers.sqlLiteral;
import static io.replicator.core.Identifiers.sqlite;

/**
 * Compares the application's tables with what capture recorded and makes capture match, inside the caller's
 * write transaction. Every trigger of capture is dropped and created again, so renamed tables, rebuilt tables
 * and changed UNIQUE indexes all end with exactly the right triggers.
 */
final class CaptureRefresh {
    private CaptureRefresh() {}

    record Result(List<String> tables, List<String> changes) {}

    /** One write of a refresh, worked out in advance. */
    @FunctionalInterface
    private interface Step {
        void run(Connection c) throws SQLException;
    }

    /**
     * Everything a refresh writes, worked out from a read before the write lock is taken (reading the schema,
     * checking primary keys for NULLs: the slow part), so that the lock is held only for the writes. Valid while
     * {@code PRAGMA schema_version} is still {@link #schemaVersion()}; {@link #recheck} lists the tables whose key
     * choice also depended on their rows (a primary key that may hold NULLs), checked again under the lock.
     */
    static final class Prepared {
        private final long schemaVersion;
        private final boolean upToDate;
        private final Result result;
        private final List<Step> steps;
        private final Map<SqliteTable, Boolean> recheck;

        private Prepared(long schemaVersion, boolean upToDate, Result result, List<Step> steps, Map<SqliteTable, Boolean> recheck) {
            this.schemaVersion = schemaVersion;
            this.upToDate = upToDate;
            this.result = result;
            this.steps = steps;
            this.recheck = recheck;
        }

        long schemaVersion() {
            return schemaVersion;
        }

        /** Triggers and records are exactly what this refresh would write: nothing to do. */
        boolean upToDate() {
            return upToDate;
        }

        Result result() {
            return result;
        }

        /** Under the write lock: still valid (the schema and the rows the key choice depended on are unchanged)? */
        boolean stillValid(Connection c) throws SQLException {
            if (currentSchemaVersion(c) != schemaVersion) return false;
            for (Map.Entry<SqliteTable, Boolean> e : recheck.entrySet()) {
                if (Profiler.primaryKeyHasNulls(c, e.getKey()) != e.getValue()) return false;
            }
            return true;
        }

        /** Writes it all, inside the caller's write transaction. */
        Result apply(Connection c) throws SQLException {
            for (Step s : steps) s.run(c);
            return result;
        }
    }

    static long currentSchemaVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA schema_version")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Compares the application's tables with capture's record and works out the writes that make capture match,
     * reading without a lock of its own (schema_version first: if anything changes while it reads, the version
     * it noted is stale and {@link Prepared#stillValid} says so under the lock). Throws (DATA_LOSS) for a change
     * the feed cannot carry, writing nothing.
     */
    static Prepared prepare(Connection c, boolean firstInstall) throws SQLException {
        long schemaVersion = currentSchemaVersion(c);
        SourceSchema schema = SchemaReader.read(c);
        Map<String, CapturedRecords.Recorded> recorded = CapturedRecords.read(c);
        Map<String, String> existingTriggers = captureTriggers(c);
        Map<String, Boolean> hadTrigger = new LinkedHashMap<>();
        for (SqliteTable t : schema.tables()) {
            hadTrigger.put(t.name(), existingTriggers.containsKey(TriggerBuilder.triggerName("ai", t.name()))
                    && triggerOn(c, TriggerBuilder.triggerName("ai", t.name()), t.name()));
        }

        List<Step> steps = new ArrayList<>();
        List<String> changes = new ArrayList<>();
        List<String> tables = new ArrayList<>();
        List<SqliteTable> resync = new ArrayList<>();
        Map<SqliteTable, TriggerBuilder.Key> keys = new LinkedHashMap<>();
        Map<SqliteTable, Boolean> recheck = new LinkedHashMap<>();
        boolean recordsSame = recorded.size() == schema.tables().size();
        for (SqliteTable t : schema.tables()) {
            CapturedRecords.Recorded before = recorded.get(t.name());
            TriggerBuilder.Key key;
            if (before == null) {
                recordsSame = false;
                key = keyOf(c, t);
                if (mayHoldNullKeys(t)) recheck.put(t, key.kind().equals(TriggerBuilder.Key.ROWID));
                if (!firstInstall) {
                    changes.add("new table " + t.name());
                    resync.add(t);
                }
            } else {
                key = new TriggerBuilder.Key(before.keyKind(), before.keyColumns());
                String why = CapturedRecords.unsupported(t, before);
                if (why != null) {
                    throw new ReplicatorException(ExitCode.DATA_LOSS, "table " + t.name() + " changed in a way the feed cannot carry to PostgreSQL: "
                            + why + ". Capture was left as it was and nothing after this change was published. To go on, take a new snapshot"
                            + " (bin/replicator snapshot --drop ...) and start the feed again.");
                }
                if (!hadTrigger.get(t.name())) {
                    changes.add("table " + t.name() + " was rebuilt or renamed (its capture triggers were gone): all its rows are published again");
                    resync.add(t);
                } else if (t.columns().size() > before.columns().size()) {
                    recordsSame = false;
                    changes.add("table " + t.name() + ": column(s) added " + CapturedRecords.names(t.columns().subList(before.columns().size(), t.columns().size())));
                    String name = t.name();
                    steps.add(x -> logSchema(x, name));
                }
            }
            keys.put(t, key);
            tables.add(t.name());
        }
        for (String gone : recorded.keySet()) {
            if (schema.tables().stream().noneMatch(t -> t.name().equals(gone))) {
                changes.add("table " + gone + " was dropped");
                steps.add(x -> logSchema(x, gone));
            }
        }

        Map<String, String> wanted = new LinkedHashMap<>();
        List<String> creates = new ArrayList<>();
        for (Map.Entry<SqliteTable, TriggerBuilder.Key> e : keys.entrySet()) {
            for (String sql : TriggerBuilder.create(e.getKey(), e.getValue(), rowidName(e.getKey()))) {
                creates.add(sql);
                wanted.put(createdName(sql), sql);
            }
        }
        boolean upToDate = recordsSame && resync.isEmpty() && changes.isEmpty() && wanted.equals(existingTriggers);
        List<String> drops = new ArrayList<>(existingTriggers.keySet());
        steps.add(x -> {
            try (Statement s = x.createStatement()) {
                for (String n : drops) s.execute("DROP TRIGGER IF EXISTS " + sqlite(n));
                s.execute("DELETE FROM " + CaptureSchema.CAPTURED);
                for (String sql : creates) s.execute(sql);
            }
        });
        for (Map.Entry<SqliteTable, TriggerBuilder.Key> e : keys.entrySet()) {
            CapturedRecords.Row r = CapturedRecords.record(e.getKey(), e.getValue());
            steps.add(x -> r.insert(x));
        }
        for (SqliteTable t : resync) {
            TriggerBuilder.Key key = keys.get(t);
            steps.add(x -> {
                logSchema(x, t.name());
                logAllKeys(x, t, key); // the rows themselves: must be in the same transaction as the new triggers
            });
        }
        return new Prepared(schemaVersion, upToDate, new Result(tables, changes), steps, recheck);
    }

    /** A primary key column that is not the rowid and not NOT NULL may hold NULLs: the key choice depends on the rows. */
    private static boolean mayHoldNullKeys(SqliteTable t) {
        if (t.primaryKey().isEmpty() || t.withoutRowid()) return false; // WITHOUT ROWID refuses NULL keys
        for (String k : t.primaryKey()) {
            if (k.equals(t.rowidAlias())) continue;
            if (t.column(k).map(col -> !col.notNull()).orElse(true)) return true;
        }
        return false;
    }

    /** The name in a {@code CREATE TRIGGER "name" ...} statement of {@link TriggerBuilder}. */
    private static String createdName(String createTrigger) {
        String rest = createTrigger.substring("CREATE TRIGGER ".length());
        StringBuilder name = new StringBuilder();
        for (int i = 1; i < rest.length(); i++) { // quoted with "..." by Identifiers.sqlite, "" inside
            char ch = rest.charAt(i);
            if (ch == '"') {
                if (i + 1 < rest.length() && rest.charAt(i + 1) == '"') {
                    name.append('"');
                    i++;
                } else break;
            } else name.append(ch);
        }
        return name.toString();
    }

    private static void logSchema(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + CaptureSchema.CHANGELOG + " (tbl, op) VALUES (?, '" + CaptureSchema.OP_SCHEMA + "')")) {
            ps.setString(1, table);
            ps.executeUpdate();
        }
    }

    /** Logs every row's key as an insert, so rows written while the table had no trigger reach the feed. */
    private static void logAllKeys(Connection c, SqliteTable t, TriggerBuilder.Key key) throws SQLException {
        List<String> k = key.kind().equals(TriggerBuilder.Key.ROWID) ? List.of(rowidName(t)) : key.columns();
        StringBuilder cols = new StringBuilder();
        for (int i = 1; i <= k.size(); i++) cols.append(", k").append(i);
        try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO " + CaptureSchema.CHANGELOG + " (tbl, op" + cols + ") SELECT " + sqlLiteral(t.name()) + ", 'I', "
                    + String.join(", ", k.stream().map(x -> sqlite(x)).toList()) + " FROM " + sqlite(t.name()));
        }
    }

    /** Capture's triggers (not a cutover's write fence, which stays), name to SQL text as SQLite stored it. */
    private static Map<String, String> captureTriggers(Connection c) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND substr(name, 1, ?) = ?"
                + " AND substr(name, 1, ?) <> ? ORDER BY name")) {
            ps.setInt(1, CaptureSchema.PREFIX.length());
            ps.setString(2, CaptureSchema.PREFIX);
            ps.setInt(3, WriteFence.PREFIX.length());
            ps.setString(4, WriteFence.PREFIX);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    private static boolean triggerOn(Connection c, String trigger, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM sqlite_schema WHERE type = 'trigger' AND name = ? AND tbl_name = ?")) {
            ps.setString(1, trigger);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The changelog key by {@link RowIdentity}, with capture's own limits (at most {@value CaptureSchema#MAX_KEY_COLUMNS} key columns). */
    static TriggerBuilder.Key keyOf(Connection c, SqliteTable t) throws SQLException {
        if (RowIdentity.of(c, t).primaryKey()) {
            if (t.primaryKey().size() > CaptureSchema.MAX_KEY_COLUMNS) {
                throw ReplicatorException.config("table " + t.name() + " has a primary key of " + t.primaryKey().size()
                        + " columns; change capture supports up to " + CaptureSchema.MAX_KEY_COLUMNS);
            }
            return new TriggerBuilder.Key(TriggerBuilder.Key.PRIMARY_KEY, t.primaryKey());
        }
        if (t.withoutRowid()) throw ReplicatorException.config("table " + t.name() + " is WITHOUT ROWID and its primary key holds NULLs");
        return new TriggerBuilder.Key(TriggerBuilder.Key.ROWID, List.of(rowidName(t)));
    }

    /** The name under which the rowid of {@code t} can be selected (a column may shadow "rowid"). */
    static String rowidName(SqliteTable t) {
        String select = RowIdentity.rowidSelect(t);
        return select != null ? select : "rowid";
    }
}

package io.replicator.capture;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.core.model.SqliteColumn;
import io.replicator.core.model.SqliteTable;
import io.replicator.translate.plan.Profiler;
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
import java.util.Locale;
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

    private static final ObjectMapper JSON = new ObjectMapper();

    record Result(List<String> tables, List<String> changes) {}

    /** What capture recorded of one table. */
    private record Recorded(String keyKind, List<String> keyColumns, List<List<String>> columns) {}

    static Result apply(Connection c, boolean firstInstall) throws SQLException {
        SourceSchema schema = SchemaReader.read(c);
        Map<String, Recorded> recorded = recorded(c);
        Map<String, Boolean> hadTrigger = new LinkedHashMap<>();
        for (SqliteTable t : schema.tables()) hadTrigger.put(t.name(), triggerExists(c, TriggerBuilder.triggerName("ai", t.name()), t.name()));

        List<String> changes = new ArrayList<>();
        List<String> tables = new ArrayList<>();
        List<SqliteTable> resync = new ArrayList<>();
        Map<SqliteTable, TriggerBuilder.Key> keys = new LinkedHashMap<>();
        for (SqliteTable t : schema.tables()) {
            Recorded before = recorded.get(t.name());
            TriggerBuilder.Key key;
            if (before == null) {
                key = keyOf(c, t);
                if (!firstInstall) {
                    changes.add("new table " + t.name());
                    resync.add(t);
                }
            } else {
                key = new TriggerBuilder.Key(before.keyKind(), before.keyColumns());
                String why = unsupported(t, before);
                if (why != null) {
                    throw new ReplicatorException(ExitCode.DATA_LOSS, "table " + t.name() + " changed in a way the feed cannot carry to PostgreSQL: "
                            + why + ". Capture was left as it was and nothing after this change was published. To go on, take a new snapshot"
                            + " (bin/replicator snapshot --drop ...) and start the feed again.");
                }
                if (!hadTrigger.get(t.name())) {
                    changes.add("table " + t.name() + " was rebuilt or renamed (its capture triggers were gone): all its rows are published again");
                    resync.add(t);
                } else if (t.columns().size() > before.columns().size()) {
                    changes.add("table " + t.name() + ": column(s) added " + names(t.columns().subList(before.columns().size(), t.columns().size())));
                    logSchema(c, t.name());
                }
            }
            keys.put(t, key);
            tables.add(t.name());
        }
        for (String gone : recorded.keySet()) {
            if (schema.tables().stream().noneMatch(t -> t.name().equals(gone))) {
                changes.add("table " + gone + " was dropped");
                logSchema(c, gone);
            }
        }

        dropAllTriggers(c);
        try (Statement s = c.createStatement()) {
            s.execute("DELETE FROM " + CaptureSchema.CAPTURED);
        }
        for (Map.Entry<SqliteTable, TriggerBuilder.Key> e : keys.entrySet()) {
            SqliteTable t = e.getKey();
            try (Statement s = c.createStatement()) {
                for (String sql : TriggerBuilder.create(t, e.getValue(), rowidName(t))) s.execute(sql);
            }
            record(c, t, e.getValue());
        }
        for (SqliteTable t : resync) {
            logSchema(c, t.name());
            logAllKeys(c, t, keys.get(t));
        }
        return new Result(tables, changes);
    }

    /** Why the table's change cannot be carried, or null when it only gained columns at the end (or none). */
    private static String unsupported(SqliteTable t, Recorded before) {
        List<List<String>> now = columns(t);
        List<String> problems = new ArrayList<>();
        for (List<String> col : before.columns()) {
            List<String> match = now.stream().filter(n -> n.get(0).equals(col.get(0))).findFirst().orElse(null);
            if (match == null) problems.add("column " + col.get(0) + " was removed or renamed");
            else if (!norm(match.get(1)).equals(norm(col.get(1)))) {
                problems.add("column " + col.get(0) + " changed its declared type from '" + col.get(1) + "' to '" + match.get(1) + "'");
            }
        }
        if (problems.isEmpty()) {
            for (int i = 0; i < before.columns().size(); i++) {
                if (!now.get(i).get(0).equals(before.columns().get(i).get(0))) {
                    problems.add("its columns were reordered");
                    break;
                }
            }
        }
        if (before.keyKind().equals(TriggerBuilder.Key.PRIMARY_KEY) && !t.primaryKey().equals(before.keyColumns())) {
            problems.add("its primary key changed from " + before.keyColumns() + " to " + t.primaryKey());
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    private static String norm(String type) {
        return type == null ? "" : type.trim().replaceAll("\\s+", " ").toUpperCase(Locale.ROOT);
    }

    private static List<List<String>> columns(SqliteTable t) {
        List<List<String>> out = new ArrayList<>();
        for (SqliteColumn col : t.columns()) out.add(List.of(col.name(), col.declaredType() == null ? "" : col.declaredType()));
        return out;
    }

    private static String names(List<SqliteColumn> cols) {
        return String.join(", ", cols.stream().map(SqliteColumn::name).toList());
    }

    private static Map<String, Recorded> recorded(Connection c) throws SQLException {
        Map<String, Recorded> out = new LinkedHashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT tbl, key_kind, key_columns, columns FROM " + CaptureSchema.CAPTURED)) {
            while (rs.next()) {
                List<List<String>> cols;
                try {
                    cols = JSON.readValue(rs.getString(4), new TypeReference<List<List<String>>>() {});
                } catch (java.io.IOException e) {
                    throw new SQLException("capture's record of table " + rs.getString(1) + " is unreadable: " + e.getMessage(), e);
                }
                out.put(rs.getString(1), new Recorded(rs.getString(2), List.of(rs.getString(3).split(",", -1)), cols));
            }
        }
        return out;
    }

    private static void record(Connection c, SqliteTable t, TriggerBuilder.Key key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + CaptureSchema.CAPTURED + " (tbl, key_kind, key_columns, columns) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, t.name());
            ps.setString(2, key.kind());
            ps.setString(3, String.join(",", key.columns()));
            ps.setString(4, JSON.writeValueAsString(columns(t)));
            ps.executeUpdate();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException(e);
        }
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

    private static void dropAllTriggers(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND substr(name, 1, ?) = ?"
                + " AND substr(name, 1, ?) <> ?")) { // a cutover's write fence stays
            ps.setInt(1, CaptureSchema.PREFIX.length());
            ps.setString(2, CaptureSchema.PREFIX);
            ps.setInt(3, WriteFence.PREFIX.length());
            ps.setString(4, WriteFence.PREFIX);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) names.add(rs.getString(1));
            }
        }
        try (Statement s = c.createStatement()) {
            for (String n : names) s.execute("DROP TRIGGER IF EXISTS " + sqlite(n));
        }
    }

    private static boolean triggerExists(Connection c, String trigger, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM sqlite_schema WHERE type = 'trigger' AND name = ? AND tbl_name = ?")) {
            ps.setString(1, trigger);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The same key the snapshot uses: the primary key, or the rowid when there is none or it holds NULLs. */
    static TriggerBuilder.Key keyOf(Connection c, SqliteTable t) throws SQLException {
        if (!t.primaryKey().isEmpty() && !Profiler.primaryKeyHasNulls(c, t)) {
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
        for (String cand : List.of("rowid", "_rowid_", "oid")) if (t.column(cand).isEmpty()) return cand;
        return "rowid";
    }
}

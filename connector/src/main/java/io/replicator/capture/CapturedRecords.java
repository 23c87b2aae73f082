package io.replicator.capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replicator.core.model.SqliteColumn;
import io.replicator.core.model.SqliteTable;

import java.io.IOException;
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

/**
 * What capture records of each table in {@code _replicator_captured}: its key (kind and columns) and its columns
 * with their declared types. A refresh compares the application's tables with this record to tell a change the
 * feed can carry (columns added at the end) from one it cannot (a column removed, renamed, retyped or moved, a
 * changed primary key), which stops the feed instead of publishing rows PostgreSQL would take differently.
 */
final class CapturedRecords {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CapturedRecords() {}

    /** What capture recorded of one table. */
    record Recorded(String keyKind, List<String> keyColumns, List<List<String>> columns) {}

    /** Why the table's change cannot be carried, or null when it only gained columns at the end (or none). */
    static String unsupported(SqliteTable t, Recorded before) {
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

    static String names(List<SqliteColumn> cols) {
        return String.join(", ", cols.stream().map(SqliteColumn::name).toList());
    }

    /** What capture recorded, by table; empty when capture is not installed yet. */
    static Map<String, Recorded> read(Connection c) throws SQLException {
        Map<String, Recorded> out = new LinkedHashMap<>();
        if (!CaptureInstaller.tableExists(c, CaptureSchema.CAPTURED)) return out;
        boolean v1 = !hasColumnsColumn(c); // capture version 1 did not record columns: the install adds the column, with '[]'
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT tbl, key_kind, key_columns, "
                + (v1 ? "'[]'" : "columns") + " FROM " + CaptureSchema.CAPTURED)) {
            while (rs.next()) {
                List<List<String>> cols;
                try {
                    cols = JSON.readValue(rs.getString(4), new TypeReference<List<List<String>>>() {});
                } catch (IOException e) {
                    throw new SQLException("capture's record of table " + rs.getString(1) + " is unreadable: " + e.getMessage(), e);
                }
                out.put(rs.getString(1), new Recorded(rs.getString(2), List.of(rs.getString(3).split(",", -1)), cols));
            }
        }
        return out;
    }

    static boolean hasColumnsColumn(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA table_info(" + CaptureSchema.CAPTURED + ")")) {
            while (rs.next()) if (rs.getString("name").equals("columns")) return true;
        }
        return false;
    }

    /** One row of {@code _replicator_captured}, ready to insert. */
    record Row(String tbl, String keyKind, String keyColumns, String columns) {
        void insert(Connection c) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + CaptureSchema.CAPTURED + " (tbl, key_kind, key_columns, columns) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, tbl);
                ps.setString(2, keyKind);
                ps.setString(3, keyColumns);
                ps.setString(4, columns);
                ps.executeUpdate();
            }
        }
    }

    static Row record(SqliteTable t, TriggerBuilder.Key key) throws SQLException {
        try {
            return new Row(t.name(), key.kind(), String.join(",", key.columns()), JSON.writeValueAsString(columns(t)));
        } catch (JsonProcessingException e) {
            throw new SQLException(e);
        }
    }
}

package io.replicator.feed;

import io.replicator.core.event.ChangeEventFormat;
import io.replicator.core.event.SqliteValue;
import org.apache.kafka.connect.data.Struct;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a consumer of the feed ends up with: tables of rows keyed by their key, built by applying events in
 * order (after → put, delete → remove, schema event of a gone table → drop). Compared with SQLite's own rows.
 */
final class Replica {
    /** table → key (as text) → column → value. */
    final Map<String, Map<String, Map<String, SqliteValue>>> tables = new TreeMap<>();

    Replica apply(List<Struct> events) {
        for (Struct e : events) apply(e);
        return this;
    }

    void apply(Struct e) {
        String op = e.getString("op");
        String table = e.getStruct("source").getString("table");
        switch (op) {
            case ChangeEventFormat.OP_SCHEMA -> {
                if (!e.getStruct("ddl").getBoolean("exists")) tables.remove(table);
                else tables.computeIfAbsent(table, t -> new TreeMap<>());
            }
            case ChangeEventFormat.OP_DELETE -> tables.computeIfAbsent(table, t -> new TreeMap<>())
                    .remove(keyText(ChangeEventFormat.decodeRow(e.getStruct("before"))));
            case ChangeEventFormat.OP_CREATE, ChangeEventFormat.OP_UPDATE -> {
                Map<String, SqliteValue> row = ChangeEventFormat.decodeRow(e.getStruct("after"));
                List<String> keyCols = KEYS.get().get(table);
                if (keyCols == null) throw new AssertionError("the test did not name the key of " + table);
                Map<String, SqliteValue> key = new LinkedHashMap<>();
                for (String k : keyCols) key.put(k, row.get(k));
                tables.computeIfAbsent(table, t -> new TreeMap<>()).put(keyText(key), row);
            }
            case ChangeEventFormat.OP_MARKER -> { }
            default -> throw new AssertionError("unknown op " + op);
        }
    }

    /** Keys are given to the replica by the test: which columns form each table's key. */
    private static final ThreadLocal<Map<String, List<String>>> KEYS = ThreadLocal.withInitial(Map::of);

    static void keys(Map<String, List<String>> keys) {
        KEYS.set(keys);
    }

    /** Starts from the accounts table a snapshot put into PostgreSQL (schema of {@link LiveWriter#TABLE}). */
    Replica seedAccounts(java.sql.Connection pg, String schema) throws Exception {
        Map<String, Map<String, SqliteValue>> rows = new TreeMap<>();
        try (Statement s = pg.createStatement(); ResultSet rs = s.executeQuery("SELECT id, balance, note FROM \"" + schema + "\".accounts")) {
            while (rs.next()) {
                Map<String, SqliteValue> row = new LinkedHashMap<>();
                row.put("id", SqliteValue.integer(rs.getLong(1)));
                row.put("balance", SqliteValue.integer(rs.getLong(2)));
                row.put("note", rs.getString(3) == null ? SqliteValue.NULL : SqliteValue.text(rs.getString(3)));
                rows.put(keyText(Map.of("id", row.get("id"))), row);
            }
        }
        tables.put("accounts", rows);
        return this;
    }

    static String keyText(Map<String, SqliteValue> key) {
        return key.values().toString();
    }

    /** SQLite's rows in the same shape; {@code rowidTables} get the rowid as field _sqlite_rowid. */
    static Map<String, Map<String, Map<String, SqliteValue>>> of(Path db, Map<String, List<String>> keys, List<String> rowidTables) throws Exception {
        Map<String, Map<String, Map<String, SqliteValue>>> out = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            for (Map.Entry<String, List<String>> t : keys.entrySet()) {
                Map<String, Map<String, SqliteValue>> rows = new TreeMap<>();
                String sql = "SELECT *" + (rowidTables.contains(t.getKey()) ? ", rowid AS _sqlite_rowid" : "") + " FROM \"" + t.getKey() + "\"";
                try (ResultSet rs = s.executeQuery(sql)) {
                    ResultSetMetaData md = rs.getMetaData();
                    while (rs.next()) {
                        Map<String, SqliteValue> row = new LinkedHashMap<>();
                        for (int i = 1; i <= md.getColumnCount(); i++) row.put(md.getColumnLabel(i), io.replicator.core.codec.SqliteValueReader.value(rs, i));
                        Map<String, SqliteValue> key = new LinkedHashMap<>();
                        for (String k : t.getValue()) key.put(k, row.get(k));
                        rows.put(keyText(key), row);
                    }
                }
                out.put(t.getKey(), rows);
            }
        }
        return out;
    }
}

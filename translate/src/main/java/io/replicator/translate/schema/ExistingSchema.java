package io.replicator.translate.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tables an application's own migrations made in a PostgreSQL schema, as its catalog says: columns with
 * their printed type, NOT NULL, default, identity and generation; the primary key; every unique index that
 * is not partial. What a copy into them must respect.
 */
public final class ExistingSchema {
    private ExistingSchema() {}

    /** One column; {@code type} as {@code format_type} prints it. */
    public record Column(String name, String type, boolean notNull, boolean hasDefault, boolean identity, boolean generated) {
        /** The column takes a value when an insert leaves it out. */
        public boolean fillsItself() {
            return !notNull || hasDefault || identity || generated;
        }
    }

    /** A unique constraint or index (not partial), its columns in order. */
    public record Unique(String name, List<String> columns) {}

    public record Table(String name, Map<String, Column> columns, List<String> primaryKey, List<Unique> uniques) {}

    /** Whether the schema exists. */
    public static boolean exists(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Table name → table, for the ordinary and partitioned tables of {@code schema}. */
    public static Map<String, Table> read(Connection c, String schema) throws SQLException {
        Map<String, Map<String, Column>> cols = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT t.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atthasdef,"
                + " a.attidentity <> '', a.attgenerated <> '' FROM pg_attribute a JOIN pg_class t ON t.oid = a.attrelid"
                + " JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = ? AND t.relkind IN ('r', 'p') AND a.attnum > 0"
                + " AND NOT a.attisdropped ORDER BY t.relname, a.attnum")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    cols.computeIfAbsent(rs.getString(1), x -> new LinkedHashMap<>()).put(rs.getString(2),
                            new Column(rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getBoolean(5), rs.getBoolean(6), rs.getBoolean(7)));
                }
            }
        }
        Map<String, List<String>> pks = new LinkedHashMap<>();
        Map<String, List<Unique>> uniques = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT t.relname, i.indisprimary, ic.relname,"
                + " array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = t.oid"
                + " AND a.attnum = k.attnum ORDER BY k.ord), i.indnkeyatts, i.indexprs IS NULL"
                + " FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid"
                + " JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = ? AND i.indisunique AND i.indpred IS NULL"
                + " ORDER BY t.relname, ic.relname")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!rs.getBoolean(6)) continue; // on an expression: not a set of columns
                    List<String> keyCols = new ArrayList<>(List.of((String[]) rs.getArray(4).getArray()).subList(0, rs.getInt(5)));
                    if (rs.getBoolean(2)) pks.put(rs.getString(1), keyCols);
                    uniques.computeIfAbsent(rs.getString(1), x -> new ArrayList<>()).add(new Unique(rs.getString(3), keyCols));
                }
            }
        }
        Map<String, Table> out = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Column>> e : cols.entrySet()) {
            out.put(e.getKey(), new Table(e.getKey(), e.getValue(), pks.getOrDefault(e.getKey(), List.of()), uniques.getOrDefault(e.getKey(), List.of())));
        }
        return out;
    }
}

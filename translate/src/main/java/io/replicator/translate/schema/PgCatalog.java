package io.replicator.translate.schema;


import io.replicator.core.ReplicatorException;
import io.replicator.core.types.PgType;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What PostgreSQL's catalog says of a table this tool wrote: its columns and their actual types. */
public final class PgCatalog {
    private PgCatalog() {}

    /**
     * Column name → type, in table order (empty when the table does not exist). A type this tool does not
     * create is {@code unknownAs}, or refused when that is null.
     */
    public static Map<String, PgType> columnTypes(Connection c, String schema, String table, PgType unknownAs) throws SQLException {
        Map<String, PgType> m = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                + "JOIN pg_class t ON t.oid = a.attrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
                + "WHERE n.nspname = ? AND t.relname = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    PgType ty;
                    try {
                        ty = PgType.parse(rs.getString(2));
                    } catch (ReplicatorException e) {
                        if (unknownAs == null) throw e;
                        ty = unknownAs;
                    }
                    m.put(rs.getString(1), ty);
                }
            }
        }
        return m;
    }

    /**
     * Table → the columns that identify its rows, for the tables of {@code schema} ({@code table} null) or one
     * table: the primary key, else the copy's rowid column ({@link RowIdentity#ROWID_COLUMN},
     * unique but not a primary key). Tables with neither are left out.
     */
    public static Map<String, List<String>> keyColumns(Connection c, String schema, String table) throws SQLException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT t.relname, a.attname FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid"
                + " JOIN pg_namespace n ON n.oid = t.relnamespace JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, ord) ON true"
                + " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum"
                + " WHERE n.nspname = ? AND (?::text IS NULL OR t.relname = ?) AND i.indisprimary AND t.relkind = 'r' ORDER BY t.relname, k.ord")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            ps.setString(3, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.computeIfAbsent(rs.getString(1), x -> new ArrayList<>()).add(rs.getString(2));
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT t.relname FROM pg_attribute a JOIN pg_class t ON t.oid = a.attrelid"
                + " JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = ? AND (?::text IS NULL OR t.relname = ?)"
                + " AND t.relkind = 'r' AND a.attname = ? AND NOT a.attisdropped ORDER BY t.relname")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            ps.setString(3, table);
            ps.setString(4, RowIdentity.ROWID_COLUMN);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.putIfAbsent(rs.getString(1), List.of(RowIdentity.ROWID_COLUMN));
            }
        }
        return out;
    }
}

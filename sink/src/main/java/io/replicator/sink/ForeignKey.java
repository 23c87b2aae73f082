package io.replicator.sink;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A foreign key of a target schema as PostgreSQL's catalog holds it: enough to look for rows that break it and to
 * create it again exactly ({@code definition} is {@code pg_get_constraintdef}: columns, referenced table, actions,
 * deferral, NOT VALID).
 */
public record ForeignKey(String name, String table, List<String> columns, String refSchema, String refTable, List<String> refColumns,
                         String definition, boolean validated) {

    /** The foreign keys of the tables of {@code schema}, by table and name. */
    public static List<ForeignKey> inSchema(Connection c, String schema) throws SQLException {
        List<ForeignKey> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT con.conname, cl.relname, fn.nspname, fcl.relname, pg_get_constraintdef(con.oid), con.convalidated,"
                + " ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o),"
                + " ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o)"
                + " FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace"
                + " JOIN pg_class fcl ON fcl.oid = con.confrelid JOIN pg_namespace fn ON fn.oid = fcl.relnamespace"
                + " WHERE con.contype = 'f' AND n.nspname = ? ORDER BY cl.relname, con.conname")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ForeignKey(rs.getString(1), rs.getString(2), strings(rs.getArray(7)), rs.getString(3), rs.getString(4),
                            strings(rs.getArray(8)), rs.getString(5), rs.getBoolean(6)));
                }
            }
        }
        return out;
    }

    static List<String> strings(Array a) throws SQLException {
        return a == null ? List.of() : List.copyOf(Arrays.asList((String[]) a.getArray()));
    }
}

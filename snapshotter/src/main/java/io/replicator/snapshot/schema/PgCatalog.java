package io.replicator.snapshot.schema;

import io.replicator.core.ReplicatorException;
import io.replicator.core.types.PgType;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
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
}

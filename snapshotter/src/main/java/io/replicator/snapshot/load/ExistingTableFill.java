package io.replicator.snapshot.load;

import io.replicator.core.ReplicatorException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static io.replicator.core.Identifiers.pg;

/**
 * Filling one of the application's own tables ({@code --into-existing}), inside the table's copy transaction.
 * Its foreign keys and triggers stay as the application made them, so the copy runs as a replica: tables load in
 * any order and in parallel, and no trigger of the application fires for rows it already processed in SQLite.
 * Afterwards every sequence a column of the table draws from (serial or identity) continues after the copied maximum.
 */
final class ExistingTableFill {
    private ExistingTableFill() {}

    static void beforeCopy(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL session_replication_role = replica");
        } catch (SQLException e) {
            if (!"42501".equals(e.getSQLState())) throw e;
            throw ReplicatorException.config("--into-existing loads the application's tables with their foreign keys and triggers in place, which needs"
                    + " a role that may set session_replication_role: a superuser, or on PostgreSQL 15+ GRANT SET ON PARAMETER session_replication_role"
                    + " TO <role>. Or copy without --into-existing");
        }
    }

    static void afterCopy(Connection c, String schema, String table) throws SQLException {
        List<String[]> seqs = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname, pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(t.relname), a.attname)"
                + " FROM pg_attribute a JOIN pg_class t ON t.oid = a.attrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
                + " WHERE n.nspname = ? AND t.relname = ? AND a.attnum > 0 AND NOT a.attisdropped")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) if (rs.getString(2) != null) seqs.add(new String[] {rs.getString(1), rs.getString(2)});
            }
        }
        for (String[] s : seqs) {
            try (PreparedStatement ps = c.prepareStatement("SELECT setval(?, GREATEST(max(" + pg(s[0]) + "), 1)) FROM " + pg(schema, table) + " HAVING max(" + pg(s[0]) + ") IS NOT NULL")) {
                ps.setString(1, s[1]);
                ps.execute();
            }
        }
    }
}

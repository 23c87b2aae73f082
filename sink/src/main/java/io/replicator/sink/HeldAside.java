package io.replicator.sink;

import io.replicator.core.StateSchema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.replicator.core.Identifiers.pg;

/**
 * The fallback of {@link ApplySession} for a role that may not set {@code session_replication_role}: while the
 * sink replicates, the schema's foreign keys are dropped and its enabled triggers disabled, each kept in
 * {@value #TABLE} exactly as it was ({@code pg_get_constraintdef} read with an empty search path, so every name is
 * qualified; a trigger's enabled state). {@link #restore} puts them back, by their own names, at the cutover.
 *
 * <p>Holding is idempotent and happens in the caller's transaction: a crash leaves either everything in place or
 * everything held with its definition stored.
 */
public final class HeldAside {
    public static final String TABLE = "replicator.held_aside";

    /** What was held aside by one call. */
    public record Counts(int foreignKeys, int triggers) {
        int total() {
            return foreignKeys + triggers;
        }
    }

    private HeldAside() {}

    static void ensure(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT to_regclass('" + TABLE + "') IS NOT NULL")) {
            rs.next();
            if (rs.getBoolean(1)) return;
        }
        try (Statement s = c.createStatement()) {
            s.execute(StateSchema.CREATE_IF_MISSING);
            s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (target_schema text NOT NULL, kind text NOT NULL CHECK (kind IN ('foreign key', 'trigger')),"
                    + " table_name text NOT NULL, name text NOT NULL, definition text NOT NULL, columns text[], ref_schema text, ref_table text, ref_columns text[],"
                    + " held_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (target_schema, kind, table_name, name))");
        }
    }

    /** Drops the schema's foreign keys and disables its enabled triggers, remembering each (in the caller's transaction). */
    static Counts hold(Connection c, String schema) throws SQLException {
        ensure(c);
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL search_path = pg_catalog"); // definitions with every name qualified
        }
        List<ForeignKey> fks = ForeignKey.inSchema(c, schema);
        for (ForeignKey fk : fks) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (target_schema, kind, table_name, name, definition, columns, ref_schema, ref_table, ref_columns)"
                    + " VALUES (?, 'foreign key', ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, schema);
                ps.setString(2, fk.table());
                ps.setString(3, fk.name());
                ps.setString(4, fk.definition());
                ps.setArray(5, c.createArrayOf("text", fk.columns().toArray()));
                ps.setString(6, fk.refSchema());
                ps.setString(7, fk.refTable());
                ps.setArray(8, c.createArrayOf("text", fk.refColumns().toArray()));
                ps.executeUpdate();
            }
            try (Statement s = c.createStatement()) {
                s.execute("ALTER TABLE " + pg(schema, fk.table()) + " DROP CONSTRAINT " + pg(fk.name()));
            }
        }
        List<String[]> triggers = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT cl.relname, t.tgname, t.tgenabled FROM pg_trigger t JOIN pg_class cl ON cl.oid = t.tgrelid"
                + " JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE n.nspname = ? AND NOT t.tgisinternal AND t.tgenabled <> 'D' ORDER BY 1, 2")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) triggers.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
            }
        }
        for (String[] t : triggers) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (target_schema, kind, table_name, name, definition)"
                    + " VALUES (?, 'trigger', ?, ?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, schema);
                ps.setString(2, t[0]);
                ps.setString(3, t[1]);
                ps.setString(4, t[2]);
                ps.executeUpdate();
            }
            try (Statement s = c.createStatement()) {
                s.execute("ALTER TABLE " + pg(schema, t[0]) + " DISABLE TRIGGER " + pg(t[1]));
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("RESET search_path");
        }
        return new Counts(fks.size(), triggers.size());
    }

    /** The foreign keys held aside for {@code schema}. */
    public static List<ForeignKey> foreignKeys(Connection c, String schema) throws SQLException {
        List<ForeignKey> out = new ArrayList<>();
        if (!exists(c)) return out;
        try (PreparedStatement ps = c.prepareStatement("SELECT name, table_name, columns, ref_schema, ref_table, ref_columns, definition FROM " + TABLE
                + " WHERE target_schema = ? AND kind = 'foreign key' ORDER BY table_name, name")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String def = rs.getString(7);
                    out.add(new ForeignKey(rs.getString(1), rs.getString(2), ForeignKey.strings(rs.getArray(3)), rs.getString(4), rs.getString(5),
                            ForeignKey.strings(rs.getArray(6)), def, !def.endsWith("NOT VALID")));
                }
            }
        }
        return out;
    }

    /**
     * Puts back everything held for {@code schema}, in the caller's transaction: each foreign key under its own name
     * (NOT VALID for those in {@code notValid}: rows that break it were carried from SQLite), each trigger in its
     * former enabled state. Returns how many were put back.
     */
    public static int restore(Connection c, String schema, Set<String> notValid) throws SQLException {
        if (!exists(c)) return 0;
        List<String[]> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT kind, table_name, name, definition FROM " + TABLE + " WHERE target_schema = ? ORDER BY kind, table_name, name")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
            }
        }
        try (Statement s = c.createStatement()) {
            for (String[] r : rows) {
                String table = pg(schema, r[1]);
                if (r[0].equals("foreign key")) {
                    String def = r[3];
                    if (notValid.contains(r[2]) && !def.endsWith("NOT VALID")) def += " NOT VALID";
                    s.execute("ALTER TABLE " + table + " ADD CONSTRAINT " + pg(r[2]) + " " + def);
                } else {
                    String how = switch (r[3]) {
                        case "A" -> "ENABLE ALWAYS TRIGGER ";
                        case "R" -> "ENABLE REPLICA TRIGGER ";
                        default -> "ENABLE TRIGGER ";
                    };
                    s.execute("ALTER TABLE " + table + " " + how + pg(r[2]));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + TABLE + " WHERE target_schema = ?")) {
            ps.setString(1, schema);
            ps.executeUpdate();
        }
        return rows.size();
    }

    private static boolean exists(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT to_regclass('" + TABLE + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}

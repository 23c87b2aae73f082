package io.replicator.rollback;

import io.replicator.translate.schema.PgCatalog;

import io.replicator.state.StateSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.replicator.core.Identifiers.pg;
import static io.replicator.core.Identifiers.sqlLiteral;

/**
 * Change capture in PostgreSQL, the mirror of the SQLite side, installed by the cutover so that the way back
 * to SQLite never loses a write the application made to PostgreSQL afterwards: AFTER triggers on every table of
 * the schema append the key of each changed row (old and new key on an update that moves it; NULL for a
 * TRUNCATE, meaning the whole table) to {@code replicator.pg_changelog}. Key only, like the SQLite side: the
 * rollback reads each key's current row. Also the fence of a rollback: BEFORE triggers refusing writes.
 */
public final class PgChangeLog {
    static final String TABLE = StateSchema.NAME + ".pg_changelog";
    private static final String LOG_TRIGGER = "_replicator_log";
    private static final String TRUNCATE_TRIGGER = "_replicator_log_truncate";
    private static final String FENCE_TRIGGER = "_replicator_fence";

    private PgChangeLog() {}

    /** Table name → key columns, for every table of the schema, by the rule the sink uses (primary key, else the rowid column). */
    static Map<String, List<String>> keys(Connection c, String schema) throws SQLException {
        return PgCatalog.keyColumns(c, schema, null);
    }

    /** Installs (or re-installs) the key log on every table of {@code schema}, in the caller's transaction. */
    public static void install(Connection c, String schema) throws SQLException {
        StateSchema.ensure(c);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE OR REPLACE FUNCTION replicator.log_change() RETURNS trigger LANGUAGE plpgsql AS $f$\n"
                    + "DECLARE o jsonb; n jsonb;\n"
                    + "BEGIN\n"
                    + "  IF TG_OP = 'TRUNCATE' THEN\n"
                    + "    INSERT INTO " + TABLE + " (target_schema, tbl, key) VALUES (TG_TABLE_SCHEMA, TG_TABLE_NAME, NULL);\n"
                    + "    RETURN NULL;\n"
                    + "  END IF;\n"
                    + "  IF TG_OP <> 'INSERT' THEN\n"
                    + "    SELECT jsonb_object_agg(k, to_jsonb(OLD) -> k) INTO o FROM unnest(TG_ARGV) k;\n"
                    + "    INSERT INTO " + TABLE + " (target_schema, tbl, key) VALUES (TG_TABLE_SCHEMA, TG_TABLE_NAME, o);\n"
                    + "  END IF;\n"
                    + "  IF TG_OP <> 'DELETE' THEN\n"
                    + "    SELECT jsonb_object_agg(k, to_jsonb(NEW) -> k) INTO n FROM unnest(TG_ARGV) k;\n"
                    + "    IF o IS DISTINCT FROM n THEN\n"
                    + "      INSERT INTO " + TABLE + " (target_schema, tbl, key) VALUES (TG_TABLE_SCHEMA, TG_TABLE_NAME, n);\n"
                    + "    END IF;\n"
                    + "  END IF;\n"
                    + "  RETURN NULL;\n"
                    + "END $f$");
            for (Map.Entry<String, List<String>> t : keys(c, schema).entrySet()) {
                String table = pg(schema, t.getKey());
                List<String> args = new ArrayList<>();
                for (String k : t.getValue()) args.add(sqlLiteral(k));
                s.execute("DROP TRIGGER IF EXISTS " + LOG_TRIGGER + " ON " + table);
                s.execute("DROP TRIGGER IF EXISTS " + TRUNCATE_TRIGGER + " ON " + table);
                s.execute("CREATE TRIGGER " + LOG_TRIGGER + " AFTER INSERT OR UPDATE OR DELETE ON " + table
                        + " FOR EACH ROW EXECUTE FUNCTION replicator.log_change(" + String.join(", ", args) + ")");
                s.execute("CREATE TRIGGER " + TRUNCATE_TRIGGER + " AFTER TRUNCATE ON " + table + " FOR EACH STATEMENT EXECUTE FUNCTION replicator.log_change()");
            }
        }
    }

    /** True when the key log is installed on the schema's tables. */
    static boolean installed(Connection c, String schema) throws SQLException {
        return triggerCount(c, schema, LOG_TRIGGER) > 0;
    }

    /**
     * Refuses every write to the schema's tables from now on (BEFORE triggers raising {@code message}); returns
     * the newest logged position. Creating a trigger waits for the writes in flight on that table, so every
     * write that got through is logged at or below the position returned. In the caller's transaction.
     */
    static long fence(Connection c, String schema, String message) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE OR REPLACE FUNCTION replicator.refuse_write() RETURNS trigger LANGUAGE plpgsql AS $f$\n"
                    + "BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'read_only_sql_transaction'; END $f$");
            for (String t : keys(c, schema).keySet()) {
                String table = pg(schema, t);
                s.execute("DROP TRIGGER IF EXISTS " + FENCE_TRIGGER + " ON " + table);
                s.execute("CREATE TRIGGER " + FENCE_TRIGGER + " BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON " + table
                        + " FOR EACH STATEMENT EXECUTE FUNCTION replicator.refuse_write(" + sqlLiteral(message) + ")");
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(seq), 0) FROM " + TABLE + " WHERE target_schema = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Lifts the rollback's fence only: PostgreSQL takes writes again, still logged. */
    static void unfence(Connection c, String schema) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String t : keys(c, schema).keySet()) s.execute("DROP TRIGGER IF EXISTS " + FENCE_TRIGGER + " ON " + pg(schema, t));
        }
    }

    /** Removes the fence and the key log from the schema's tables (replication toward PostgreSQL may start again). */
    public static void remove(Connection c, String schema) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String t : keys(c, schema).keySet()) {
                String table = pg(schema, t);
                for (String trg : List.of(FENCE_TRIGGER, LOG_TRIGGER, TRUNCATE_TRIGGER)) s.execute("DROP TRIGGER IF EXISTS " + trg + " ON " + table);
            }
            s.execute("DELETE FROM " + TABLE + " WHERE target_schema = " + sqlLiteral(schema));
        }
    }

    /** The tables changed since the log was installed, each with a flag: true when it was truncated (re-copy it whole). */
    static Map<String, Boolean> changedTables(Connection c, String schema) throws SQLException {
        Map<String, Boolean> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT tbl, bool_or(key IS NULL) FROM " + TABLE + " WHERE target_schema = ? GROUP BY tbl ORDER BY tbl")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), rs.getBoolean(2));
            }
        }
        return out;
    }

    private static int triggerCount(Connection c, String schema, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid"
                + " JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = ? AND g.tgname = ?")) {
            ps.setString(1, schema);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}

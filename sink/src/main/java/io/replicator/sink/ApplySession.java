package io.replicator.sink;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The sink applies what SQLite did and nothing more: no foreign-key action (ON DELETE CASCADE, SET NULL, SET
 * DEFAULT) and no trigger of PostgreSQL may fire while it applies, and no foreign-key check may refuse a row SQLite
 * holds (SQLite checks foreign keys only under the application's {@code PRAGMA foreign_keys=ON}, so its files hold
 * orphans and its cascades may never have run).
 *
 * <p>Every sink connection runs with {@code session_replication_role = replica}, which turns off the triggers that
 * implement foreign keys and every ordinary trigger for that session only. Setting it needs a superuser, or on
 * PostgreSQL 15 and later {@code GRANT SET ON PARAMETER session_replication_role TO <role>}. Without it, the
 * fallback {@link HeldAside} drops the schema's foreign keys and disables its triggers while replicating, keeping
 * their exact definitions in {@code replicator.held_aside}; the cutover puts them back.
 */
public final class ApplySession {
    private static final Logger LOG = LoggerFactory.getLogger(ApplySession.class);

    /** Run on every new sink connection; a role that may not set the parameter keeps the default (checked by {@link #prepare}). */
    static final String INIT_SQL = "DO $$ BEGIN SET session_replication_role = replica; EXCEPTION WHEN insufficient_privilege THEN NULL; END $$";

    /** How the sink keeps PostgreSQL from doing more than SQLite did. */
    public enum Mode { REPLICA_ROLE, HELD_ASIDE }

    private ApplySession() {}

    /** True when this session runs with {@code session_replication_role = replica}. */
    static boolean replicaRole(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_setting('session_replication_role')")) {
            rs.next();
            return "replica".equals(rs.getString(1));
        }
    }

    /**
     * Checks a new sink connection before it applies anything (commits): with the replica role nothing else is
     * needed; without it the schema's foreign keys and triggers are held aside (idempotent).
     */
    static Mode prepare(Connection c, String schema) throws SQLException {
        if (replicaRole(c)) {
            c.commit();
            return Mode.REPLICA_ROLE;
        }
        HeldAside.Counts held = HeldAside.hold(c, schema);
        c.commit();
        if (held.total() > 0) {
            LOG.warn("the sink's PostgreSQL role may not set session_replication_role, so {} foreign key(s) and {} trigger(s) of schema {}"
                    + " are held aside while replicating (kept in {}; the cutover puts them back). To keep them in place, run as a superuser or,"
                    + " on PostgreSQL 15+: GRANT SET ON PARAMETER session_replication_role TO {}", held.foreignKeys(), held.triggers(), schema,
                    HeldAside.TABLE, currentUser(c));
        }
        return Mode.HELD_ASIDE;
    }

    private static String currentUser(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_user")) {
            rs.next();
            String u = rs.getString(1);
            c.commit();
            return u;
        }
    }
}

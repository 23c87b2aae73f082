package io.replicator.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The {@code replicator} schema in PostgreSQL, where all of the replicator's own state lives, and its numbered
 * migrations. Every class of this package reads and writes its rows; no other code creates or alters them.
 *
 * <p>{@link #ensure} applies the migrations a database has not had yet, each once, in order, in one transaction
 * with its record in {@code replicator.schema_version}, under an advisory lock so two processes starting at once do
 * not race. When the schema is current it only reads one row, so a role that was merely granted use of the tables
 * needs no CREATE privilege. Migrations are written to adopt state made by versions before this table existed
 * ({@code IF NOT EXISTS} everywhere): upgrading never needs a new snapshot.
 */
public final class StateSchema {
    public static final String NAME = "replicator";
    static final String VERSION_TABLE = NAME + ".schema_version";
    /** Arbitrary, fixed: the advisory lock key the migrations are applied under. */
    private static final long MIGRATION_LOCK = 0x7265706c_69636174L;

    /**
     * Creates the schema only when it is missing: {@code CREATE SCHEMA IF NOT EXISTS} checks the CREATE privilege on
     * the database even when the schema exists, which a role that was only granted use of it does not have.
     */
    public static final String CREATE_IF_MISSING = "DO $$ BEGIN IF to_regnamespace('" + NAME + "') IS NULL THEN CREATE SCHEMA " + NAME + "; END IF; END $$";

    /** One step of the schema: applied once, with its number recorded. */
    record Migration(int version, String description, List<String> statements) {}

    static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "snapshot runs and tables", List.of(
                    "CREATE TABLE IF NOT EXISTS " + NAME + ".snapshot_run (target_schema text PRIMARY KEY, sqlite_path text NOT NULL,"
                            + " status text NOT NULL CHECK (status IN ('running', 'done', 'failed')), started_at timestamptz NOT NULL DEFAULT now(),"
                            + " finished_at timestamptz, changelog_seq bigint, error text)",
                    "CREATE TABLE IF NOT EXISTS " + NAME + ".snapshot_table (target_schema text NOT NULL, table_name text NOT NULL,"
                            + " source_table text NOT NULL, status text NOT NULL CHECK (status = 'done'), rows bigint NOT NULL, bytes bigint NOT NULL,"
                            + " seconds double precision NOT NULL, finished_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
                            + " PRIMARY KEY (target_schema, table_name))")),
            new Migration(2, "the sink's position", List.of(
                    "CREATE TABLE IF NOT EXISTS " + NAME + ".sink_position (target_schema text PRIMARY KEY, topic text NOT NULL,"
                            + " kafka_offset bigint NOT NULL, seq bigint NOT NULL, source_ts_ms bigint NOT NULL,"
                            + " applied_at timestamptz NOT NULL DEFAULT clock_timestamp(), events bigint NOT NULL DEFAULT 0,"
                            + " dead_lettered bigint NOT NULL DEFAULT 0)",
                    "ALTER TABLE " + NAME + ".sink_position ADD COLUMN IF NOT EXISTS dead_lettered bigint NOT NULL DEFAULT 0",
                    "ALTER TABLE " + NAME + ".sink_position ADD COLUMN IF NOT EXISTS topic_id text")),
            new Migration(3, "the cutover's record", List.of(
                    "CREATE TABLE IF NOT EXISTS " + NAME + ".cutover (target_schema text PRIMARY KEY, status text NOT NULL, final_seq bigint,"
                            + " write_pause_ms bigint, at timestamptz NOT NULL DEFAULT clock_timestamp(), reason text)",
                    "ALTER TABLE " + NAME + ".cutover DROP CONSTRAINT IF EXISTS cutover_status_check",
                    "ALTER TABLE " + NAME + ".cutover ADD CONSTRAINT cutover_status_check"
                            + " CHECK (status IN ('done', 'aborted', 'rolling back', 'rolled back'))")),
            new Migration(4, "foreign keys held aside, rows that break foreign keys", List.of(
                    "CREATE TABLE IF NOT EXISTS " + NAME + ".held_aside (target_schema text NOT NULL,"
                            + " kind text NOT NULL CHECK (kind IN ('foreign key', 'trigger')), table_name text NOT NULL, name text NOT NULL,"
                            + " definition text NOT NULL, columns text[], ref_schema text, ref_table text, ref_columns text[],"
                            + " held_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (target_schema, kind, table_name, name))",
                    "CREATE TABLE IF NOT EXISTS " + NAME + ".fk_orphans (target_schema text NOT NULL, constraint_name text NOT NULL,"
                            + " table_name text NOT NULL, orphans bigint NOT NULL, sample_keys text[] NOT NULL, at_seq bigint NOT NULL,"
                            + " checked_at timestamptz NOT NULL, PRIMARY KEY (target_schema, constraint_name, table_name))")),
            new Migration(5, "the operator's switches, one row per target schema", List.of(
                    "CREATE TABLE IF NOT EXISTS " + NAME + ".control (target_schema text PRIMARY KEY,"
                            + " hold_requested boolean NOT NULL DEFAULT false, held_seq bigint,"
                            + " updated_at timestamptz NOT NULL DEFAULT clock_timestamp())")),
            new Migration(6, "the translation options a snapshot was taken with", List.of(
                    "ALTER TABLE " + NAME + ".snapshot_run ADD COLUMN IF NOT EXISTS options jsonb")),
            new Migration(7, "the key log of PostgreSQL's writes after a cutover", List.of(
                    "CREATE TABLE IF NOT EXISTS " + NAME + ".pg_changelog (seq bigserial PRIMARY KEY, target_schema text NOT NULL,"
                            + " tbl text NOT NULL, key jsonb, at timestamptz NOT NULL DEFAULT clock_timestamp())",
                    "CREATE INDEX IF NOT EXISTS pg_changelog_table ON " + NAME + ".pg_changelog (target_schema, tbl)")));

    /** The newest migration: what {@link #ensure} brings a database to. */
    public static final int CURRENT = MIGRATIONS.get(MIGRATIONS.size() - 1).version();

    private StateSchema() {}

    /** Brings the schema to {@link #CURRENT}; reads one row when it is already there. Leaves {@code c}'s auto-commit as it was. */
    public static void ensure(Connection c) throws SQLException {
        if (version(c) >= CURRENT) return;
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
                s.execute(CREATE_IF_MISSING);
                s.execute("CREATE TABLE IF NOT EXISTS " + VERSION_TABLE + " (version int PRIMARY KEY, description text NOT NULL,"
                        + " applied_at timestamptz NOT NULL DEFAULT clock_timestamp())");
            }
            int have = version(c);
            for (Migration m : MIGRATIONS) {
                if (m.version() <= have) continue;
                try (Statement s = c.createStatement()) {
                    for (String sql : m.statements()) s.execute(sql);
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + VERSION_TABLE + " (version, description) VALUES (?, ?)")) {
                    ps.setInt(1, m.version());
                    ps.setString(2, m.description());
                    ps.executeUpdate();
                }
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** The newest migration applied, 0 when none (or no state at all). */
    public static int version(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT to_regclass('" + VERSION_TABLE + "') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) return 0;
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT coalesce(max(version), 0) FROM " + VERSION_TABLE)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}

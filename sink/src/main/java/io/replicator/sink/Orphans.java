package io.replicator.sink;

import io.replicator.core.StateSchema;
import io.replicator.translate.schema.PgCatalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.replicator.core.Identifiers.pg;

/**
 * Rows that break a foreign key: SQLite holds them whenever the application runs without
 * {@code PRAGMA foreign_keys=ON} (the default of the sqlite3 shell, Python's sqlite3 and SQLAlchemy), and the sink
 * carries them exactly ({@link ApplySession}). They are counted per constraint, with a few sample keys, so that
 * {@code status} shows them while replicating and the cutover can refuse to flip over them unannounced.
 *
 * <p>A check reads one snapshot of PostgreSQL (REPEATABLE READ) together with the sink's position, so its counts
 * are those of SQLite at that changelog position. Results are kept in {@value #TABLE}, one row per foreign key.
 */
public final class Orphans {
    public static final String TABLE = "replicator.fk_orphans";
    /** Sample keys kept per constraint. */
    static final int SAMPLES = 5;

    /** The rows of {@code table} whose {@code constraint} finds no parent: their number and up to {@value #SAMPLES} keys. */
    public record Broken(String constraint, String table, long rows, List<String> sampleKeys) {}

    /** One check: when, at which changelog position, and the constraints with orphans (others are not listed). */
    public record Report(long atSeq, long checkedAtMs, List<Broken> broken) {
        public long total() {
            return broken.stream().mapToLong(Broken::rows).sum();
        }

        /** "constraint on table: N row(s), e.g. key, key" per constraint, one per line. */
        public String describe() {
            StringBuilder b = new StringBuilder();
            for (Broken x : broken) {
                if (b.length() > 0) b.append('\n');
                b.append("  ").append(x.constraint()).append(" on ").append(x.table()).append(": ").append(x.rows()).append(" row(s) without a parent, e.g. ")
                        .append(String.join(", ", x.sampleKeys()));
            }
            return b.toString();
        }
    }

    private Orphans() {}

    /** Counts the orphans of every foreign key of {@code schema} (in place or held aside), in one snapshot. */
    public static Report check(Connection c, String schema) throws SQLException {
        boolean auto = c.getAutoCommit();
        int isolation = c.getTransactionIsolation();
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try {
            SinkState s = SinkState.read(c, schema);
            List<ForeignKey> fks = new ArrayList<>(ForeignKey.inSchema(c, schema));
            fks.addAll(HeldAside.foreignKeys(c, schema));
            Map<String, List<String>> keys = PgCatalog.keyColumns(c, schema, null);
            List<Broken> broken = new ArrayList<>();
            for (ForeignKey fk : fks) {
                Broken b = check(c, schema, fk, keys.getOrDefault(fk.table(), List.of()));
                if (b.rows() > 0) broken.add(b);
            }
            c.commit();
            return new Report(s == null ? -1 : s.seq(), System.currentTimeMillis(), List.copyOf(broken));
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setTransactionIsolation(isolation);
            c.setAutoCommit(auto);
        }
    }

    private static Broken check(Connection c, String schema, ForeignKey fk, List<String> key) throws SQLException {
        StringBuilder where = new StringBuilder();
        StringBuilder match = new StringBuilder();
        for (int i = 0; i < fk.columns().size(); i++) {
            where.append(" AND c.").append(pg(fk.columns().get(i))).append(" IS NOT NULL");
            match.append(i == 0 ? "" : " AND ").append("p.").append(pg(fk.refColumns().get(i))).append(" = c.").append(pg(fk.columns().get(i)));
        }
        Set<String> shown = new LinkedHashSet<>(key);
        shown.addAll(fk.columns());
        StringBuilder sample = new StringBuilder("jsonb_build_object(");
        int n = 0;
        for (String col : shown) sample.append(n++ == 0 ? "" : ", ").append(literal(col)).append(", c.").append(pg(col));
        sample.append(")::text");
        String sql = "SELECT count(*) OVER (), " + sample + " FROM " + pg(schema, fk.table()) + " c WHERE true" + where
                + " AND NOT EXISTS (SELECT 1 FROM " + pg(fk.refSchema(), fk.refTable()) + " p WHERE " + match + ") LIMIT " + SAMPLES;
        long rows = 0;
        List<String> samples = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                rows = rs.getLong(1);
                samples.add(rs.getString(2));
            }
        }
        return new Broken(fk.name(), fk.table(), rows, List.copyOf(samples));
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    static void ensure(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT to_regclass('" + TABLE + "') IS NOT NULL")) {
            rs.next();
            if (rs.getBoolean(1)) return;
        }
        try (Statement s = c.createStatement()) {
            s.execute(StateSchema.CREATE_IF_MISSING);
            s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (target_schema text NOT NULL, constraint_name text NOT NULL, table_name text NOT NULL,"
                    + " orphans bigint NOT NULL, sample_keys text[] NOT NULL, at_seq bigint NOT NULL, checked_at timestamptz NOT NULL,"
                    + " PRIMARY KEY (target_schema, constraint_name, table_name))");
        }
    }

    /** Replaces the stored result of {@code schema} with {@code r} (a row with orphans 0 marks a check that found none). */
    public static void store(Connection c, String schema, Report r) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            ensure(c);
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + TABLE + " WHERE target_schema = ?")) {
                ps.setString(1, schema);
                ps.executeUpdate();
            }
            List<Broken> rows = r.broken().isEmpty() ? List.of(new Broken("", "", 0, List.of())) : r.broken();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " VALUES (?, ?, ?, ?, ?, ?, to_timestamp(? / 1000.0))")) {
                for (Broken b : rows) {
                    ps.setString(1, schema);
                    ps.setString(2, b.constraint());
                    ps.setString(3, b.table());
                    ps.setLong(4, b.rows());
                    ps.setArray(5, c.createArrayOf("text", b.sampleKeys().toArray()));
                    ps.setLong(6, r.atSeq());
                    ps.setLong(7, r.checkedAtMs());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** The last stored check of {@code schema}, or null when none ran yet. */
    public static Report stored(Connection c, String schema) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT to_regclass('" + TABLE + "') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) return null;
        }
        List<Broken> broken = new ArrayList<>();
        long atSeq = -1;
        long at = -1;
        try (PreparedStatement ps = c.prepareStatement("SELECT constraint_name, table_name, orphans, sample_keys, at_seq, (extract(epoch FROM checked_at) * 1000)::bigint FROM "
                + TABLE + " WHERE target_schema = ? ORDER BY table_name, constraint_name")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    atSeq = rs.getLong(5);
                    at = rs.getLong(6);
                    if (rs.getLong(3) > 0) broken.add(new Broken(rs.getString(1), rs.getString(2), rs.getLong(3), ForeignKey.strings(rs.getArray(4))));
                }
            }
        }
        return at < 0 ? null : new Report(atSeq, at, List.copyOf(broken));
    }
}

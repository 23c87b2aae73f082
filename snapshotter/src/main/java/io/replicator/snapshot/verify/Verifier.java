package io.replicator.snapshot.verify;

import io.replicator.core.PostgresUrl;
import io.replicator.core.codec.Canonical;
import io.replicator.core.codec.ConversionException;
import io.replicator.core.codec.PgValueReader;
import io.replicator.core.codec.SqliteValueReader;
import io.replicator.core.types.PgType;
import io.replicator.snapshot.plan.ColumnPlan;
import io.replicator.snapshot.plan.Plan;
import io.replicator.snapshot.plan.PlanOptions;
import io.replicator.snapshot.plan.Planner;
import io.replicator.snapshot.plan.TablePlan;
import io.replicator.snapshot.schema.SchemaReader;
import io.replicator.snapshot.source.SqliteSource;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.replicator.core.Identifiers.pg;

/**
 * Compares every table of a SQLite file with its copy in PostgreSQL, value by value in canonical form.
 * <p>Pass 1 streams both sides in any order and sums 128-bit row hashes into buckets chosen by the key's
 * hash; equal bucket sums and counts mean equal tables. Pass 2 re-reads only the rows of differing buckets
 * and names the differing keys with both values. Memory is bounded by the bucket count, not the table.
 * SQLite values are converted to the PostgreSQL column's actual type with the same converter the copy uses;
 * a value that cannot be converted never compares equal.
 */
public final class Verifier {
    /** Rows kept per side in pass 2 for naming differences. */
    private static final int PASS2_ROW_LIMIT = 200_000;

    private final SqliteSource source;
    private final PostgresUrl target;
    private final String schema;
    private final int maxDifferences;

    /** Reads, inside the verification's own SQLite read transaction, the keys to leave out per SQLite table. */
    public interface Exclusions {
        Map<String, List<List<io.replicator.core.event.SqliteValue>>> read(Connection sqliteInReadTransaction) throws SQLException;
    }

    private final Exclusions exclusions;
    private Map<String, List<List<io.replicator.core.event.SqliteValue>>> exclude = Map.of();

    public Verifier(SqliteSource source, PostgresUrl target, String schema, int maxDifferences) {
        this(source, target, schema, maxDifferences, c -> Map.of());
    }

    /**
     * @param exclusions keys left out on both sides (as the changelog holds them): rows changed after the
     *                   position PostgreSQL is held at, for verification while writes continue
     */
    public Verifier(SqliteSource source, PostgresUrl target, String schema, int maxDifferences, Exclusions exclusions) {
        this.source = source;
        this.target = target;
        this.schema = schema;
        this.maxDifferences = maxDifferences;
        this.exclusions = exclusions;
    }

    public VerifyReport run() {
        long t0 = System.nanoTime();
        try (Connection sq = source.openReadOnly(); Connection pgc = target.connect("replicator-verify")) {
            try (Statement s = sq.createStatement()) {
                s.execute("BEGIN");
            }
            exclude = exclusions.read(sq);
            Plan plan = Planner.plan(source.path().toString(), sq, SchemaReader.read(sq),
                    new PlanOptions(schema, Map.of(), io.replicator.core.types.ConflictPolicy.WIDEN), true); // names and keys only: types come from PostgreSQL
            pgc.setAutoCommit(false);
            try (Statement s = pgc.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            List<VerifyReport.TableResult> results = new ArrayList<>();
            for (TablePlan t : plan.tables()) results.add(verifyTable(sq, pgc, t));
            pgc.commit();
            boolean equal = results.stream().allMatch(VerifyReport.TableResult::equal);
            return new VerifyReport(source.path().toString(), target.redacted(), schema, equal, (System.nanoTime() - t0) / 1e9, results);
        } catch (SQLException e) {
            throw io.replicator.core.PostgresErrors.wrap("verification failed", e, target);
        }
    }

    private VerifyReport.TableResult verifyTable(Connection sq, Connection pgc, TablePlan t) throws SQLException {
        long t0 = System.nanoTime();
        Map<String, PgType> pgTypes = columnTypes(pgc, t.pgName());
        if (pgTypes.isEmpty()) {
            return new VerifyReport.TableResult(t.source().name(), t.pgName(), t.rows(), 0, t.rows(), null, 0, List.of(),
                    "table " + schema + "." + t.pgName() + " does not exist in PostgreSQL", 0);
        }
        List<PgType> types = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (ColumnPlan c : t.columns()) {
            PgType ty = pgTypes.get(c.pgName());
            if (ty == null) missing.add(c.pgName());
            types.add(ty);
        }
        if (t.rowidPgColumn() != null && !pgTypes.containsKey(t.rowidPgColumn())) missing.add(t.rowidPgColumn());
        if (!missing.isEmpty()) {
            return new VerifyReport.TableResult(t.source().name(), t.pgName(), t.rows(), -1, t.rows(), null, 0, List.of(),
                    "PostgreSQL table " + t.pgName() + " lacks column(s) " + missing, 0);
        }
        int buckets = bucketCount(t.rows());
        Side a = new Side(buckets);
        Side b = new Side(buckets);
        Set<ByteBuffer> ex = excludedKeys(t, types);
        a.exclude = ex;
        b.exclude = ex;
        bothSides(() -> scanSqlite(sq, t, types, a, null, null), () -> scanPostgres(pgc, t, types, b, null, null));
        List<Integer> differing = new ArrayList<>();
        for (int i = 0; i < buckets; i++) {
            if (a.count[i] != b.count[i] || a.sumA[i] != b.sumA[i] || a.sumB[i] != b.sumB[i]) differing.add(i);
        }
        long diffKeys = 0;
        List<VerifyReport.Difference> diffs = new ArrayList<>();
        if (!differing.isEmpty()) {
            boolean[] want = new boolean[buckets];
            for (int i : differing) want[i] = true;
            Map<ByteBuffer, Row> left = new HashMap<>();
            Map<ByteBuffer, Row> right = new HashMap<>();
            Side a2 = new Side(buckets);
            Side b2 = new Side(buckets);
            a2.exclude = ex;
            b2.exclude = ex;
            bothSides(() -> scanSqlite(sq, t, types, a2, want, left), () -> scanPostgres(pgc, t, types, b2, want, right));
            for (Map.Entry<ByteBuffer, Row> e : left.entrySet()) {
                Row r = right.get(e.getKey());
                if (r == null) {
                    diffKeys++;
                    if (diffs.size() < maxDifferences) diffs.add(new VerifyReport.Difference("missing", e.getValue().key, e.getValue().display, null));
                } else if (r.hashA != e.getValue().hashA || r.hashB != e.getValue().hashB) {
                    diffKeys++;
                    if (diffs.size() < maxDifferences) diffs.add(new VerifyReport.Difference("changed", e.getValue().key, e.getValue().display, r.display));
                }
            }
            for (Map.Entry<ByteBuffer, Row> e : right.entrySet()) {
                if (!left.containsKey(e.getKey())) {
                    diffKeys++;
                    if (diffs.size() < maxDifferences) diffs.add(new VerifyReport.Difference("extra", e.getValue().key, null, e.getValue().display));
                }
            }
            if (diffKeys == 0) diffKeys = differing.size(); // duplicate keys on one side: still a difference
        }
        long sumA = 0, sumB = 0;
        for (int i = 0; i < buckets; i++) {
            sumA += a.sumA[i];
            sumB += a.sumB[i];
        }
        return new VerifyReport.TableResult(t.source().name(), t.pgName(), a.rows, b.rows, diffKeys,
                String.format("%016x%016x", sumA, sumB), (System.nanoTime() - t0) / 1e9, diffs, null, a.skipped);
    }

    /** The canonical key bytes of the rows to leave out of {@code t}, or null when there are none. */
    private Set<ByteBuffer> excludedKeys(TablePlan t, List<PgType> types) {
        List<List<io.replicator.core.event.SqliteValue>> keys = exclude.get(t.source().name());
        if (keys == null || keys.isEmpty()) return null;
        int[] keyPos = keyPositions(t);
        Set<ByteBuffer> out = new java.util.HashSet<>();
        RowHasher h = new RowHasher();
        for (List<io.replicator.core.event.SqliteValue> k : keys) {
            h.reset();
            try {
                if (t.rowidPgColumn() != null) {
                    h.key(PgType.BIGINT, k.get(0).asLong());
                } else {
                    if (k.size() < keyPos.length) continue;
                    for (int i = 0; i < keyPos.length; i++) h.key(types.get(keyPos[i]), io.replicator.core.codec.ValueConverter.from(types.get(keyPos[i]), k.get(i)));
                }
                out.add(ByteBuffer.wrap(h.keyBytes()));
            } catch (ConversionException | RuntimeException e) {
                // a key PostgreSQL cannot hold: its row is compared, and reported if it differs
            }
        }
        return out;
    }

    private interface Scan {
        void run() throws SQLException;
    }

    /** Reads SQLite here and PostgreSQL on another thread at the same time (each side has its own connection and state). */
    private static void bothSides(Scan sqlite, Scan postgres) throws SQLException {
        java.util.concurrent.FutureTask<Void> pg = new java.util.concurrent.FutureTask<>(() -> {
            postgres.run();
            return null;
        });
        Thread th = new Thread(pg, "verify-postgres");
        th.start();
        try {
            sqlite.run();
        } finally {
            try {
                pg.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while reading PostgreSQL", e);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof SQLException se) throw se;
                if (e.getCause() instanceof RuntimeException re) throw re;
                throw new SQLException(e.getCause());
            }
        }
    }

    private static int bucketCount(long rows) {
        long want = Math.max(1, Math.min(65536, rows / 64));
        return Integer.highestOneBit((int) want);
    }

    /** A type this tool does not create is compared by its text form. */
    private Map<String, PgType> columnTypes(Connection pgc, String table) throws SQLException {
        return io.replicator.snapshot.schema.PgCatalog.columnTypes(pgc, schema, table, PgType.TEXT);
    }

    private static final class Side {
        final long[] count;
        final long[] sumA;
        final long[] sumB;
        long rows;
        long skipped;
        Set<ByteBuffer> exclude;

        Side(int buckets) {
            count = new long[buckets];
            sumA = new long[buckets];
            sumB = new long[buckets];
        }
    }

    private record Row(String key, String display, long hashA, long hashB) {}

    private void scanSqlite(Connection sq, TablePlan t, List<PgType> types, Side side, boolean[] want, Map<ByteBuffer, Row> keep) throws SQLException {
        int offset = t.rowidOffset();
        int[] keyPos = keyPositions(t);
        RowHasher h = new RowHasher();
        try (Statement s = sq.createStatement(); ResultSet rs = s.executeQuery(t.sqliteSelect())) {
            Object[] values = new Object[types.size()];
            String[] raw = new String[types.size()];
            while (rs.next()) {
                h.reset();
                for (int i = 0; i < types.size(); i++) {
                    raw[i] = null;
                    try {
                        values[i] = SqliteValueReader.read(rs, i + 1 + offset, types.get(i));
                    } catch (ConversionException e) {
                        values[i] = null;
                        raw[i] = SqliteValueReader.display(rs, i + 1 + offset);
                    }
                }
                Long rowid = offset == 1 ? rs.getLong(1) : null;
                accumulate(t, types, keyPos, h, values, raw, rowid, side, want, keep);
            }
        }
    }

    private void scanPostgres(Connection pgc, TablePlan t, List<PgType> types, Side side, boolean[] want, Map<ByteBuffer, Row> keep) throws SQLException {
        int offset = t.rowidOffset();
        int[] keyPos = keyPositions(t);
        RowHasher h = new RowHasher();
        try (Statement s = pgc.createStatement()) {
            s.setFetchSize(10_000);
            try (ResultSet rs = s.executeQuery("SELECT " + String.join(", ", t.pgColumns()) + " FROM " + pg(schema, t.pgName()))) {
                Object[] values = new Object[types.size()];
                String[] raw = new String[types.size()];
                while (rs.next()) {
                    h.reset();
                    for (int i = 0; i < types.size(); i++) values[i] = PgValueReader.read(rs, i + 1 + offset, types.get(i));
                    Long rowid = offset == 1 ? rs.getLong(1) : null;
                    accumulate(t, types, keyPos, h, values, raw, rowid, side, want, keep);
                }
            }
        }
    }

    /** Positions of key columns among {@code t.columns()}, or empty when the key is the rowid. */
    private static int[] keyPositions(TablePlan t) {
        if (t.rowidPgColumn() != null) return new int[0];
        int[] pos = new int[t.keyPgColumns().size()];
        for (int k = 0; k < pos.length; k++) {
            for (int i = 0; i < t.columns().size(); i++) if (t.columns().get(i).pgName().equals(t.keyPgColumns().get(k))) pos[k] = i;
        }
        return pos;
    }

    private static void accumulate(TablePlan t, List<PgType> types, int[] keyPos, RowHasher h, Object[] values, String[] raw, Long rowid,
                                   Side side, boolean[] want, Map<ByteBuffer, Row> keep) {
        StringBuilder keyText = keep == null ? null : new StringBuilder();
        if (rowid != null) {
            h.key(PgType.BIGINT, rowid);
            if (keyText != null) keyText.append("rowid=").append(rowid);
        }
        for (int k : keyPos) {
            h.key(types.get(k), values[k]);
            if (keyText != null) {
                if (keyText.length() > 0) keyText.append(", ");
                keyText.append(t.columns().get(k).source().name()).append('=')
                        .append(raw[k] != null ? raw[k] : Canonical.display(types.get(k), values[k]));
            }
        }
        if (side.exclude != null && side.exclude.contains(ByteBuffer.wrap(h.keyBytes()))) {
            side.skipped++;
            return;
        }
        for (int i = 0; i < values.length; i++) {
            if (raw[i] != null) h.unconvertible(raw[i]);
            else h.column(types.get(i), values[i]);
        }
        int b = (int) (h.keyHash() & (side.count.length - 1));
        long[] rh = h.rowHash();
        side.rows++;
        side.count[b]++;
        side.sumA[b] += rh[0];
        side.sumB[b] += rh[1];
        if (want != null && want[b] && keep.size() < PASS2_ROW_LIMIT) {
            StringBuilder d = new StringBuilder();
            for (int i = 0; i < values.length; i++) {
                if (i > 0) d.append(", ");
                d.append(t.columns().get(i).source().name()).append('=')
                        .append(raw[i] != null ? raw[i] + " (cannot be " + types.get(i).sql() + ")" : Canonical.display(types.get(i), values[i]));
            }
            keep.put(ByteBuffer.wrap(h.keyBytes()), new Row(keyText.toString(), d.toString(), rh[0], rh[1]));
        }
    }
}

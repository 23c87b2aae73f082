package io.replicator.verify;

import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.core.codec.ConversionException;
import io.replicator.core.codec.ValueConverter;
import io.replicator.core.event.SqliteValue;
import io.replicator.translate.types.ConflictPolicy;
import io.replicator.core.types.PgType;
import io.replicator.translate.plan.ColumnPlan;
import io.replicator.translate.plan.Plan;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.translate.plan.Planner;
import io.replicator.translate.plan.TablePlan;
import io.replicator.translate.schema.PgCatalog;
import io.replicator.translate.schema.SchemaReader;
import io.replicator.core.sqlite.SqliteSource;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.replicator.core.Identifiers.pg;

/**
 * Compares every table of a SQLite file with its copy in PostgreSQL, value by value in canonical form.
 * <p>Each table is cut into chunks (ranges of its integer key, else buckets of its key's hash). Pass 1: PostgreSQL
 * computes every chunk's row count and XOR of row digests itself ({@link DigestSql}) — its rows never travel —
 * while this process digests SQLite's rows the same way ({@link RowDigest}); all tables' PostgreSQL queries run
 * on their own thread, at the same time as the SQLite reads. Pass 2 re-reads only the chunks that differ, on both
 * sides, and names the differing keys with both values. SQLite values are converted to the PostgreSQL column's
 * actual type with the converter the copy uses; a value that cannot be converted never compares equal.
 * <p>Both sides are read from one consistent state each: one SQLite read transaction, one PostgreSQL
 * REPEATABLE READ transaction.
 */
public final class Verifier {
    /** Differing chunks re-read per table to name keys; more are counted, not named. */
    private static final int PASS2_CHUNK_LIMIT = 64;
    /**
     * Threads converting and digesting SQLite's rows, beside the one reading them. As many as cores: the reader
     * mostly waits in SQLite and PostgreSQL digests in its own process, so the digest is the longest path.
     */
    private static final int WORKERS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    /** Rows kept per side in pass 2. */
    private static final int PASS2_ROW_LIMIT = 200_000;

    /** Reads, inside the verification's own SQLite read transaction, the keys to leave out per SQLite table. */
    public interface Exclusions {
        Map<String, List<List<SqliteValue>>> read(Connection sqliteInReadTransaction) throws SQLException;
    }

    private final SqliteSource source;
    private final PostgresUrl target;
    private final String schema;
    private final int maxDifferences;
    private final Exclusions exclusions;
    private final int sampleChunks;

    public Verifier(SqliteSource source, PostgresUrl target, String schema, int maxDifferences) {
        this(source, target, schema, maxDifferences, c -> Map.of(), 0);
    }

    /**
     * @param exclusions   keys left out on both sides (as the changelog holds them): rows changed after the
     *                     position PostgreSQL is held at, for verification while writes continue
     * @param sampleChunks 0 to compare every row; else, for each table with an integer key bigger than that many
     *                     chunks, compare the row counts and only that many chunks, chosen at random
     */
    public Verifier(SqliteSource source, PostgresUrl target, String schema, int maxDifferences, Exclusions exclusions, int sampleChunks) {
        if (sampleChunks < 0) throw new IllegalArgumentException("sampleChunks must be >= 0");
        this.source = source;
        this.target = target;
        this.schema = schema;
        this.maxDifferences = maxDifferences;
        this.exclusions = exclusions;
        this.sampleChunks = sampleChunks;
    }

    public VerifyReport run() {
        long t0 = System.nanoTime();
        ExecutorService pgThread = Executors.newSingleThreadExecutor(r -> {
            Thread th = new Thread(r, "verify-postgres");
            th.setDaemon(true);
            return th;
        });
        try (Connection sq = source.openReadOnly(); Connection pgc = target.connect("replicator-verify")) {
            try (Statement s = sq.createStatement()) {
                s.execute("BEGIN");
            }
            Map<String, List<List<SqliteValue>>> exclude = exclusions.read(sq);
            Plan plan = Planner.plan(source.path().toString(), sq, SchemaReader.read(sq),
                    new PlanOptions(schema, Map.of(), ConflictPolicy.WIDEN), true); // names and keys only: types come from PostgreSQL
            pgc.setAutoCommit(false);
            try (Statement s = pgc.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            requireServer(pgc);

            List<Table> tables = new ArrayList<>();
            Map<String, VerifyReport.TableResult> results = new LinkedHashMap<>();
            for (TablePlan t : plan.tables()) {
                results.put(t.source().name(), null);
                Table tb = prepare(sq, pgc, t, exclude.get(t.source().name()));
                if (tb.error != null) results.put(t.source().name(), tb.error);
                else tables.add(tb);
            }
            // every table's PostgreSQL pass 1 on one thread, while this one reads SQLite
            for (Table tb : tables) tb.pgSums = pgThread.submit(() -> tb.pg.sums(pgc, tb.pgWhere));
            for (Table tb : tables) {
                long s0 = System.nanoTime();
                tb.sqSums = tb.sq.sums(sq, tb.sqWhere, WORKERS);
                tb.sqliteSeconds = (System.nanoTime() - s0) / 1e9;
            }
            for (Table tb : tables) results.put(tb.spec.plan().source().name(), finish(sq, pgc, tb));
            pgc.commit();
            List<VerifyReport.TableResult> list = new ArrayList<>(results.values());
            boolean equal = list.stream().allMatch(VerifyReport.TableResult::equal);
            return new VerifyReport(source.path().toString(), target.redacted(), schema, equal, (System.nanoTime() - t0) / 1e9, list);
        } catch (SQLException e) {
            throw io.replicator.core.PostgresErrors.wrap("verification failed", e, target);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ReplicatorException.runtime("verification interrupted", e);
        } finally {
            pgThread.shutdownNow();
        }
    }

    /** One table being compared. */
    private static final class Table {
        TableSpec spec;
        SqliteScan sq;
        PostgresScan pg;
        String sqWhere;
        String pgWhere;
        String sample;
        double sqliteSeconds;
        Future<ChunkSums> pgSums;
        ChunkSums sqSums;
        VerifyReport.TableResult error;
    }

    private static void requireServer(Connection pgc) throws SQLException {
        try (Statement s = pgc.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int, current_setting('server_version'), current_setting('server_encoding')")) {
            rs.next();
            if (rs.getInt(1) < 140000) {
                throw ReplicatorException.config("verify computes checksums inside PostgreSQL with functions of version 14 or newer; this server is "
                        + rs.getString(2) + ". Compare on a newer server, or skip verification (cutover --verify=none).");
            }
            if (!"UTF8".equals(rs.getString(3))) {
                throw ReplicatorException.config("verify needs a UTF8 database (this one is " + rs.getString(3) + ")");
            }
        }
    }

    private Table prepare(Connection sq, Connection pgc, TablePlan t, List<List<SqliteValue>> excludedKeys) throws SQLException {
        Table tb = new Table();
        Map<String, PgType> pgTypes = PgCatalog.columnTypes(pgc, schema, t.pgName(), PgType.TEXT); // other types compare by their text
        String name = t.source().name();
        if (pgTypes.isEmpty()) {
            tb.error = VerifyReport.TableResult.failed(name, t.pgName(), t.rows(), 0, "table " + schema + "." + t.pgName() + " does not exist in PostgreSQL");
            return tb;
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
            tb.error = VerifyReport.TableResult.failed(name, t.pgName(), t.rows(), -1, "PostgreSQL table " + t.pgName() + " lacks column(s) " + missing);
            return tb;
        }
        int[] keyPos = t.keyColumnPositions();
        Chunking chunking = chunking(sq, t, types, keyPos);
        Set<ByteBuffer> excluded = new HashSet<>();
        Set<Long> tainted = new HashSet<>();
        excluded(t, types, keyPos, chunking, excludedKeys, excluded, tainted);
        tb.spec = new TableSpec(t, types, keyPos, chunking, excluded.isEmpty() ? null : excluded, tainted);
        tb.sq = new SqliteScan(tb.spec);
        tb.pg = new PostgresScan(tb.spec, schema);
        String sqCol = tb.spec.sqliteRangeColumn();
        if (sampleChunks > 0 && sqCol != null && t.rows() > (long) sampleChunks * Chunking.TARGET_ROWS) {
            long[] mm = minMax(sq, t, sqCol);
            long first = mm[0] >> chunking.shift();
            long last = mm[1] >> chunking.shift();
            TreeSet<Long> pick = new TreeSet<>();
            Random r = new Random();
            long span = last - first + 1;
            while (pick.size() < Math.min(sampleChunks, span)) pick.add(first + (long) (r.nextDouble() * span));
            pick.addAll(tainted);
            tb.sqWhere = chunking.rangesWhere(sqCol, pick);
            tb.pgWhere = chunking.rangesWhere(pg(chunking.intKeyColumn()), pick);
            tb.sample = pick.size() + " of " + span + " chunks";
        }
        return tb;
    }

    /** Ranges of the integer key when there is one (rowid, or one integer column) and SQLite holds integers there; else hash buckets. */
    private static Chunking chunking(Connection sq, TablePlan t, List<PgType> types, int[] keyPos) throws SQLException {
        String col = null;
        String pgCol = null;
        if (t.rowidPgColumn() != null) {
            col = t.rowidSelect();
            pgCol = t.rowidPgColumn();
        } else if (keyPos.length == 1 && switch (types.get(keyPos[0]).kind()) { case SMALLINT, INTEGER, BIGINT -> true; default -> false; }) {
            col = io.replicator.core.Identifiers.sqlite(t.columns().get(keyPos[0]).source().name());
            pgCol = t.columns().get(keyPos[0]).pgName();
        }
        if (col != null) {
            long[] mm = minMax(sq, t, col);
            if (mm != null) return Chunking.ranges(pgCol, mm[0], mm[1], t.rows());
        }
        return Chunking.hashed(t.rows());
    }

    /** min and max of an integer column, or null when the table is empty or holds something else there. */
    private static long[] minMax(Connection sq, TablePlan t, String col) throws SQLException {
        try (Statement s = sq.createStatement();
             ResultSet rs = s.executeQuery("SELECT min(" + col + "), max(" + col + "), typeof(min(" + col + ")), typeof(max(" + col + ")) FROM "
                     + io.replicator.core.Identifiers.sqlite(t.source().name()))) {
            if (!rs.next() || !"integer".equals(rs.getString(3)) || !"integer".equals(rs.getString(4))) return null;
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    /** The key texts of the rows to leave out, and the chunks they fall in. */
    private static void excluded(TablePlan t, List<PgType> types, int[] keyPos, Chunking chunking, List<List<SqliteValue>> keys,
                                 Set<ByteBuffer> excluded, Set<Long> tainted) {
        if (keys == null) return;
        RowDigest d = new RowDigest();
        for (List<SqliteValue> k : keys) {
            d.reset();
            Long intKey = null;
            try {
                if (t.rowidPgColumn() != null) {
                    intKey = k.get(0).asLong();
                    d.key(PgType.BIGINT, intKey);
                } else {
                    if (k.size() < keyPos.length) continue;
                    for (int i = 0; i < keyPos.length; i++) {
                        Object v = ValueConverter.from(types.get(keyPos[i]), k.get(i));
                        d.key(types.get(keyPos[i]), v);
                        if (keyPos.length == 1 && v instanceof Long l) intKey = l;
                    }
                }
            } catch (ConversionException | RuntimeException e) {
                continue; // a key PostgreSQL cannot hold: its row is compared, and reported if it differs
            }
            excluded.add(ByteBuffer.wrap(d.keyBytes()));
            tainted.add(chunking.chunkOf(intKey, d));
        }
    }

    private VerifyReport.TableResult finish(Connection sq, Connection pgc, Table tb) throws SQLException, InterruptedException {
        long f0 = System.nanoTime();
        ChunkSums pgSums;
        try {
            pgSums = tb.pgSums.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException se) throw se;
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new SQLException(e.getCause());
        }
        TableSpec spec = tb.spec;
        TablePlan t = spec.plan();
        TreeSet<Long> differing = tb.sqSums.differing(pgSums);
        differing.removeAll(spec.tainted());
        TreeSet<Long> wanted = new TreeSet<>(spec.tainted());
        for (Long c : differing) {
            if (wanted.size() >= spec.tainted().size() + PASS2_CHUNK_LIMIT) break;
            wanted.add(c);
        }
        long diffKeys = 0;
        long[] skippedSq = {0};
        long[] skippedPg = {0};
        Set<Long> chunksWithDiffs = new HashSet<>();
        List<VerifyReport.Difference> diffs = new ArrayList<>();
        if (!wanted.isEmpty()) {
            Map<ByteBuffer, RowEntry> left = new HashMap<>();
            Map<ByteBuffer, RowEntry> right = new HashMap<>();
            tb.sq.rows(sq, wanted, left, PASS2_ROW_LIMIT, skippedSq);
            tb.pg.rows(pgc, wanted, right, PASS2_ROW_LIMIT, skippedPg);
            for (Map.Entry<ByteBuffer, RowEntry> e : left.entrySet()) {
                RowEntry l = e.getValue();
                RowEntry r = right.get(e.getKey());
                if (r == null || !r.digest().equals(l.digest())) {
                    diffKeys++;
                    chunksWithDiffs.add(l.chunk());
                    if (diffs.size() < maxDifferences) {
                        diffs.add(r == null ? new VerifyReport.Difference("missing", l.key(), l.display(), null)
                                : new VerifyReport.Difference("changed", l.key(), l.display(), r.display()));
                    }
                }
            }
            for (Map.Entry<ByteBuffer, RowEntry> e : right.entrySet()) {
                if (!left.containsKey(e.getKey())) {
                    diffKeys++;
                    chunksWithDiffs.add(e.getValue().chunk());
                    if (diffs.size() < maxDifferences) diffs.add(new VerifyReport.Difference("extra", e.getValue().key(), null, e.getValue().display()));
                }
            }
        }
        // a differing chunk whose rows could not be told apart (say, a duplicated key on one side) still differs
        for (Long c : differing) chunksWithDiffs.add(c);
        long sqRows, pgRows;
        if (tb.sample != null) {
            sqRows = count(sq, t) - skippedSq[0];
            pgRows = tb.pg.count(pgc) - skippedPg[0];
        } else {
            sqRows = tb.sqSums.rows - skippedSq[0];
            pgRows = pgSums.rows - skippedPg[0];
        }
        if (diffKeys == 0 && !chunksWithDiffs.isEmpty()) diffKeys = chunksWithDiffs.size();
        long chunks = tb.sqSums.size() + differingOnlyInPg(tb.sqSums, pgSums);
        return new VerifyReport.TableResult(t.source().name(), t.pgName(), sqRows, pgRows, diffKeys, tb.sqSums.checksum(),
                tb.sqliteSeconds + (System.nanoTime() - f0) / 1e9, diffs, null, skippedSq[0], chunks, chunksWithDiffs.size(), tb.sample);
    }

    private static long differingOnlyInPg(ChunkSums sq, ChunkSums pg) {
        return pg.differing(sq).stream().filter(c -> sq.count(c) == 0).count();
    }

    private static long count(Connection sq, TablePlan t) throws SQLException {
        try (Statement s = sq.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + io.replicator.core.Identifiers.sqlite(t.source().name()))) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

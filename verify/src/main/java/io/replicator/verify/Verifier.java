package io.replicator.verify;

import io.replicator.core.PostgresErrors;
import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.core.event.SqliteValue;
import io.replicator.translate.types.ConflictPolicy;
import io.replicator.translate.plan.Plan;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.translate.plan.Planner;
import io.replicator.translate.plan.TablePlan;
import io.replicator.translate.schema.SchemaReader;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.state.SnapshotState;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

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
 * <p>This class holds the transactions and orders the work; per table, {@link TableSetup} prepares pass 1,
 * {@link TableOutcome} turns its sums into the reported result, running pass 2 ({@link RowComparison}).
 */
public final class Verifier {
    /**
     * Threads converting and digesting SQLite's rows, beside the one reading them. As many as cores: the reader
     * mostly waits in SQLite and PostgreSQL digests in its own process, so the digest is the longest path.
     */
    private static final int WORKERS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

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

            SnapshotState.Run run = SnapshotState.existingRun(pgc, schema);
            PlanOptions stored = PlanOptions.fromJson(schema, run == null ? null : run.optionsJson()); // --round-to-scale compares rounded
            List<ComparedTable> tables = new ArrayList<>();
            Map<String, VerifyReport.TableResult> results = new LinkedHashMap<>();
            for (TablePlan t : plan.tables()) {
                results.put(t.source().name(), null);
                ComparedTable tb = TableSetup.prepare(sq, pgc, schema, t, stored, exclude.get(t.source().name()), sampleChunks);
                if (tb.error != null) results.put(t.source().name(), tb.error);
                else tables.add(tb);
            }
            // every table's PostgreSQL pass 1 on one thread, while this one reads SQLite
            for (ComparedTable tb : tables) tb.pgSums = pgThread.submit(() -> tb.pg.sums(pgc, tb.pgWhere));
            for (ComparedTable tb : tables) {
                long s0 = System.nanoTime();
                tb.sqSums = tb.sq.sums(sq, tb.sqWhere, WORKERS);
                tb.sqliteSeconds = (System.nanoTime() - s0) / 1e9;
            }
            for (ComparedTable tb : tables) results.put(tb.spec.plan().source().name(), TableOutcome.of(sq, pgc, tb, maxDifferences));
            pgc.commit();
            List<VerifyReport.TableResult> list = new ArrayList<>(results.values());
            boolean equal = list.stream().allMatch(VerifyReport.TableResult::equal);
            return new VerifyReport(source.path().toString(), target.redacted(), schema, equal, (System.nanoTime() - t0) / 1e9, list);
        } catch (SQLException e) {
            throw PostgresErrors.wrap("verification failed", e, target);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ReplicatorException.runtime("verification interrupted", e);
        } finally {
            pgThread.shutdownNow();
        }
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
}

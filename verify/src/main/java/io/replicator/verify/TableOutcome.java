package io.replicator.verify;

import io.replicator.core.Identifiers;
import io.replicator.translate.plan.TablePlan;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;

/**
 * Turns one table's pass 1 into its reported result: compares both sides' chunk sums, sends the differing chunks
 * (at most {@value #PASS2_CHUNK_LIMIT}, plus every chunk tainted by a left-out key) to pass 2
 * ({@link RowComparison}), and counts rows, chunks and differences. A differing chunk whose rows pass 2 could not
 * tell apart (say, a duplicated key on one side) still counts as differing, so the result is never "equal" by
 * omission.
 */
final class TableOutcome {
    /** Differing chunks re-read per table to name keys; more are counted, not named. */
    private static final int PASS2_CHUNK_LIMIT = 64;

    private TableOutcome() {}

    /** Waits for the table's PostgreSQL sums, then compares; the time spent here is added to the SQLite read's. */
    static VerifyReport.TableResult of(Connection sq, Connection pgc, ComparedTable tb, int maxDifferences) throws SQLException, InterruptedException {
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
        RowComparison pass2 = RowComparison.of(sq, pgc, tb, wanted, maxDifferences);
        long diffKeys = pass2.differingKeys;
        Set<Long> chunksWithDiffs = pass2.chunksWithDiffs;
        // a differing chunk whose rows could not be told apart (say, a duplicated key on one side) still differs
        for (Long c : differing) chunksWithDiffs.add(c);
        long sqRows, pgRows;
        if (tb.sample != null) {
            sqRows = count(sq, t) - pass2.skippedSqlite[0];
            pgRows = tb.pg.count(pgc) - pass2.skippedPostgres[0];
        } else {
            sqRows = tb.sqSums.rows - pass2.skippedSqlite[0];
            pgRows = pgSums.rows - pass2.skippedPostgres[0];
        }
        if (diffKeys == 0 && !chunksWithDiffs.isEmpty()) diffKeys = chunksWithDiffs.size();
        long chunks = tb.sqSums.size() + differingOnlyInPg(tb.sqSums, pgSums);
        return new VerifyReport.TableResult(t.source().name(), t.pgName(), sqRows, pgRows, diffKeys, tb.sqSums.checksum(),
                tb.sqliteSeconds + (System.nanoTime() - f0) / 1e9, pass2.differences, null, pass2.skippedSqlite[0], chunks,
                chunksWithDiffs.size(), tb.sample);
    }

    private static long differingOnlyInPg(ChunkSums sq, ChunkSums pg) {
        return pg.differing(sq).stream().filter(c -> sq.count(c) == 0).count();
    }

    private static long count(Connection sq, TablePlan t) throws SQLException {
        try (Statement s = sq.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + Identifiers.sqlite(t.source().name()))) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

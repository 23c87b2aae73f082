package io.replicator.verify;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pass 2 of one table: re-reads the chosen chunks on both sides, pairs rows by key and names each differing key
 * with both values (missing in PostgreSQL, extra there, or changed). Memory is bounded: at most
 * {@value #ROW_LIMIT} rows are kept per side, and at most {@code maxDifferences} differences are named; every
 * differing key is counted all the same.
 */
final class RowComparison {
    /** Rows kept per side in pass 2. */
    private static final int ROW_LIMIT = 200_000;

    /** Keys that differ (named or not). */
    long differingKeys;
    /** Chunks in which a differing key was found. */
    final Set<Long> chunksWithDiffs = new HashSet<>();
    /** The differences named, at most {@code maxDifferences}. */
    final List<VerifyReport.Difference> differences = new ArrayList<>();
    /** Rows left out (excluded keys) while re-reading, per side. */
    final long[] skippedSqlite = {0};
    final long[] skippedPostgres = {0};

    private RowComparison() {}

    /** Compares the rows of {@code chunks}; with no chunks, reads nothing and finds nothing. */
    static RowComparison of(Connection sq, Connection pgc, ComparedTable tb, Set<Long> chunks, int maxDifferences) throws SQLException {
        RowComparison r = new RowComparison();
        if (chunks.isEmpty()) return r;
        Map<ByteBuffer, RowEntry> left = new HashMap<>();
        Map<ByteBuffer, RowEntry> right = new HashMap<>();
        tb.sq.rows(sq, chunks, left, ROW_LIMIT, r.skippedSqlite);
        tb.pg.rows(pgc, chunks, right, ROW_LIMIT, r.skippedPostgres);
        for (Map.Entry<ByteBuffer, RowEntry> e : left.entrySet()) {
            RowEntry l = e.getValue();
            RowEntry p = right.get(e.getKey());
            if (p == null || !p.digest().equals(l.digest())) {
                r.differingKeys++;
                r.chunksWithDiffs.add(l.chunk());
                if (r.differences.size() < maxDifferences) {
                    r.differences.add(p == null ? new VerifyReport.Difference("missing", l.key(), l.display(), null)
                            : new VerifyReport.Difference("changed", l.key(), l.display(), p.display()));
                }
            }
        }
        for (Map.Entry<ByteBuffer, RowEntry> e : right.entrySet()) {
            if (!left.containsKey(e.getKey())) {
                r.differingKeys++;
                r.chunksWithDiffs.add(e.getValue().chunk());
                if (r.differences.size() < maxDifferences) r.differences.add(new VerifyReport.Difference("extra", e.getValue().key(), null, e.getValue().display()));
            }
        }
        return r;
    }
}

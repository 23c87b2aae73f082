package io.replicator.verify;

import java.util.concurrent.Future;

/**
 * One table being compared, from its setup ({@link TableSetup}) through pass 1 (the chunk sums of both sides)
 * to its outcome ({@link TableOutcome}). Either {@code error} is set and nothing else (the table cannot be
 * compared), or {@code spec}, both scans and the where clauses are (null where: every row). Filled by one
 * thread; only {@code pgSums} is computed on the PostgreSQL thread, and read through its future.
 */
final class ComparedTable {
    TableSpec spec;
    SqliteScan sq;
    PostgresScan pg;
    /** Pass 1's row filter on each side: null for every row, else the sampled chunks. */
    String sqWhere;
    String pgWhere;
    /** Null when every row is compared, else what is: "16 of 366 chunks". */
    String sample;
    double sqliteSeconds;
    Future<ChunkSums> pgSums;
    ChunkSums sqSums;
    VerifyReport.TableResult error;
}

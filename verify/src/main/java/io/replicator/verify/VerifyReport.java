package io.replicator.verify;

import java.util.List;

/** Result of comparing SQLite and PostgreSQL, per table; {@code equal} only when every table matches. */
public record VerifyReport(String sqlite, String postgres, String schema, boolean equal, double seconds, List<TableResult> tables) {

    /**
     * @param chunks          chunks compared (key ranges, or key-hash buckets for tables without an integer key)
     * @param differingChunks chunks whose rows differ
     * @param sample          null when every row was compared, else what was: "16 of 366 chunks"
     * @param notCompared     rows left out on both sides because they changed after PostgreSQL's held position
     */
    public record TableResult(String source, String table, long sqliteRows, long postgresRows, long differingKeys,
                              String checksum, double seconds, List<Difference> differences, String error, long notCompared,
                              long chunks, long differingChunks, String sample) {
        public boolean equal() {
            return error == null && differingKeys == 0 && differingChunks == 0 && sqliteRows == postgresRows;
        }

        static TableResult failed(String source, String table, long sqliteRows, long postgresRows, String error) {
            return new TableResult(source, table, sqliteRows, postgresRows, Math.max(1, sqliteRows), null, 0, List.of(), error, 0, 0, 0, null);
        }
    }

    /** kind: missing (in SQLite only), extra (in PostgreSQL only), changed (both, different values). */
    public record Difference(String kind, String key, String sqlite, String postgres) {}
}

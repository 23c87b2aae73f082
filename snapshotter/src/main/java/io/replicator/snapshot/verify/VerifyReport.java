package io.replicator.snapshot.verify;

import java.util.List;

/** Result of comparing SQLite and PostgreSQL, per table; {@code equal} only when every table matches. */
public record VerifyReport(String sqlite, String postgres, String schema, boolean equal, double seconds, List<TableResult> tables) {

    public record TableResult(String source, String table, long sqliteRows, long postgresRows, long differingKeys,
                              String checksum, double seconds, List<Difference> differences, String error, long notCompared) {
        public boolean equal() {
            return error == null && differingKeys == 0 && sqliteRows == postgresRows;
        }
    }

    /** kind: missing (in SQLite only), extra (in PostgreSQL only), changed (both, different values). */
    public record Difference(String kind, String key, String sqlite, String postgres) {}
}

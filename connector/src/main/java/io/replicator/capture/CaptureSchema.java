package io.replicator.capture;

import io.replicator.core.CaptureNames;

/**
 * Names of everything capture puts into the application's SQLite file. All of it starts with
 * {@code _replicator_}, which the snapshot never copies and {@code uninstall} removes.
 * <p>The changelog is a log of <em>dirty keys</em> in commit order ({@code seq}; SQLite has one writer):
 * which row of which table may have changed. The feed reads each dirty key's current row in the same read
 * transaction as the changelog slice: a row that exists is upserted, a row that does not is deleted. So the
 * {@code op} column is informative only, and a spurious entry (e.g. logged by a BEFORE trigger for an insert
 * that then failed or was ignored) can never make PostgreSQL diverge.
 */
public final class CaptureSchema {
    private CaptureSchema() {}

    public static final String PREFIX = CaptureNames.PREFIX;
    public static final String CHANGELOG = CaptureNames.CHANGELOG;
    public static final String META = CaptureNames.META;
    public static final String CAPTURED = CaptureNames.CAPTURED;
    /** Key columns in the changelog; composite primary keys longer than this are refused. */
    public static final int MAX_KEY_COLUMNS = CaptureNames.MAX_KEY_COLUMNS;
    /** Bumped whenever the trigger or table layout changes. */
    public static final int VERSION = 2;

    /** Changelog op of a schema change of {@code tbl} (no key): the feed publishes the table's definition. */
    public static final String OP_SCHEMA = CaptureNames.OP_SCHEMA;

    /**
     * k1..k8 are declared without a type (BLOB affinity): SQLite stores each key value exactly as the
     * application's table held it, whatever its storage class.
     * <p>{@code seq} is a plain INTEGER PRIMARY KEY, not AUTOINCREMENT (which would leave a row in the
     * application's sqlite_sequence, or create that table, after uninstall). It stays monotonic because
     * pruning never deletes the newest row: a new row always gets max(seq) + 1.
     */
    static String createChangelog() {
        StringBuilder sb = new StringBuilder("CREATE TABLE IF NOT EXISTS " + CHANGELOG
                + " (seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, op TEXT NOT NULL");
        for (int i = 1; i <= MAX_KEY_COLUMNS; i++) sb.append(", k").append(i);
        return sb.append(')').toString();
    }

    static String createMeta() {
        return "CREATE TABLE IF NOT EXISTS " + META + " (name TEXT PRIMARY KEY, value)";
    }

    /**
     * One row per captured table: how its rows are keyed in the changelog, and its columns (a JSON array of
     * [name, declared type]) as they were when capture last looked, to tell what a schema change did.
     */
    static String createCaptured() {
        return "CREATE TABLE IF NOT EXISTS " + CAPTURED + " (tbl TEXT PRIMARY KEY, key_kind TEXT NOT NULL, key_columns TEXT NOT NULL, columns TEXT NOT NULL)";
    }
}

package io.replicator.core;

/**
 * Names of what change capture keeps inside the application's SQLite file. Shared so that the snapshot
 * never copies them and reads the changelog's high-water mark, and online verification reads the changed keys,
 * under the names capture writes.
 */
public final class CaptureNames {
    private CaptureNames() {}

    public static final String PREFIX = "_replicator_";
    public static final String CHANGELOG = PREFIX + "changelog";
    public static final String META = PREFIX + "meta";
    /** The captured tables: name, key columns (comma-separated), columns. */
    public static final String CAPTURED = PREFIX + "captured";
    /** Key columns in the changelog (k1..k8); composite primary keys longer than this are refused. */
    public static final int MAX_KEY_COLUMNS = 8;
    /** Changelog op of a schema change of a table (no key). */
    public static final String OP_SCHEMA = "S";
}

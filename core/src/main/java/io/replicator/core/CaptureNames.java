package io.replicator.core;

/**
 * Names of what change capture keeps inside the application's SQLite file. Shared so that the snapshot
 * never copies them and reads the changelog's high-water mark under the same name capture writes.
 */
public final class CaptureNames {
    private CaptureNames() {}

    public static final String PREFIX = "_replicator_";
    public static final String CHANGELOG = PREFIX + "changelog";
}

package io.replicator.core.model;

/** What a SQLite value really is ({@code typeof()}), whatever its column declares. */
public enum StorageClass {
    NULL, INTEGER, REAL, TEXT, BLOB;

    public static StorageClass ofTypeof(String typeof) {
        return switch (typeof) {
            case "integer" -> INTEGER;
            case "real" -> REAL;
            case "text" -> TEXT;
            case "blob" -> BLOB;
            default -> NULL;
        };
    }
}

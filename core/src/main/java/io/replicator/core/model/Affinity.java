package io.replicator.core.model;

import java.util.Locale;

/** SQLite column affinity, derived from the declared type by SQLite's own rules (datatype3.html, section 3.1). */
public enum Affinity {
    INTEGER, TEXT, BLOB, REAL, NUMERIC;

    public static Affinity of(String declaredType) {
        String t = declaredType == null ? "" : declaredType.toUpperCase(Locale.ROOT);
        if (t.contains("INT")) return INTEGER;
        if (t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT")) return TEXT;
        if (t.contains("BLOB") || t.isBlank()) return BLOB;
        if (t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB")) return REAL;
        return NUMERIC;
    }
}

package io.replicator.core.model;

/**
 * One column of a SQLite table as {@code PRAGMA table_xinfo} describes it.
 *
 * @param pkOrdinal 1-based position in the primary key, 0 when not part of it
 * @param collation declared collation (NOCASE, RTRIM) or null for BINARY
 * @param generated true for generated columns (hidden 2 or 3), which are computed, not copied
 */
public record SqliteColumn(String name, String declaredType, boolean notNull, String defaultSql, int pkOrdinal,
                           String collation, boolean generated) {
    public Affinity affinity() {
        return Affinity.of(declaredType);
    }
}

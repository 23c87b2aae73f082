package io.replicator.core.model;

import java.util.List;

/**
 * An index: explicit ({@code origin = c}) or the one behind a UNIQUE ({@code u}) / PRIMARY KEY ({@code pk})
 * constraint. {@code where} is the partial-index predicate text, null when total; {@code constraintName} the name a
 * UNIQUE or PRIMARY KEY constraint was declared with ({@code CONSTRAINT name UNIQUE (...)}), null when unnamed or
 * for an explicit index.
 */
public record SqliteIndex(String name, boolean unique, String origin, List<IndexedColumn> columns, String where, String constraintName) {
    /** A column of the index, or an expression when {@code name} is null. */
    public record IndexedColumn(String name, boolean descending, String collation) {}

    public boolean hasExpression() {
        return columns.stream().anyMatch(c -> c.name() == null);
    }
}

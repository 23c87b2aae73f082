package io.replicator.translate.types;

import io.replicator.core.types.PgType;

import java.util.List;

/**
 * The decision for one column: its PostgreSQL type, the reasons worth telling the user, and a conflict
 * (values the type cannot hold) or null when every value fits.
 *
 * @param assumed true when the type was taken from the declared type without reading the data first; the
 *                copy checks every value and, on the first one that does not fit, the table is profiled
 *                and copied again with a type decided from the data
 */
public record ColumnMapping(PgType type, List<String> notes, String conflict, boolean assumed) {
    public ColumnMapping(PgType type, List<String> notes, String conflict) {
        this(type, notes, conflict, false);
    }

    public boolean hasConflict() {
        return conflict != null;
    }
}

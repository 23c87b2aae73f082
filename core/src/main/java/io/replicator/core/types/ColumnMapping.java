package io.replicator.core.types;

import java.util.List;

/**
 * The decision for one column: its PostgreSQL type, the reasons worth telling the user, and a conflict
 * (values the type cannot hold) or null when every value fits.
 */
public record ColumnMapping(PgType type, List<String> notes, String conflict) {
    public boolean hasConflict() {
        return conflict != null;
    }
}

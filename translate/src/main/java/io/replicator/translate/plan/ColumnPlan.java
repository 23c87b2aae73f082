package io.replicator.translate.plan;

import io.replicator.core.model.SqliteColumn;
import io.replicator.translate.types.ColumnMapping;
import io.replicator.translate.types.ColumnProfile;
import io.replicator.core.types.PgType;

/**
 * One column's translation: its PostgreSQL name and type, the translated default (null when none), and
 * whether it becomes an identity column (INTEGER PRIMARY KEY).
 */
public record ColumnPlan(SqliteColumn source, String pgName, ColumnMapping mapping, ColumnProfile profile, String pgDefault,
                         boolean identity) {
    public PgType type() {
        return mapping.type();
    }
}

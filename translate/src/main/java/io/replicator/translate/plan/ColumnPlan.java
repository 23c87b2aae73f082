package io.replicator.translate.plan;

import io.replicator.core.codec.ConversionException;
import io.replicator.core.codec.ScaleRounding;
import io.replicator.core.codec.ValueConverter;
import io.replicator.core.event.SqliteValue;
import io.replicator.core.model.SqliteColumn;
import io.replicator.core.types.PgType;
import io.replicator.translate.types.ColumnMapping;
import io.replicator.translate.types.ColumnProfile;

/**
 * One column's translation: its PostgreSQL name and type, the translated default (null when none), and
 * whether it becomes an identity column (INTEGER PRIMARY KEY).
 *
 * @param existing    the column is one the application's migrations made ({@code --into-existing}): its type is
 *                    the target's, and a value it cannot hold is fixed on the application's side, not with --type
 * @param refusesNull the existing column is NOT NULL, so a NULL from SQLite is a value it cannot hold
 * @param roundsToScale REAL values are rounded to the numeric(p,s) column's scale ({@code --round-to-scale})
 * @param rounding      how they are rounded: as the application's framework shows them
 */
public record ColumnPlan(SqliteColumn source, String pgName, ColumnMapping mapping, ColumnProfile profile, String pgDefault,
                         boolean identity, boolean existing, boolean refusesNull, boolean roundsToScale, ScaleRounding.Style rounding) {

    public ColumnPlan(SqliteColumn source, String pgName, ColumnMapping mapping, ColumnProfile profile, String pgDefault, boolean identity) {
        this(source, pgName, mapping, profile, pgDefault, identity, false, false, false, ScaleRounding.Style.EXACT);
    }

    /** The SQLite value converted for this column, as the copy converts it. */
    public Object convert(SqliteValue v) throws ConversionException {
        return roundsToScale ? ScaleRounding.from(type(), v, rounding) : ValueConverter.from(type(), v);
    }

    public PgType type() {
        return mapping.type();
    }
}

package io.replicator.sink;

import io.replicator.core.codec.Intervals;
import io.replicator.core.codec.ValueConverter;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/** Binds a value converted for its PostgreSQL column (ValueConverter) to a statement parameter. */
final class Binder {
    private Binder() {}

    static void bind(PreparedStatement ps, int i, Object v) throws SQLException {
        if (v == null) ps.setNull(i, Types.NULL);
        else if (v instanceof Long l) ps.setLong(i, l);
        else if (v instanceof Boolean b) ps.setBoolean(i, b);
        else if (v instanceof Double d) ps.setDouble(i, d);
        else if (v instanceof BigDecimal d) ps.setBigDecimal(i, d);
        else if (v instanceof ValueConverter.Text t) ps.setString(i, t.string());
        else if (v instanceof byte[] b) ps.setBytes(i, b);
        else if (v instanceof Instant in) ps.setObject(i, in.atOffset(ZoneOffset.UTC));
        else if (v instanceof Duration d) ps.setString(i, Intervals.pgInput(d)); // CAST(? AS interval) reads the count exactly
        else ps.setObject(i, v);
    }
}

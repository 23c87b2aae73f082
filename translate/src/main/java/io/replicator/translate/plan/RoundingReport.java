package io.replicator.translate.plan;

import io.replicator.core.codec.ConversionException;
import io.replicator.core.codec.ScaleRounding;
import io.replicator.core.model.SqliteColumn;
import io.replicator.core.model.SqliteTable;
import io.replicator.core.types.PgType;

import java.math.BigDecimal;
import java.math.MathContext;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static io.replicator.core.Identifiers.sqlite;

/**
 * What {@code --round-to-scale} does to one column, told before it is done: how many of its REAL values rounding
 * changes and by how much at most, or the first value that does not fit even rounded (an ERROR). Reads the
 * column's REAL values once.
 */
final class RoundingReport {
    private RoundingReport() {}

    static Problem of(Connection c, SqliteTable t, SqliteColumn col, PgType type) throws SQLException {
        long reals = 0;
        long changed = 0;
        BigDecimal most = BigDecimal.ZERO;
        String q = sqlite(col.name());
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + q + " FROM " + sqlite(t.name()) + " WHERE typeof(" + q + ") = 'real'")) {
            while (rs.next()) {
                double d = rs.getDouble(1);
                reals++;
                try {
                    BigDecimal change = ScaleRounding.change(type, d);
                    if (change.signum() != 0) changed++;
                    if (change.compareTo(most) > 0) most = change;
                } catch (ConversionException e) {
                    return new Problem(Problem.Level.ERROR, t.name(), col.name(), "the REAL " + d + " " + e.getMessage());
                }
            }
        }
        return new Problem(Problem.Level.NOTE, t.name(), col.name(), "REAL values are rounded to " + type.scale() + " decimal places (--round-to-scale):"
                + " " + changed + " of " + reals + " now change" + (changed == 0 ? "" : ", by at most " + most.round(new MathContext(2))) + " (values written later are rounded too)");
    }
}

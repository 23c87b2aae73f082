package io.replicator.core.codec;

import io.replicator.core.event.SqliteValue;
import io.replicator.core.model.StorageClass;
import io.replicator.core.types.PgType;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The one conversion that changes a value, and only when the user names the column ({@code --round-to-scale}): a
 * SQLite REAL bound for a {@code numeric(p,s)} column is rounded to {@code s} decimal places (half to even, from the
 * double's exact binary value), which is what Django, SQLAlchemy and Rails show when they read such a column from
 * SQLite. Arithmetic in SQLite leaves binary noise in decimal columns ({@code 12.459000000000001} in a
 * {@code decimal(12,4)}); without the option such a value is refused. Integers and text are converted as always, and
 * a value whose integer digits do not fit the precision is still refused.
 */
public final class ScaleRounding {
    private ScaleRounding() {}

    /** {@link ValueConverter#from}, with a REAL rounded to the scale of a {@code numeric(p,s)} column. */
    public static Object from(PgType t, SqliteValue v) throws ConversionException {
        if (v.storageClass() != StorageClass.REAL || !applies(t)) return ValueConverter.from(t, v);
        return round(t, v.asDouble());
    }

    /** Whether rounding to scale means anything for {@code t}: a numeric with a declared precision and scale. */
    public static boolean applies(PgType t) {
        return t.kind() == PgType.Kind.NUMERIC && t.precision() > 0;
    }

    static BigDecimal round(PgType t, double d) throws ConversionException {
        if (Double.isInfinite(d) || Double.isNaN(d)) throw new ConversionException("is not a finite number, which " + t.sql() + " cannot hold");
        BigDecimal r = new BigDecimal(d).setScale(t.scale(), RoundingMode.HALF_EVEN);
        if (r.signum() == 0) r = BigDecimal.ZERO.setScale(t.scale());
        if (!Decimals.fits(r, t.precision(), t.scale())) throw new ConversionException("does not fit " + t.sql() + " even rounded to " + t.scale() + " places");
        return r;
    }

    /** How far rounding moves {@code d}: 0 when it fits already. */
    public static BigDecimal change(PgType t, double d) throws ConversionException {
        return round(t, d).subtract(new BigDecimal(d)).abs();
    }
}

package io.replicator.core.codec;

import io.replicator.core.types.PgType;

import java.math.BigDecimal;

/**
 * How a column value is shown in reports of differing rows, the same whichever side it was read from (SQLite
 * through {@link ValueConverter}, PostgreSQL through {@link PgValueReader}).
 */
public final class Canonical {
    private Canonical() {}

    private static String numeric(Object v) {
        if (v instanceof Double d) return d > 0 ? "Infinity" : "-Infinity";
        BigDecimal b = ((BigDecimal) v).stripTrailingZeros();
        return b.signum() == 0 ? "0" : b.toPlainString();
    }

    /** A short human-readable form, for reports of differing rows and keys. */
    public static String display(PgType t, Object v) {
        if (v == null) return "NULL";
        return switch (t.kind()) {
            case DOUBLE -> {
                double d = (Double) v;
                yield (d == 0 && 1 / d < 0) ? "-0.0" : Double.toString(d);
            }
            case NUMERIC -> numeric(v);
            case TEXT, VARCHAR, JSON, JSONB -> {
                String s = ((ValueConverter.Text) v).string();
                yield "'" + (s.length() > 80 ? s.substring(0, 80) + "…" : s).replace("'", "''") + "'";
            }
            case BYTEA -> Utf8.hex((byte[]) v, 32);
            default -> v.toString();
        };
    }
}

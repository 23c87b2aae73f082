package io.replicator.verify;

import io.replicator.core.codec.Canonical;
import io.replicator.core.codec.ConversionException;
import io.replicator.core.codec.SqliteValueReader;
import io.replicator.core.codec.ScaleRounding;
import io.replicator.core.codec.Utf8;
import io.replicator.core.codec.ValueConverter;
import io.replicator.core.event.SqliteValue;
import io.replicator.core.model.StorageClass;
import io.replicator.core.types.PgType;

/**
 * Converts one SQLite row at a time as the copy does and digests it as PostgreSQL would: the key first (which
 * decides the chunk), then the rest. One per thread. A row is [rowid,] columns in plan order, as SQLite holds them.
 */
final class Digester {
    private final TableSpec spec;
    private final RowDigest d = new RowDigest();
    private final Object[] values;
    private final boolean[] failed;
    private final boolean[] isKey;
    private final int offset;
    private Long intKey;
    final ChunkSums sums = new ChunkSums();

    Digester(TableSpec spec) {
        this.spec = spec;
        int n = spec.types().size();
        values = new Object[n];
        failed = new boolean[n];
        isKey = new boolean[n];
        for (int k : spec.keyPos()) isKey[k] = true;
        offset = spec.plan().rowidOffset();
    }

    /** Pass 1: the row into this digester's per-chunk sums. */
    void add(SqliteValue[] row) {
        long chunk = key(row);
        sums.add(chunk, rest(row));
    }

    /** Digests the row's key (only the rowid or key entries of {@code row} need be read); returns its chunk. */
    long key(SqliteValue[] row) {
        d.reset();
        intKey = null;
        if (offset == 1) {
            intKey = row[0].asLong();
            d.key(PgType.BIGINT, intKey);
        }
        for (int k : spec.keyPos()) {
            convert(k, row[k + offset]);
            if (failed[k]) {
                d.unconvertibleKey();
            } else {
                d.key(spec.types().get(k), values[k]);
                if (spec.keyPos().length == 1 && values[k] instanceof Long l) intKey = l;
            }
        }
        return spec.chunking().chunkOf(intKey, d);
    }

    /** After {@link #key}: digests every column; returns the row's digest. */
    long[] rest(SqliteValue[] row) {
        for (int i = 0; i < values.length; i++) {
            if (!isKey[i]) convert(i, row[i + offset]);
            if (failed[i]) d.unconvertibleColumn();
            else d.column(spec.types().get(i), values[i]);
        }
        return d.digest();
    }

    /** The key text of the row last given to {@link #key}. */
    byte[] keyBytes() {
        return d.keyBytes();
    }

    String keyDisplay(SqliteValue[] row) {
        if (offset == 1) return "rowid=" + intKey;
        StringBuilder sb = new StringBuilder();
        for (int k : spec.keyPos()) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(spec.plan().columns().get(k).source().name()).append('=')
                    .append(failed[k] ? SqliteValueReader.display(row[k + offset]) : Canonical.display(spec.types().get(k), values[k]));
        }
        return sb.toString();
    }

    /** After {@link #rest}: every column, as reports show it. */
    String display(SqliteValue[] row) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) sb.append(", ");
            PgType ty = spec.types().get(i);
            sb.append(spec.plan().columns().get(i).source().name()).append('=')
                    .append(failed[i] ? SqliteValueReader.display(row[i + offset]) + " (cannot be " + ty.sql() + ")" : Canonical.display(ty, values[i]));
        }
        return sb.toString();
    }

    private void convert(int i, SqliteValue v) {
        try {
            values[i] = spec.rounded()[i] ? ScaleRounding.from(spec.types().get(i), v, spec.rounding()) : convert(spec.types().get(i), v);
            failed[i] = false;
        } catch (ConversionException e) {
            values[i] = null;
            failed[i] = true;
        }
    }

    /**
     * The value converted for its column, as the copy converts it; jsonb text is only checked for UTF-8 here,
     * its JSON is checked while {@link RowDigest} renders it (one parse instead of two).
     */
    static Object convert(PgType t, SqliteValue v) throws ConversionException {
        if (t.kind() == PgType.Kind.JSONB && v.storageClass() == StorageClass.TEXT) {
            byte[] b = (byte[]) v.value();
            int bad = Utf8.firstInvalid(b);
            if (bad >= 0) throw new ConversionException(Utf8.describe(b, bad));
            return new ValueConverter.Text(b);
        }
        return ValueConverter.from(t, v);
    }
}

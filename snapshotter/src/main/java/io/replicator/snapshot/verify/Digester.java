package io.replicator.snapshot.verify;

import io.replicator.core.codec.ConversionException;
import io.replicator.core.event.SqliteValue;
import io.replicator.core.types.PgType;

/** Converts SQLite rows as the copy does and adds their digests to its own per-chunk sums (one per worker thread). */
final class Digester {
    private final TableSpec spec;
    private final RowDigest d = new RowDigest();
    private final Object[] values;
    private final boolean[] failed;
    private final boolean[] isKey;
    final ChunkSums sums = new ChunkSums();

    Digester(TableSpec spec) {
        this.spec = spec;
        int n = spec.types().size();
        values = new Object[n];
        failed = new boolean[n];
        isKey = new boolean[n];
        for (int k : spec.keyPos()) isKey[k] = true;
    }

    /** {@code row}: [rowid,] columns in plan order, as SQLite holds them. */
    void add(SqliteValue[] row) {
        d.reset();
        int offset = spec.plan().rowidOffset();
        Long intKey = null;
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
        long chunk = spec.chunking().chunkOf(intKey, d);
        for (int i = 0; i < values.length; i++) {
            if (!isKey[i]) convert(i, row[i + offset]);
            if (failed[i]) d.unconvertibleColumn();
            else d.column(spec.types().get(i), values[i]);
        }
        sums.add(chunk, d.digest());
    }

    private void convert(int i, SqliteValue v) {
        try {
            values[i] = SqliteScan.convert(spec.types().get(i), v);
            failed[i] = false;
        } catch (ConversionException e) {
            values[i] = null;
            failed[i] = true;
        }
    }
}

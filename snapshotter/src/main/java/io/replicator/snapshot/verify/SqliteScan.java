package io.replicator.snapshot.verify;

import io.replicator.core.codec.Canonical;
import io.replicator.core.codec.ConversionException;
import io.replicator.core.codec.SqliteValueReader;
import io.replicator.core.codec.ValueConverter;
import io.replicator.core.event.SqliteValue;
import io.replicator.core.types.PgType;
import io.replicator.snapshot.plan.TablePlan;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;

/** Reads a table from SQLite (in the caller's read transaction) and digests each row as PostgreSQL would. */
final class SqliteScan {
    private final TableSpec spec;
    private final RowDigest d = new RowDigest();
    private final Object[] values;
    private final String[] raw;
    private Long intKey;

    SqliteScan(TableSpec spec) {
        this.spec = spec;
        this.values = new Object[spec.types().size()];
        this.raw = new String[spec.types().size()];
    }

    /**
     * Pass 1: every row (or the rows of {@code where}) into per-chunk sums. This thread only steps SQLite and
     * copies the values out; converting and digesting them (the costly part: JSON, numbers, hashing) runs on
     * {@code workers} other threads, in batches.
     */
    ChunkSums sums(Connection sq, String where, int workers) throws SQLException, InterruptedException {
        int width = spec.types().size() + spec.plan().rowidOffset();
        RowBatches batches = new RowBatches(workers, () -> new Digester(spec));
        try (Statement s = sq.createStatement(); ResultSet rs = s.executeQuery(select(where))) {
            SqliteValue[][] batch = new SqliteValue[RowBatches.SIZE][];
            int n = 0;
            while (rs.next()) {
                SqliteValue[] row = new SqliteValue[width];
                for (int i = 0; i < width; i++) row[i] = SqliteValueReader.value(rs, i + 1);
                batch[n++] = row;
                if (n == batch.length) {
                    batches.put(batch, n);
                    batch = new SqliteValue[RowBatches.SIZE][];
                    n = 0;
                }
            }
            if (n > 0) batches.put(batch, n);
        } catch (SQLException | RuntimeException e) {
            batches.abort();
            throw e;
        }
        return batches.finish();
    }

    /**
     * Pass 2: the rows of the wanted chunks, by key text, at most {@code limit}; rows with excluded keys are
     * left out and counted in {@code skipped[0]}.
     */
    void rows(Connection sq, Set<Long> wanted, Map<ByteBuffer, RowEntry> out, int limit, long[] skipped) throws SQLException {
        String col = spec.sqliteRangeColumn();
        String where = col != null && !wanted.contains(Chunking.UNKNOWN) ? spec.chunking().rangesWhere(col, wanted) : null;
        try (Statement s = sq.createStatement(); ResultSet rs = s.executeQuery(select(where))) {
            while (rs.next() && out.size() < limit) {
                readKey(rs);
                long chunk = spec.chunking().chunkOf(intKey, d);
                if (!wanted.contains(chunk)) continue;
                ByteBuffer key = ByteBuffer.wrap(d.keyBytes());
                if (spec.excluded() != null && spec.excluded().contains(key)) {
                    skipped[0]++;
                    continue;
                }
                readRest(rs);
                out.put(key, new RowEntry(chunk, keyDisplay(), display(), RowDigest.text(d.digest())));
            }
        }
    }

    private String select(String where) {
        String q = spec.plan().sqliteSelect();
        return where == null ? q : q + " WHERE " + where;
    }

    private int offset() {
        return spec.plan().rowidOffset();
    }

    private void readKey(ResultSet rs) throws SQLException {
        d.reset();
        intKey = null;
        if (offset() == 1) {
            long rowid = rs.getLong(1);
            intKey = rowid;
            d.key(PgType.BIGINT, rowid);
            return;
        }
        for (int k : spec.keyPos()) {
            read(rs, k);
            if (raw[k] != null) {
                d.unconvertibleKey();
            } else {
                d.key(spec.types().get(k), values[k]);
                if (spec.keyPos().length == 1 && values[k] instanceof Long l) intKey = l;
            }
        }
    }

    private void readRest(ResultSet rs) throws SQLException {
        int[] keyPos = spec.keyPos();
        for (int i = 0; i < values.length; i++) {
            boolean isKey = false;
            for (int k : keyPos) isKey |= k == i;
            if (!isKey) read(rs, i);
            if (raw[i] != null) d.unconvertibleColumn();
            else d.column(spec.types().get(i), values[i]);
        }
    }

    private void read(ResultSet rs, int i) throws SQLException {
        raw[i] = null;
        try {
            values[i] = convert(spec.types().get(i), SqliteValueReader.value(rs, i + 1 + offset()));
        } catch (ConversionException e) {
            values[i] = null;
            raw[i] = SqliteValueReader.display(rs, i + 1 + offset());
        }
    }

    /**
     * The value converted for its column, as the copy converts it; jsonb text is only checked for UTF-8 here,
     * its JSON is checked while {@link RowDigest} renders it (one parse instead of two).
     */
    static Object convert(PgType t, SqliteValue v) throws ConversionException {
        if (t.kind() == PgType.Kind.JSONB && v.storageClass() == io.replicator.core.model.StorageClass.TEXT) {
            byte[] b = (byte[]) v.value();
            int bad = io.replicator.core.codec.Utf8.firstInvalid(b);
            if (bad >= 0) throw new ConversionException(io.replicator.core.codec.Utf8.describe(b, bad));
            return new ValueConverter.Text(b);
        }
        return ValueConverter.from(t, v);
    }

    private String keyDisplay() {
        TablePlan t = spec.plan();
        if (offset() == 1) return "rowid=" + intKey;
        StringBuilder sb = new StringBuilder();
        for (int k : spec.keyPos()) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(t.columns().get(k).source().name()).append('=')
                    .append(raw[k] != null ? raw[k] : Canonical.display(spec.types().get(k), values[k]));
        }
        return sb.toString();
    }

    private String display() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) sb.append(", ");
            PgType ty = spec.types().get(i);
            sb.append(spec.plan().columns().get(i).source().name()).append('=')
                    .append(raw[i] != null ? raw[i] + " (cannot be " + ty.sql() + ")" : Canonical.display(ty, values[i]));
        }
        return sb.toString();
    }
}

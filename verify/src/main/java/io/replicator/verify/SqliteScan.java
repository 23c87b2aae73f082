package io.replicator.verify;

import io.replicator.core.codec.SqliteValueReader;
import io.replicator.core.event.SqliteValue;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;

/** Reads a table from SQLite (in the caller's read transaction) and digests each row as PostgreSQL would ({@link Digester}). */
final class SqliteScan {
    private final TableSpec spec;

    SqliteScan(TableSpec spec) {
        this.spec = spec;
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
        int offset = spec.plan().rowidOffset();
        SqliteValue[] row = new SqliteValue[spec.types().size() + offset];
        boolean[] isKey = new boolean[row.length];
        if (offset == 1) isKey[0] = true;
        for (int k : spec.keyPos()) isKey[k + offset] = true;
        Digester digester = new Digester(spec);
        try (Statement s = sq.createStatement(); ResultSet rs = s.executeQuery(select(where))) {
            while (rs.next() && out.size() < limit) {
                for (int i = 0; i < row.length; i++) if (isKey[i]) row[i] = SqliteValueReader.value(rs, i + 1);
                long chunk = digester.key(row);
                if (!wanted.contains(chunk)) continue; // the rest of a row outside the chunks is never read
                ByteBuffer key = ByteBuffer.wrap(digester.keyBytes());
                if (spec.excluded() != null && spec.excluded().contains(key)) {
                    skipped[0]++;
                    continue;
                }
                for (int i = 0; i < row.length; i++) if (!isKey[i]) row[i] = SqliteValueReader.value(rs, i + 1);
                String digest = RowDigest.text(digester.rest(row));
                out.put(key, new RowEntry(chunk, digester.keyDisplay(row), digester.display(row), digest));
            }
        }
    }

    private String select(String where) {
        String q = spec.plan().sqliteSelect();
        return where == null ? q : q + " WHERE " + where;
    }
}

package io.replicator.verify;

import java.util.Collection;

import static io.replicator.core.Identifiers.pg;

/**
 * How a table's rows are cut into chunks that both databases can compute on their own: by ranges of an integer
 * key ({@code key >> shift}, so a chunk is the key range [c << shift, (c + 1) << shift)), or, for any other key,
 * by the low bits of a hash of the key text. Range chunks can be read back by index; hash chunks need a scan.
 *
 * @param intKeyColumn the PostgreSQL integer key column (rowid column or single-column integer primary key), or null
 */
record Chunking(String intKeyColumn, int shift, int mask) {
    /** The chunk of a row whose integer key could not be read: PostgreSQL never computes it. */
    static final long UNKNOWN = Long.MIN_VALUE;

    /** Rows per chunk aimed at: small enough to re-read cheaply, large enough to keep the chunk count low. */
    static final long TARGET_ROWS = 8192;

    static Chunking ranges(String intKeyColumn, long min, long max, long rows) {
        double span = (double) max - (double) min + 1;
        double width = Math.max(1, span / Math.max(1, rows / TARGET_ROWS));
        int shift = 0;
        while (shift < 62 && Math.pow(2, shift) < width) shift++;
        return new Chunking(intKeyColumn, shift, 0);
    }

    static Chunking hashed(long rows) {
        long want = Math.max(1, Math.min(65536, rows / TARGET_ROWS));
        return new Chunking(null, 0, Integer.highestOneBit((int) want) * 2 - 1);
    }

    boolean byRange() {
        return intKeyColumn != null;
    }

    long chunkOf(Long intKey, RowDigest d) {
        if (byRange()) return intKey == null ? UNKNOWN : intKey >> shift;
        return d.keyHash() & mask;
    }

    /** The chunk as PostgreSQL computes it from the row's key. */
    String sql(String keyTextExpr) {
        if (byRange()) return "(" + pg(intKeyColumn) + "::bigint >> " + shift + ")";
        return "(hashtextextended(" + keyTextExpr + ", " + RowDigest.SEED_KEY + ") & " + mask + ")";
    }

    long lo(long chunk) {
        return chunk << shift;
    }

    /** Exclusive upper bound of a range chunk, or null when the chunk reaches the largest key. */
    Long hi(long chunk) {
        long next = chunk + 1;
        return (next << shift) >> shift == next ? next << shift : null;
    }

    /** A WHERE condition selecting the given range chunks of column {@code col}. */
    String rangesWhere(String col, Collection<Long> chunks) {
        StringBuilder sb = new StringBuilder();
        for (long c : chunks) {
            if (c == UNKNOWN) continue;
            if (sb.length() > 0) sb.append(" OR ");
            Long hi = hi(c);
            sb.append('(').append(col).append(" >= ").append(lo(c));
            if (hi != null) sb.append(" AND ").append(col).append(" < ").append(hi);
            sb.append(')');
        }
        return sb.length() == 0 ? "false" : sb.toString();
    }
}

package io.replicator.verify;

import io.replicator.core.Identifiers;
import io.replicator.core.codec.ConversionException;
import io.replicator.core.codec.ScaleRounding;
import io.replicator.core.codec.ValueConverter;
import io.replicator.core.event.SqliteValue;
import io.replicator.core.types.PgType;
import io.replicator.translate.plan.ColumnPlan;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.translate.plan.TablePlan;
import io.replicator.translate.schema.PgCatalog;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static io.replicator.core.Identifiers.pg;

/**
 * Everything pass 1 needs to compare one table, decided before either side is read in full: the PostgreSQL
 * column types (SQLite values are converted to them), how the table is cut into chunks, the keys left out on
 * both sides (and the chunks they taint, always re-read in pass 2), and with sampling the chunks compared. A
 * table PostgreSQL lacks, or lacks columns of, is not compared: it comes out as a failed result.
 */
final class TableSetup {
    private TableSetup() {}

    /**
     * @param excludedKeys keys to leave out, as the changelog holds them, or null
     * @param sampleChunks 0 for every row, else the number of chunks to pick at random
     */
    static ComparedTable prepare(Connection sq, Connection pgc, String schema, TablePlan t, PlanOptions stored, List<List<SqliteValue>> excludedKeys,
                                 int sampleChunks) throws SQLException {
        ComparedTable tb = new ComparedTable();
        Map<String, PgType> pgTypes = PgCatalog.columnTypes(pgc, schema, t.pgName(), PgType.TEXT); // other types compare by their text
        String name = t.source().name();
        if (pgTypes.isEmpty()) {
            tb.error = VerifyReport.TableResult.failed(name, t.pgName(), t.rows(), 0, "table " + schema + "." + t.pgName() + " does not exist in PostgreSQL");
            return tb;
        }
        List<PgType> types = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (ColumnPlan c : t.columns()) {
            PgType ty = pgTypes.get(c.pgName());
            if (ty == null) missing.add(c.pgName());
            types.add(ty);
        }
        if (t.rowidPgColumn() != null && !pgTypes.containsKey(t.rowidPgColumn())) missing.add(t.rowidPgColumn());
        if (!missing.isEmpty()) {
            tb.error = VerifyReport.TableResult.failed(name, t.pgName(), t.rows(), -1, "PostgreSQL table " + t.pgName() + " lacks column(s) " + missing);
            return tb;
        }
        int[] keyPos = t.keyColumnPositions();
        Chunking chunking = chunking(sq, t, types, keyPos);
        Set<ByteBuffer> excluded = new HashSet<>();
        Set<Long> tainted = new HashSet<>();
        excluded(t, types, keyPos, chunking, excludedKeys, excluded, tainted);
        boolean[] rounded = new boolean[types.size()];
        for (int i = 0; i < rounded.length; i++) {
            rounded[i] = stored.roundsToScale(name, t.columns().get(i).source().name()) && ScaleRounding.applies(types.get(i));
        }
        tb.spec = new TableSpec(t, types, keyPos, chunking, excluded.isEmpty() ? null : excluded, tainted, rounded, stored.decimalRounding());
        tb.sq = new SqliteScan(tb.spec);
        tb.pg = new PostgresScan(tb.spec, schema);
        String sqCol = tb.spec.sqliteRangeColumn();
        if (sampleChunks > 0 && sqCol != null && t.rows() > (long) sampleChunks * Chunking.TARGET_ROWS) {
            long[] mm = minMax(sq, t, sqCol);
            long first = mm[0] >> chunking.shift();
            long last = mm[1] >> chunking.shift();
            TreeSet<Long> pick = new TreeSet<>();
            Random r = new Random();
            long span = last - first + 1;
            while (pick.size() < Math.min(sampleChunks, span)) pick.add(first + (long) (r.nextDouble() * span));
            pick.addAll(tainted);
            tb.sqWhere = chunking.rangesWhere(sqCol, pick);
            tb.pgWhere = chunking.rangesWhere(pg(chunking.intKeyColumn()), pick);
            tb.sample = pick.size() + " of " + span + " chunks";
        }
        return tb;
    }

    /** Ranges of the integer key when there is one (rowid, or one integer column) and SQLite holds integers there; else hash buckets. */
    private static Chunking chunking(Connection sq, TablePlan t, List<PgType> types, int[] keyPos) throws SQLException {
        String col = null;
        String pgCol = null;
        if (t.rowidPgColumn() != null) {
            col = t.rowidSelect();
            pgCol = t.rowidPgColumn();
        } else if (keyPos.length == 1 && switch (types.get(keyPos[0]).kind()) { case SMALLINT, INTEGER, BIGINT -> true; default -> false; }) {
            col = Identifiers.sqlite(t.columns().get(keyPos[0]).source().name());
            pgCol = t.columns().get(keyPos[0]).pgName();
        }
        if (col != null) {
            long[] mm = minMax(sq, t, col);
            if (mm != null) return Chunking.ranges(pgCol, mm[0], mm[1], t.rows());
        }
        return Chunking.hashed(t.rows());
    }

    /** min and max of an integer column, or null when the table is empty or holds something else there. */
    private static long[] minMax(Connection sq, TablePlan t, String col) throws SQLException {
        try (Statement s = sq.createStatement();
             ResultSet rs = s.executeQuery("SELECT min(" + col + "), max(" + col + "), typeof(min(" + col + ")), typeof(max(" + col + ")) FROM "
                     + Identifiers.sqlite(t.source().name()))) {
            if (!rs.next() || !"integer".equals(rs.getString(3)) || !"integer".equals(rs.getString(4))) return null;
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    /** The key texts of the rows to leave out, and the chunks they fall in. */
    private static void excluded(TablePlan t, List<PgType> types, int[] keyPos, Chunking chunking, List<List<SqliteValue>> keys,
                                 Set<ByteBuffer> excluded, Set<Long> tainted) {
        if (keys == null) return;
        RowDigest d = new RowDigest();
        for (List<SqliteValue> k : keys) {
            d.reset();
            Long intKey = null;
            try {
                if (t.rowidPgColumn() != null) {
                    intKey = k.get(0).asLong();
                    d.key(PgType.BIGINT, intKey);
                } else {
                    if (k.size() < keyPos.length) continue;
                    for (int i = 0; i < keyPos.length; i++) {
                        Object v = ValueConverter.from(types.get(keyPos[i]), k.get(i));
                        d.key(types.get(keyPos[i]), v);
                        if (keyPos.length == 1 && v instanceof Long l) intKey = l;
                    }
                }
            } catch (ConversionException | RuntimeException e) {
                continue; // a key PostgreSQL cannot hold: its row is compared, and reported if it differs
            }
            excluded.add(ByteBuffer.wrap(d.keyBytes()));
            tainted.add(chunking.chunkOf(intKey, d));
        }
    }
}

package io.replicator.verify;

import io.replicator.core.codec.ScaleRounding;

import io.replicator.core.Identifiers;

import io.replicator.core.types.PgType;
import io.replicator.translate.plan.TablePlan;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What both sides need to digest one table the same way: the plan (names, key), the PostgreSQL column types,
 * the chunking, and the rows to leave out (keys changed after the position PostgreSQL is held at, online).
 *
 * @param keyPos   positions of the key columns among the plan's columns; empty when the key is the rowid
 * @param excluded key texts of rows left out on both sides (null: none)
 * @param tainted  chunks holding an excluded key: compared row by row instead of by their sums
 * @param rounded  per column: its REAL values were rounded to its numeric scale ({@code --round-to-scale}), so they are compared rounded
 */
record TableSpec(TablePlan plan, List<PgType> types, int[] keyPos, Chunking chunking, Set<ByteBuffer> excluded, Set<Long> tainted, boolean[] rounded,
                ScaleRounding.Style rounding) {

    /** The key text, computed inside PostgreSQL. */
    String keySql() {
        if (plan.rowidPgColumn() != null) return DigestSql.part(PgType.BIGINT, plan.rowidPgColumn());
        List<PgType> kt = new ArrayList<>();
        List<String> kc = new ArrayList<>();
        for (int p : keyPos) {
            kt.add(types.get(p));
            kc.add(plan.columns().get(p).pgName());
        }
        return DigestSql.joined(kt, kc);
    }

    /** The row's text (key # row), computed inside PostgreSQL. */
    String rowTextSql() {
        List<String> cols = new ArrayList<>();
        for (var c : plan.columns()) cols.add(c.pgName());
        return DigestSql.rowText(keySql(), DigestSql.joined(types, cols));
    }

    /** The key column ranges are taken on, in SQLite's spelling, when it is the rowid or its alias (always an integer there). */
    String sqliteRangeColumn() {
        if (!chunking.byRange()) return null;
        if (plan.rowidPgColumn() != null) return plan.rowidSelect();
        String alias = plan.source().rowidAlias();
        String keySource = plan.columns().get(keyPos[0]).source().name();
        return keySource.equals(alias) ? Identifiers.sqlite(keySource) : null;
    }
}

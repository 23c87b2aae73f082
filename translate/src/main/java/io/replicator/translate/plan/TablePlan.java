package io.replicator.translate.plan;

import io.replicator.core.model.SqliteCheck;
import io.replicator.core.Identifiers;
import io.replicator.core.model.SqliteTable;

import java.util.ArrayList;
import java.util.List;

/**
 * One table's translation.
 *
 * @param keyPgColumns   the columns that identify a row in PostgreSQL: the primary key, or the added rowid column
 * @param rowidPgColumn  name of the added column that carries SQLite's rowid (tables without a usable
 *                       primary key), or null
 * @param rowidSelect    how to select the rowid in SQLite (rowid, _rowid_ or oid, whichever no column shadows), or null
 * @param identityRestart for identity columns, the value the identity must continue from (0 = max + 1)
 */
public record TablePlan(SqliteTable source, String pgName, List<ColumnPlan> columns, List<String> keyPgColumns,
                        boolean primaryKeyUsable, String rowidPgColumn, String rowidSelect, long rows, long identityRestart,
                        List<IndexPlan> indexes, List<SqliteCheck> checks, List<String> foreignKeys) {

    /** 1 when the rowid is read first (tables without a usable key), else 0: the offset of the first column. */
    public int rowidOffset() {
        return rowidPgColumn == null ? 0 : 1;
    }

    /** Positions of the key columns among {@link #columns()}, in key order; empty when the key is the rowid. */
    public int[] keyColumnPositions() {
        if (rowidPgColumn != null) return new int[0];
        int[] pos = new int[keyPgColumns.size()];
        for (int k = 0; k < pos.length; k++) {
            for (int i = 0; i < columns.size(); i++) if (columns.get(i).pgName().equals(keyPgColumns.get(k))) pos[k] = i;
        }
        return pos;
    }

    /** The query that reads every copied value from SQLite: [rowid,] columns in plan order. */
    public String sqliteSelect() {
        List<String> select = new ArrayList<>();
        if (rowidPgColumn != null) select.add(rowidSelect);
        for (ColumnPlan c : columns) select.add(Identifiers.sqlite(c.source().name()));
        return "SELECT " + String.join(", ", select) + " FROM " + Identifiers.sqlite(source.name());
    }

    /** The PostgreSQL column list in the same order as {@link #sqliteSelect()}. */
    public List<String> pgColumns() {
        List<String> cols = new ArrayList<>();
        if (rowidPgColumn != null) cols.add(Identifiers.pg(rowidPgColumn));
        for (ColumnPlan c : columns) cols.add(Identifiers.pg(c.pgName()));
        return cols;
    }
}

package io.replicator.snapshot.plan;

import io.replicator.core.model.SqliteTable;

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
                        List<IndexPlan> indexes, List<String> checks, List<String> foreignKeys) {

    public int copiedColumnCount() {
        return columns.size() + (rowidPgColumn == null ? 0 : 1);
    }
}

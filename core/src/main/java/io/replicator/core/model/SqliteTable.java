package io.replicator.core.model;

import java.util.List;
import java.util.Optional;

/**
 * A SQLite table as introspected: columns, key, constraints, indexes.
 *
 * @param rowidAlias    the INTEGER PRIMARY KEY column that aliases the rowid, or null
 * @param withoutRowid  a WITHOUT ROWID table (always has a declared primary key)
 * @param autoincrement declared AUTOINCREMENT (sqlite_sequence holds its high mark)
 * @param checks        CHECK constraints as written in the CREATE TABLE text, with their declared names
 * @param primaryKeyName the name the primary key was declared with ({@code CONSTRAINT name PRIMARY KEY}), or null
 */
public record SqliteTable(String name, String sql, List<SqliteColumn> columns, List<String> primaryKey,
                          String rowidAlias, boolean withoutRowid, boolean autoincrement, List<SqliteIndex> indexes,
                          List<SqliteForeignKey> foreignKeys, List<SqliteCheck> checks, String primaryKeyName) {

    public Optional<SqliteColumn> column(String name) {
        return columns.stream().filter(c -> c.name().equalsIgnoreCase(name)).findFirst();
    }

    /**
     * Columns whose values are copied: all of them. Generated columns are copied as plain values (the plan
     * says they are no longer computed), so no value is lost.
     */
    public List<SqliteColumn> storedColumns() {
        return columns;
    }
}

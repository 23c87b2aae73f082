package io.replicator.core.model;

import java.util.List;

/**
 * A foreign key as SQLite reports it ({@code PRAGMA foreign_key_list}) plus what only the CREATE TABLE text says:
 * its declared name and deferral.
 *
 * @param name              the declared name ({@code CONSTRAINT name ...}), or null
 * @param deferrable        declared DEFERRABLE
 * @param initiallyDeferred declared DEFERRABLE INITIALLY DEFERRED
 */
public record SqliteForeignKey(int id, String toTable, List<String> fromColumns, List<String> toColumns,
                               String onUpdate, String onDelete, String name, boolean deferrable, boolean initiallyDeferred) {

    /** The same key with what the CREATE TABLE text declares of it. */
    public SqliteForeignKey declared(String name, boolean deferrable, boolean initiallyDeferred) {
        return new SqliteForeignKey(id, toTable, fromColumns, toColumns, onUpdate, onDelete, name, deferrable, initiallyDeferred);
    }
}

package io.replicator.core.model;

/**
 * A CHECK constraint as the CREATE TABLE text declares it.
 *
 * @param name       the declared name ({@code CONSTRAINT name CHECK (...)}), or null
 * @param expression the expression between the parentheses, as written
 * @param column     the column it was declared on (a column constraint), or null for a table constraint
 */
public record SqliteCheck(String name, String expression, String column) {}

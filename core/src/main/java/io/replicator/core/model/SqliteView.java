package io.replicator.core.model;

/** A view; {@code select} is the SELECT text after {@code AS}. */
public record SqliteView(String name, String sql, String select) {}

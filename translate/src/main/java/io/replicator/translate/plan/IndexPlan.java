package io.replicator.translate.plan;

/** An index or UNIQUE constraint to build after the load, as ready-to-run SQL. */
public record IndexPlan(String sourceName, String pgName, String sql) {}

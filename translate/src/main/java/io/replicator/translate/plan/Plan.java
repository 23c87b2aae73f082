package io.replicator.translate.plan;

import java.util.List;

/** The whole translation of one SQLite file into one PostgreSQL schema, and everything found on the way. */
public record Plan(String sqlitePath, String schema, List<TablePlan> tables, List<ViewPlan> views, List<Problem> problems) {
    public record ViewPlan(String name, String pgName, String sql) {}

    public boolean hasErrors() {
        return problems.stream().anyMatch(p -> p.level() == Problem.Level.ERROR);
    }

    public List<Problem> errors() {
        return problems.stream().filter(p -> p.level() == Problem.Level.ERROR).toList();
    }
}

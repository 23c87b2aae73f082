package io.replicator.fleet;

import java.nio.file.Path;

/**
 * One SQLite file of a fleet ({@code run --stores}).
 *
 * @param name     unique in the fleet; names the store's topic ({@code <prefix>.<name>}) and its state directory
 *                 ({@code <state-dir>/stores/<name>}); the default schema
 * @param sqlite   the file
 * @param schema   its PostgreSQL schema, unique in the fleet
 * @param priority its place in the order of snapshots and catch-up
 */
public record Store(String name, Path sqlite, String schema, Priority priority) {}

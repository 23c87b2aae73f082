package io.replicator.translate.schema;

import io.replicator.core.model.SqliteTable;
import io.replicator.core.model.SqliteView;

import java.util.List;

/**
 * Everything the snapshot reads from sqlite_schema: the tables to copy, views, and what is only reported
 * (triggers, virtual tables).
 */
public record SourceSchema(List<SqliteTable> tables, List<SqliteView> views, List<String> triggers, List<String> virtualTables) {}

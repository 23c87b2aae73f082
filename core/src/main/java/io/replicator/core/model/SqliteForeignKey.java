package io.replicator.core.model;

import java.util.List;

/** A foreign key; {@code toColumns} is empty when it references the parent's primary key implicitly. */
public record SqliteForeignKey(int id, String toTable, List<String> fromColumns, List<String> toColumns,
                               String onUpdate, String onDelete) {}

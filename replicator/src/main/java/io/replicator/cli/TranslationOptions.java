package io.replicator.cli;

import io.replicator.translate.plan.PlanOptions;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** The choices that change the translation: --type and --on-type-conflict. */
public final class TranslationOptions {
    @Option(names = "--type", paramLabel = "TABLE.COLUMN=TYPE",
            description = "Force a column's PostgreSQL type, e.g. --type products.qty=text or --type files.filename=bytea. Repeatable.")
    List<String> types = new ArrayList<>();

    @Option(names = "--on-type-conflict", defaultValue = "refuse", paramLabel = "refuse|widen",
            description = "A column holding values of several kinds: refuse (exit 3, default) or widen to a type that holds all exactly.")
    String onTypeConflict;

    PlanOptions planOptions(String schema) {
        return PlanOptions.of(schema, types, onTypeConflict);
    }
}

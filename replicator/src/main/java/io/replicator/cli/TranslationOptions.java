package io.replicator.cli;

import io.replicator.translate.plan.PlanOptions;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** The choices that change the translation: --type, --on-type-conflict and --into-existing. */
public final class TranslationOptions {
    @Option(names = "--type", paramLabel = "TABLE.COLUMN=TYPE",
            description = "Force a column's PostgreSQL type, e.g. --type products.qty=text or --type files.filename=bytea. Repeatable.")
    List<String> types = new ArrayList<>();

    @Option(names = "--on-type-conflict", defaultValue = "refuse", paramLabel = "refuse|widen",
            description = "A column holding values of several kinds: refuse (exit 3, default) or widen to a type that holds all exactly.")
    String onTypeConflict;

    @Option(names = "--into-existing",
            description = "Fill the tables the application's own migrations made in --schema (run them against PostgreSQL first) instead of"
                    + " creating tables: columns matched by name, every value converted into the existing column's type exactly or exit 3."
                    + " The application's constraints, names, defaults and sequences stay as it made them.")
    boolean intoExisting;

    @Option(names = "--replace-existing-rows",
            description = "With --into-existing: the application's tables that already hold rows (a framework's migrations insert some, e.g."
                    + " Django's content types; SQLite holds the same tables) are emptied before the copy, whose rows replace them. Without it"
                    + " such tables are refused.")
    boolean replaceExistingRows;

    @Option(names = "--round-to-scale", paramLabel = "TABLE.COLUMN|*",
            description = "Round the REAL values of this numeric(p,s) column to its scale (half to even), as the ORMs show them when they read"
                    + " SQLite; '*' for every such column. SQLite arithmetic leaves binary noise in decimal columns (12.459000000000001),"
                    + " which is otherwise refused. Reported per column. Repeatable.")
    List<String> roundToScale = new ArrayList<>();

    PlanOptions planOptions(String schema) {
        PlanOptions o = PlanOptions.of(schema, types, onTypeConflict).roundingToScale(roundToScale);
        return intoExisting ? o.intoExistingTables() : o;
    }
}

package io.replicator.translate.framework;

import io.replicator.core.codec.ScaleRounding;
import io.replicator.core.model.SqliteTable;
import io.replicator.translate.schema.SourceSchema;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * The application framework that wrote a SQLite file, recognized by the tables its migrations keep. What it would
 * have created on PostgreSQL is what the application expects after the cutover (types, deferral of foreign keys,
 * names), so the plan follows it where the file alone leaves a choice.
 */
public enum Framework {
    DJANGO("Django"),
    RAILS("Rails (Active Record)"),
    PRISMA("Prisma"),
    LARAVEL("Laravel"),
    ALEMBIC("SQLAlchemy + Alembic"),
    NONE("none recognized");

    public final String label;

    Framework(String label) {
        this.label = label;
    }

    /** The framework whose marker tables the file holds; {@link #NONE} when none (or more than one) matches. */
    public static Framework detect(SourceSchema schema) {
        Set<String> t = schema.tables().stream().map(SqliteTable::name).collect(Collectors.toSet());
        Framework found = NONE;
        int matches = 0;
        if (t.contains("django_migrations")) { found = DJANGO; matches++; }
        if (t.contains("schema_migrations") && t.contains("ar_internal_metadata")) { found = RAILS; matches++; }
        if (t.contains("_prisma_migrations")) { found = PRISMA; matches++; }
        if (t.contains("migrations") && schema.tables().stream().anyMatch(x -> x.name().equals("migrations")
                && x.column("migration").isPresent() && x.column("batch").isPresent())) { found = LARAVEL; matches++; }
        if (t.contains("alembic_version")) { found = ALEMBIC; matches++; }
        return matches == 1 ? found : NONE;
    }

    /**
     * Django creates every foreign key on PostgreSQL DEFERRABLE INITIALLY DEFERRED (it inserts children before parents
     * inside a transaction, and loaddata relies on it), whatever an older version wrote into SQLite.
     */
    public boolean foreignKeysInitiallyDeferred() {
        return this == DJANGO;
    }

    /** How this framework shows a REAL read from a SQLite decimal column: Django from 15 significant digits. */
    public ScaleRounding.Style decimalRounding() {
        return this == DJANGO ? ScaleRounding.Style.FIFTEEN_DIGITS : ScaleRounding.Style.EXACT;
    }
}

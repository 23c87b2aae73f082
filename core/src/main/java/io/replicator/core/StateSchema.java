package io.replicator.core;

/** The {@code replicator} schema in PostgreSQL, where all of the replicator's own state lives. */
public final class StateSchema {
    private StateSchema() {}

    public static final String NAME = "replicator";

    /**
     * Creates the schema only when it is missing: {@code CREATE SCHEMA IF NOT EXISTS} checks the CREATE privilege on
     * the database even when the schema exists, which a role that was only granted use of it does not have.
     */
    public static final String CREATE_IF_MISSING = "DO $$ BEGIN IF to_regnamespace('" + NAME + "') IS NULL THEN CREATE SCHEMA " + NAME + "; END IF; END $$";
}

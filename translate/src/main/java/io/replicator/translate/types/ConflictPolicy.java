package io.replicator.translate.types;

/** What to do with a column whose values do not all fit one exact PostgreSQL type. */
public enum ConflictPolicy {
    /** Stop with exit 3 naming table, column, row and value (the default: a type change is the user's call). */
    REFUSE,
    /** Pick the narrowest type that holds every value exactly (numeric for integer+real, text for text+numbers). */
    WIDEN
}

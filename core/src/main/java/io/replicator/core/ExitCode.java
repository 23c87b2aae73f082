package io.replicator.core;

/**
 * Exit codes of {@code bin/replicator}; each means one class of outcome so that scripts can branch on it.
 */
public enum ExitCode {
    OK(0),
    /** Verification found differences between SQLite and PostgreSQL. */
    DIFFERENCES(1),
    /** Bad arguments or configuration: the message names the flag and the reason. */
    BAD_CONFIG(2),
    /** Source data that cannot be moved without loss: the message names table, column, row and value. */
    DATA_LOSS(3),
    /** Anything else that failed at run time (connection lost, disk full, ...). */
    RUNTIME(4);

    public final int code;

    ExitCode(int code) {
        this.code = code;
    }
}

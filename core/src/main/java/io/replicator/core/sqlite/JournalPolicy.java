package io.replicator.core.sqlite;

import io.replicator.core.ReplicatorException;

/** What to do with a database in rollback-journal mode, where a long read blocks every writer. */
public enum JournalPolicy {
    /** Refuse with a message that explains the two other choices (default). */
    REFUSE,
    /** Switch the file to WAL once (persistent; needs a local file system) and report it. */
    SWITCH_TO_WAL,
    /** Copy under a shared lock: the application's writers wait until the copy ends. For idle or offline files. */
    LOCK;

    public static JournalPolicy parse(String s) {
        return switch (s) {
            case "refuse" -> REFUSE;
            case "switch-to-wal" -> SWITCH_TO_WAL;
            case "lock" -> LOCK;
            default -> throw ReplicatorException.config(
                    "--rollback-journal must be refuse, switch-to-wal or lock, got '" + s + "'");
        };
    }
}

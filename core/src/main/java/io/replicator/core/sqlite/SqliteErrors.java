package io.replicator.core.sqlite;

import org.sqlite.SQLiteException;

/**
 * Classifies SQLite failures found anywhere in a cause chain by SQLite's primary result code, so that a
 * damaged file or a read-only one is told apart from a passing lock wherever the read or write failed.
 */
public final class SqliteErrors {
    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;
    private static final int SQLITE_READONLY = 8;
    private static final int SQLITE_CORRUPT = 11;
    private static final int SQLITE_CANTOPEN = 14;
    private static final int SQLITE_NOTADB = 26;

    private SqliteErrors() {}

    /** The file's pages are damaged (SQLITE_CORRUPT, SQLITE_NOTADB): reading again will not help. */
    public static boolean damaged(Throwable t) {
        int code = primaryCode(t);
        return code == SQLITE_CORRUPT || code == SQLITE_NOTADB;
    }

    /** A write was refused because the file, its directory or the file system is read-only for this process. */
    public static boolean readOnly(Throwable t) {
        int code = primaryCode(t);
        return code == SQLITE_READONLY || code == SQLITE_CANTOPEN;
    }

    /**
     * Another connection holds a lock this one needs (SQLITE_BUSY with any extended code, e.g. BUSY_SNAPSHOT;
     * SQLITE_LOCKED): trying again later can succeed.
     */
    public static boolean busy(Throwable t) {
        int code = primaryCode(t);
        if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return true;
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (code == -1 && m != null && (m.contains("SQLITE_BUSY") || m.contains("database is locked"))) return true;
        }
        return false;
    }

    /** The hint printed with a failure on a damaged file. */
    public static String damagedHint() {
        return "the SQLite file is damaged (SQLite reports malformed pages); check it with sqlite3 FILE 'PRAGMA integrity_check', "
                + "recover what is readable with sqlite3 FILE .recover | sqlite3 recovered.db and replicate the recovered copy";
    }

    private static int primaryCode(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLiteException se) return se.getResultCode().code & 0xff;
        }
        return -1;
    }
}

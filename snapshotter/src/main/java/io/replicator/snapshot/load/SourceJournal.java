package io.replicator.snapshot.load;

import io.replicator.core.ReplicatorException;
import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.core.sqlite.SqliteSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Decides, before anything is read or written, whether the SQLite file can be snapshotted while its application
 * keeps writing: it must be UTF-8, and in WAL mode unless the operator chose otherwise ({@link JournalPolicy}).
 * A long read in rollback-journal mode blocks every writer, so that mode is refused unless the policy says to
 * switch the file to WAL (persistent) or to copy under a lock.
 */
final class SourceJournal {
    /** Logged under the snapshot's name, as operators know the line. */
    private static final Logger log = LoggerFactory.getLogger(Snapshotter.class);

    private SourceJournal() {}

    /** The journal mode the snapshot runs under ({@code wal}, or the rollback-journal mode kept under a lock). */
    static String prepare(SqliteSource source, JournalPolicy policy) {
        String mode;
        try (Connection c = source.openReadOnly()) {
            mode = SqliteSource.journalMode(c);
            String enc = SqliteSource.encoding(c);
            if (!enc.equals("UTF-8")) {
                throw ReplicatorException.config(source.path() + " uses text encoding " + enc + "; only UTF-8 databases are supported");
            }
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot read " + source.path() + " as SQLite: " + e.getMessage(), e);
        }
        if (mode.equals("wal")) return mode;
        switch (policy) {
            case SWITCH_TO_WAL -> {
                log.info("switching {} from journal_mode={} to WAL (persistent)", source.path(), mode);
                return source.switchToWal();
            }
            case LOCK -> {
                return mode;
            }
            default -> throw ReplicatorException.config(source.path() + " is in rollback-journal mode (journal_mode=" + mode
                    + "): a snapshot would block the application's writers for its whole duration. Either switch it to WAL once "
                    + "(persistent, needs a local file system) with --rollback-journal=switch-to-wal, or, if nothing writes to the file "
                    + "during the copy, use --rollback-journal=lock");
        }
    }
}

package io.replicator.feed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * Whether the SQLite file may have changed since the feed last found nothing to read, told by two {@code stat}s
 * instead of a read of the changelog: a commit writes to the {@code -wal} file (WAL mode) or to the database file
 * (rollback journal), which changes its size or its modification time. An idle feed polling every few milliseconds
 * then costs the application's database nothing, and a fleet of many idle stores little CPU.
 *
 * <p>A change of the files comes before the commit is visible: SQLite appends the transaction's frames to the WAL,
 * syncs them, and only then publishes the commit in the WAL index (shared memory, no file change). A read right after
 * the look may so find nothing, and no later look would show a change. So the changelog is read on every look for
 * {@link #SETTLE_MS} ms after a change was seen (measured: without this, 1-2% of commits of a single store waited for
 * the bound below, p99 128 ms instead of about 45).
 *
 * <p>Never trusted alone: a file system's clock ticks coarsely, and a WAL restarted after a checkpoint is rewritten at
 * the same size, so two commits within one tick could leave both unchanged. A real read is therefore made at least
 * every {@code maxQuietMs} however the files look, which bounds what such a rare miss can cost in lag; nothing is
 * ever skipped for good. The files are looked at before the read, so a commit landing between the look and the read is
 * read now and seen as a change next time (one read too many, never one too few).
 */
final class ChangeHint {
    private final Path db;
    private final Path wal;
    private final long maxQuietMs;
    /** How long after a change every look reads, while the commit that changed the files may not be visible yet. */
    static final long SETTLE_MS = 50;

    private Object last;
    private long lastReadAt;
    private long changedAt = Long.MIN_VALUE / 2;

    ChangeHint(Path db, long maxQuietMs) {
        this.db = db;
        this.wal = db.resolveSibling(db.getFileName() + "-wal");
        this.maxQuietMs = maxQuietMs;
    }

    /**
     * True when a read of the changelog is due: the files changed in the last {@link #SETTLE_MS} ms, or no read was
     * made for {@code maxQuietMs}. Each true answer counts as a read made now.
     */
    boolean readDue(long nowMs) {
        Object seen = look();
        if (!Objects.equals(seen, last)) changedAt = nowMs;
        boolean due = nowMs - changedAt <= SETTLE_MS || nowMs - lastReadAt >= maxQuietMs;
        last = seen;
        if (due) lastReadAt = nowMs;
        return due;
    }

    /** Forgets what was seen: the next {@link #readDue} is true (after a read that found something, more may wait). */
    void reset() {
        last = null;
    }

    private record Look(long dbSize, FileTime dbModified, long walSize, FileTime walModified) {}

    private Object look() {
        try {
            BasicFileAttributes d = Files.readAttributes(db, BasicFileAttributes.class);
            long walSize = -1;
            FileTime walModified = null;
            try {
                BasicFileAttributes w = Files.readAttributes(wal, BasicFileAttributes.class);
                walSize = w.size();
                walModified = w.lastModifiedTime();
            } catch (NoSuchFileException e) {
                // rollback journal mode, or no connection has the WAL open
            }
            return new Look(d.size(), d.lastModifiedTime(), walSize, walModified);
        } catch (IOException e) {
            return new Object(); // unknown: never equal to the last look, so a read is made and reports the real error
        }
    }
}

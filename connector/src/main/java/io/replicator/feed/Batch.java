package io.replicator.feed;

import java.util.List;

/**
 * What one SQLite read transaction saw: the changelog slice {@code (after, upTo]} and, for every key it names,
 * the row as it is at that instant.
 * <p>{@code complete}: the slice reached the end of the changelog as that transaction saw it. Only then do the
 * rows read show a state SQLite had (a cut slice may have read rows whose later changes are logged after
 * {@code upTo}); consecutive batches up to a complete one do.
 */
public record Batch(long after, long upTo, List<Change> changes, long readAtMillis, boolean complete) {
    public boolean isEmpty() {
        return upTo == after;
    }
}

package io.replicator.feed;

import java.util.List;

/**
 * What one SQLite read transaction saw: the changelog slice {@code (after, upTo]} and, for every key it names,
 * the row as it is at that instant. Applying a whole batch moves a replica from one state SQLite had to another.
 */
public record Batch(long after, long upTo, List<Change> changes, long readAtMillis) {
    public boolean isEmpty() {
        return upTo == after;
    }
}

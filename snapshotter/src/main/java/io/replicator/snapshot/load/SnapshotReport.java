package io.replicator.snapshot.load;

import io.replicator.translate.plan.Problem;

import java.util.List;

/** What a snapshot did, for people and for {@code --json}. */
public record SnapshotReport(String sqlite, String postgres, String schema, String journalMode, long fenceMillis, long fenceWaitMillis,
                             Long changelogSeq, long walBytesBefore, long walBytesAfter, double seconds, long rows, long bytes,
                             List<TableReport> tables, List<Problem> problems) {
    public record TableReport(String source, String table, long rows, long bytes, double seconds) {}
}

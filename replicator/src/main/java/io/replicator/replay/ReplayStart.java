package io.replicator.replay;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.stream.TopicTail;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Where a replay starts: a changelog position given as such, or the last consistent point Kafka holds before a
 * time; refused when Kafka's retention already deleted changes after it (replay could not fill that gap).
 */
public final class ReplayStart {
    private ReplayStart() {}

    /** Exactly one of {@code fromSeq} and {@code fromTime} (ISO-8601 instant) is given. */
    public static long resolve(String bootstrap, String topic, Long fromSeq, String fromTime) {
        if ((fromSeq == null) == (fromTime == null)) throw ReplicatorException.config("replay needs exactly one of a start position (from-seq) or a time (from-time)");
        long seq;
        if (fromSeq != null) {
            if (fromSeq < 0) throw ReplicatorException.config("--from-seq must be 0 or more, got " + fromSeq);
            seq = fromSeq;
        } else {
            long t;
            try {
                t = Instant.parse(fromTime).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw ReplicatorException.config("--from-time: '" + fromTime + "' is not an ISO-8601 instant such as 2026-11-21T07:00:00Z");
            }
            seq = Math.max(0, TopicTail.before(bootstrap, topic, t).seq());
        }
        long oldest = TopicTail.oldestRetainedSeq(bootstrap, topic);
        if (oldest > seq + 1) {
            throw new ReplicatorException(ExitCode.DATA_LOSS, "Kafka no longer holds the changes after seq " + seq + " (retention deleted"
                    + " them; the oldest it holds is seq " + oldest + "), so replay cannot fill that gap. Take a new snapshot"
                    + " (bin/replicator snapshot --drop ...) and start `run` again");
        }
        return seq;
    }
}

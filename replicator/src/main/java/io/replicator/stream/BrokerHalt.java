package io.replicator.stream;

import io.replicator.core.ExitCode;
import org.apache.kafka.common.utils.Exit;

import java.nio.file.Path;

/**
 * Kafka halts the JVM when the broker's last log directory fails (the disk is full, an I/O error), with status 1,
 * which is this tool's "verification found differences", and only its own log line as explanation. This replaces
 * Kafka's halt procedure (process-wide, last installed wins) with one that says what happened and what to do,
 * and halts with the run-time failure code instead.
 */
final class BrokerHalt {
    private BrokerHalt() {}

    /** Installs the halt procedure naming {@code dir}, the directory whose failure would cause it. */
    static void asRuntimeFailure(Path dir) {
        Exit.setHaltProcedure((status, message) -> {
            System.err.println("error: the embedded Kafka broker stopped this process (Kafka status " + status + (message == null ? "" : ", " + message)
                    + "): its data directory " + dir + " failed — a full disk says 'No space left on device' above. Free space (or fix the"
                    + " directory), then start again: replication resumes from its stored position.");
            System.err.flush();
            Runtime.getRuntime().halt(ExitCode.RUNTIME.code);
        });
    }
}

package io.replicator.control;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The stores a fleet lists, as its control plane sees them: implemented by the fleet, read by request threads while
 * the fleet's own thread starts and stops stores, so {@link #listed} must be safe to call from any thread.
 */
public interface FleetRoster {
    /** The stores the stores file lists, as last applied, in file order; a store that left the file is not listed. */
    List<Listed> listed();

    /**
     * One listed store and how its run stands.
     *
     * @param outcome  RUNNING (which includes waiting for its snapshot turn and copying), STOPPED, CUT_OVER or FAILED
     * @param failure  why it failed, null unless FAILED
     * @param exitCode the exit code of that failure, null unless FAILED
     * @param stored   its status from stored state alone ({@code status --json}), for when it is not streaming
     */
    record Listed(String name, String schema, String priority, String outcome, String failure, Integer exitCode,
                  Supplier<Map<String, Object>> stored) {
        public static final String RUNNING = "RUNNING";
        public static final String CUT_OVER = "CUT_OVER";
        public static final String FAILED = "FAILED";
    }
}

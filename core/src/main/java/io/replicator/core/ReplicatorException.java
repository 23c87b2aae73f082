package io.replicator.core;

/**
 * A failure the user must read: the message says what failed, the numbers that explain it and what to do
 * next. The exit code says which class of failure it is.
 */
public class ReplicatorException extends RuntimeException {
    private final ExitCode exitCode;

    public ReplicatorException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public ReplicatorException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    public static ReplicatorException config(String message) {
        return new ReplicatorException(ExitCode.BAD_CONFIG, message);
    }

    public static ReplicatorException runtime(String message, Throwable cause) {
        return new ReplicatorException(ExitCode.RUNTIME, message, cause);
    }
}

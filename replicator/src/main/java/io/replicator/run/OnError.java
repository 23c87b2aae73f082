package io.replicator.run;

import io.replicator.core.ReplicatorException;

/** What the sink does with a change PostgreSQL cannot take as it is ({@code --on-error}). */
public enum OnError {
    /** Stop (exit 3) at the stored position; fix and restart. */
    STOP("stop"),
    /** Set it aside in the topic {@code <topic>.dlq} with the reason, and go on. */
    DEAD_LETTER("dead-letter");

    public final String flag;

    OnError(String flag) {
        this.flag = flag;
    }

    public static OnError parse(String flag) {
        for (OnError e : values()) if (e.flag.equals(flag)) return e;
        throw ReplicatorException.config("--on-error must be stop or dead-letter, got " + flag);
    }
}

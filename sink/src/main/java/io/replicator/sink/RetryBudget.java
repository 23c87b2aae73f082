package io.replicator.sink;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How long the sink keeps retrying one kind of transient PostgreSQL error before it stops and says so. The kind is
 * the SQLState class (08 connection, 40 serialization/deadlock, 57 shutdown/restart): a restart of PostgreSQL
 * should be waited out, a server that stays away for longer than {@code limit} should not be retried in silence for
 * days. The clock starts at the first error of a kind and is cleared by a committed batch, by another kind of
 * error, or by {@value #QUIET_MS} ms without errors. Meanwhile {@link #current} says what fails and since when,
 * for {@code /health}.
 */
public final class RetryBudget {
    /** Errors further apart than this count as separate episodes. */
    static final long QUIET_MS = 30_000;

    private final Duration limit;
    private final LongSupplier clock;
    private String kind;
    private long since;
    private long lastAt;
    private volatile Failing current;

    /** What is failing now: the error's words, and since when (epoch ms). */
    public record Failing(String message, long sinceMs) {}

    public RetryBudget(Duration limit) {
        this(limit, System::currentTimeMillis);
    }

    RetryBudget(Duration limit, LongSupplier clock) {
        if (limit.isNegative() || limit.isZero()) throw ReplicatorException.config("--max-retry-time must be more than 0, got " + limit);
        this.limit = limit;
        this.clock = clock;
    }

    /**
     * Records a transient error; throws (exit 4) once errors of its kind have lasted longer than the limit.
     *
     * @param sqlState the error's SQLState (null: no state, e.g. an I/O error)
     */
    public void failed(String sqlState, String message) {
        long now = clock.getAsLong();
        String k = sqlState == null || sqlState.length() < 2 ? "--" : sqlState.substring(0, 2);
        if (!k.equals(kind) || now - lastAt > QUIET_MS) {
            kind = k;
            since = now;
        }
        lastAt = now;
        current = new Failing(message, since);
        if (now - since > limit.toMillis()) {
            throw new ReplicatorException(ExitCode.RUNTIME, "PostgreSQL has failed for " + (now - since) / 1000 + " s with errors of SQLState class " + k
                    + " (last: " + message + "), longer than --max-retry-time " + limit.toSeconds() + " s; the sink stopped at its stored position"
                    + " and nothing after it was applied. Fix PostgreSQL (is it up, reachable, accepting connections?) and start again:"
                    + " replication resumes from that position");
        }
    }

    /** A batch committed: the episode is over. */
    public void succeeded() {
        kind = null;
        current = null;
    }

    /** What fails now, or null while nothing does. */
    public Failing current() {
        Failing f = current;
        if (f != null && clock.getAsLong() - lastAt > QUIET_MS) return null;
        return f;
    }
}

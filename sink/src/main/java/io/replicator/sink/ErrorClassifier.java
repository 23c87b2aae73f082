package io.replicator.sink;

import io.replicator.core.ExitCode;
import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;

import java.sql.SQLException;
import java.util.Set;

/**
 * The one place that decides what an error met while applying means: retry, or stop and how. Everything the sink
 * does after an error follows from {@link #classify}; the words it stops with come from {@link #stop}.
 *
 * <ul>
 * <li>{@link Verdict#RETRY}: transient. PostgreSQL's serialization failure (40001), deadlock (40P01), any
 *     connection error (class 08), shutdown, crash or start-up (57P01, 57P02, 57P03), an error without SQLState
 *     (an I/O error below the driver), and Kafka not answering. The sink resumes from its stored position after a
 *     backoff, for as long as {@link RetryBudget} allows.</li>
 * <li>{@link Verdict#REFUSED}: PostgreSQL refuses a state SQLite holds: a foreign key (23503), a unique constraint
 *     (23505) or a CHECK (23514). Retrying cannot help, and skipping would lose rows: exit 3.</li>
 * <li>{@link Verdict#POISON}: one event that can never apply as it is (a value its column cannot hold): exit 3,
 *     or the dead-letter topic when the operator chose it.</li>
 * <li>{@link Verdict#FATAL}: anything else (another SQLState, a refusal the sink raised itself, a bug): stop, saying
 *     where and why.</li>
 * </ul>
 *
 * <p>An SQLException is judged by its own SQLState (pgjdbc gives a failed batch the state of its first error); an
 * exception the sink raised itself is never unwrapped, as it already says what happened.
 */
final class ErrorClassifier {
    private ErrorClassifier() {}

    /** What the sink does about an error. */
    enum Verdict { RETRY, REFUSED, POISON, FATAL }

    /** Constraint violations: PostgreSQL checks what SQLite let through. */
    private static final Set<String> REFUSALS = Set.of("23503", "23505", "23514");
    /** Serialization failure, deadlock; admin shutdown, crash shutdown, cannot connect now (restarting). */
    private static final Set<String> TRANSIENT = Set.of("40001", "40P01", "57P01", "57P02", "57P03");
    /** The server's words are cut here in messages: a failed batch can quote thousands of values. */
    private static final int MAX_MESSAGE_CHARS = 600;

    static Verdict classify(Throwable e) {
        if (e instanceof BatchApplier.PoisonEvent) return Verdict.POISON;
        if (e instanceof TopicIdentity.KafkaUnavailable) return Verdict.RETRY;
        if (e instanceof SQLException s) {
            String state = s.getSQLState();
            if (state != null && REFUSALS.contains(state)) return Verdict.REFUSED;
            return transientState(state) ? Verdict.RETRY : Verdict.FATAL;
        }
        return Verdict.FATAL;
    }

    /** Transient by SQLState: no state (not from the server), class 08, or one of {@link #TRANSIENT}. */
    static boolean transientState(String state) {
        return state == null || state.startsWith("08") || TRANSIENT.contains(state);
    }

    /** The SQLState a retried error counts under in {@link RetryBudget} (null: none, e.g. Kafka or I/O). */
    static String sqlState(Throwable e) {
        return e instanceof SQLException s ? s.getSQLState() : null;
    }

    /** What failed, in the fewest words: the server's own for PostgreSQL, the message otherwise. */
    static String message(Throwable e) {
        return e instanceof SQLException s ? rootMessage(s) : String.valueOf(e.getMessage());
    }

    /** The server's own words: a batch error's first cause, without the statement text. */
    static String rootMessage(SQLException e) {
        SQLException root = e.getNextException() != null ? e.getNextException() : e;
        String m = String.valueOf(root.getMessage());
        return m.length() > MAX_MESSAGE_CHARS ? m.substring(0, MAX_MESSAGE_CHARS) + "…" : m;
    }

    /**
     * The exception the sink stops with for an error that is not retried; {@code appliedSeq} is the changelog
     * position PostgreSQL holds, where the operator resumes.
     */
    static ReplicatorException stop(Throwable e, long appliedSeq) {
        if (e instanceof BatchApplier.PoisonEvent p) {
            return new ReplicatorException(ExitCode.DATA_LOSS, p.getMessage() + ". The sink stopped at changelog position " + appliedSeq
                    + "; nothing after it was applied. Fix the column's type (ALTER TABLE ...) and restart, or run with"
                    + " --on-error=dead-letter to set such events aside");
        }
        if (e instanceof ReplicatorException r) return r;
        if (e instanceof SQLException s) {
            if (classify(s) == Verdict.REFUSED) {
                return new ReplicatorException(ExitCode.DATA_LOSS, "PostgreSQL refuses a state SQLite holds (after changelog position "
                        + appliedSeq + "): " + rootMessage(s) + " (SQLState " + s.getSQLState() + "). SQLite enforces foreign keys"
                        + " only under PRAGMA foreign_keys=ON, CHECK constraints loosely, and uniqueness under its own collations; PostgreSQL"
                        + " always checks. Nothing after that position was applied. Fix the rows in SQLite, or drop the constraint in"
                        + " PostgreSQL (ALTER TABLE ... DROP CONSTRAINT ...) and restart; it can be added back (NOT VALID) later");
            }
            return ReplicatorException.runtime("applying changes after position " + appliedSeq + " to PostgreSQL failed: "
                    + rootMessage(s) + " (SQLState " + s.getSQLState() + "); nothing after that position was applied; restart to retry", s);
        }
        return ReplicatorException.runtime("the sink stopped: " + PostgresUrl.redactRaw(String.valueOf(e)), e);
    }
}

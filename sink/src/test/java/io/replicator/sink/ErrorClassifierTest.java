package io.replicator.sink;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.core.event.ChangeEventFormat;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.postgresql.util.ServerErrorMessage;

import java.net.SocketTimeoutException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.Map;

import static io.replicator.sink.ErrorClassifier.Verdict.FATAL;
import static io.replicator.sink.ErrorClassifier.Verdict.POISON;
import static io.replicator.sink.ErrorClassifier.Verdict.REFUSED;
import static io.replicator.sink.ErrorClassifier.Verdict.RETRY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every retry-or-stop decision of the sink, on the exceptions pgjdbc, HikariCP and the sink itself really throw. */
class ErrorClassifierTest {
    /** An error as pgjdbc builds it from the server's ErrorResponse (severity, SQLState, message). */
    private static PSQLException server(String sqlState, String message) {
        return new PSQLException(new ServerErrorMessage("SERROR\0VERROR\0C" + sqlState + "\0M" + message + "\0"));
    }

    @Test
    void serializationFailuresDeadlocksAndRestartsAreRetried() {
        assertEquals(RETRY, ErrorClassifier.classify(new PSQLException("could not serialize access", PSQLState.SERIALIZATION_FAILURE)));
        assertEquals(RETRY, ErrorClassifier.classify(new PSQLException("deadlock detected", PSQLState.DEADLOCK_DETECTED)));
        assertEquals(RETRY, ErrorClassifier.classify(server("57P01", "terminating connection due to administrator command")));
        assertEquals(RETRY, ErrorClassifier.classify(server("57P02", "terminating connection because of crash of another server process")));
        assertEquals(RETRY, ErrorClassifier.classify(server("57P03", "the database system is starting up")));
    }

    @Test
    void lostConnectionsAreRetried() {
        assertEquals(RETRY, ErrorClassifier.classify(new PSQLException("An I/O error occurred while sending to the backend.", PSQLState.CONNECTION_FAILURE,
                new SocketTimeoutException("Read timed out"))));
        assertEquals(RETRY, ErrorClassifier.classify(new PSQLException("Connection refused", PSQLState.CONNECTION_UNABLE_TO_CONNECT)));
        assertEquals(RETRY, ErrorClassifier.classify(new PSQLException("This connection has been closed.", PSQLState.CONNECTION_DOES_NOT_EXIST)));
        // HikariCP, when no connection comes within its timeout: no SQLState of its own
        assertEquals(RETRY, ErrorClassifier.classify(new SQLTransientConnectionException("replicator-sink - Connection is not available, request timed out after 10000ms")));
        assertEquals("08006", ErrorClassifier.sqlState(new PSQLException("lost", PSQLState.CONNECTION_FAILURE)), "counted by RetryBudget under class 08");
    }

    @Test
    void kafkaNotAnsweringIsRetriedWithoutASqlState() {
        TopicIdentity.KafkaUnavailable k = new TopicIdentity.KafkaUnavailable("cannot describe the topic t in Kafka at 127.0.0.1:1", null);
        assertEquals(RETRY, ErrorClassifier.classify(k));
        assertNull(ErrorClassifier.sqlState(k));
        assertEquals(k.getMessage(), ErrorClassifier.message(k));
    }

    /** Foreign key, unique and CHECK violations: PostgreSQL refuses a state SQLite holds. Retrying cannot help; exit 3. */
    @Test
    void constraintViolationsAreRefusalsOfAStateSqliteHolds() {
        for (PSQLState s : List.of(PSQLState.FOREIGN_KEY_VIOLATION, PSQLState.UNIQUE_VIOLATION, PSQLState.CHECK_VIOLATION)) {
            PSQLException e = server(s.getState(), "violates constraint x");
            assertEquals(REFUSED, ErrorClassifier.classify(e), s.getState());
            ReplicatorException stop = ErrorClassifier.stop(e, 41);
            assertEquals(ExitCode.DATA_LOSS, stop.exitCode());
            assertTrue(stop.getMessage().contains("refuses a state SQLite holds (after changelog position 41)")
                    && stop.getMessage().contains("SQLState " + s.getState()) && stop.getMessage().contains("violates constraint x"), stop.getMessage());
        }
    }

    /** pgjdbc reports a failed batch as a BatchUpdateException with the first error's state; its words are in the next exception. */
    @Test
    void aFailedBatchIsJudgedByItsFirstErrorAndToldInTheServersWords() {
        BatchUpdateException batch = new BatchUpdateException("Batch entry 0 INSERT INTO \"s\".\"t\" (\"id\") VALUES (1) was aborted", "23505", new int[0]);
        batch.setNextException(server("23505", "duplicate key value violates unique constraint \"t_s_key\""));
        assertEquals(REFUSED, ErrorClassifier.classify(batch));
        assertTrue(ErrorClassifier.rootMessage(batch).startsWith("ERROR: duplicate key value"), ErrorClassifier.rootMessage(batch));
        assertFalse(ErrorClassifier.stop(batch, 1).getMessage().contains("INSERT INTO"), "the statement text is left out");
    }

    @Test
    void anyOtherPostgresErrorStopsTheSinkSayingWhere() {
        for (PSQLException e : List.of(server("42P01", "relation \"t\" does not exist"), server("28P01", "password authentication failed"),
                new PSQLException("permission denied for table t", PSQLState.INVALID_AUTHORIZATION_SPECIFICATION))) {
            assertEquals(FATAL, ErrorClassifier.classify(e), e.getSQLState());
            ReplicatorException stop = ErrorClassifier.stop(e, 7);
            assertEquals(ExitCode.RUNTIME, stop.exitCode());
            assertTrue(stop.getMessage().contains("after position 7") && stop.getMessage().contains("SQLState " + e.getSQLState()), stop.getMessage());
            assertSame(e, stop.getCause());
        }
    }

    @Test
    void aPoisonEventStopsWithExit3OrGoesAside() {
        SinkEvent e = new SinkEvent(3, "c", "t", Map.of(), Map.of(), new ChangeEventFormat.Source("db", "/x.db", "t", 5, 5, true, 0), null, new byte[0]);
        BatchApplier.PoisonEvent p = new BatchApplier.PoisonEvent(e, "table t, column n, key [2]: the value 'x' is not an integer");
        assertEquals(POISON, ErrorClassifier.classify(p));
        ReplicatorException stop = ErrorClassifier.stop(p, 4);
        assertEquals(ExitCode.DATA_LOSS, stop.exitCode());
        assertTrue(stop.getMessage().startsWith(p.getMessage()) && stop.getMessage().contains("stopped at changelog position 4")
                && stop.getMessage().contains("--on-error=dead-letter"), stop.getMessage());
    }

    @Test
    void whatTheSinkRaisedItselfIsNeverUnwrapped() {
        ReplicatorException own = ReplicatorException.runtime("cannot take the sink lock of schema s: refused", new SQLException("refused", "08001"));
        assertEquals(FATAL, ErrorClassifier.classify(own), "a retriable cause inside the sink's own verdict stays the sink's verdict");
        assertSame(own, ErrorClassifier.stop(own, 1));
    }

    @Test
    void anUnexpectedErrorStopsTheSinkWithoutShowingAPassword() {
        IllegalStateException bug = new IllegalStateException("cannot use postgresql://app:s3cret@db/prod");
        assertEquals(FATAL, ErrorClassifier.classify(bug));
        ReplicatorException stop = ErrorClassifier.stop(bug, 1);
        assertEquals(ExitCode.RUNTIME, stop.exitCode());
        assertTrue(stop.getMessage().startsWith("the sink stopped:") && !stop.getMessage().contains("s3cret"), stop.getMessage());
    }

    @Test
    void longServerMessagesAreCut() {
        String m = ErrorClassifier.rootMessage(new PSQLException("x".repeat(5_000), PSQLState.DATA_ERROR));
        assertEquals(601, m.length());
        assertTrue(m.endsWith("…"));
    }
}

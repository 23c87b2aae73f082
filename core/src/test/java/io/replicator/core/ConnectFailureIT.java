package io.replicator.core;

import io.replicator.core.testing.PgProtocolStub;
import io.replicator.core.testing.TestPostgres;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each way a connection to PostgreSQL fails is named for what it is, with a hint that points at the cause: the
 * driver's real exceptions, from the machine's PostgreSQL where it can produce them and from
 * {@link PgProtocolStub} for SSL and password refusal (the machine's server has ssl = off and trusts local users).
 * The regression this pins: a missing SSL root certificate was reported as "check that PostgreSQL is running and
 * reachable".
 */
class ConnectFailureIT {
    private static final String SECRET = "hunter2-in-url";

    @Test
    void missingRootCertificateIsACertificateProblemNotANetworkOne() throws Exception {
        try (PgProtocolStub stub = new PgProtocolStub(PgProtocolStub.Script.ACCEPT_SSL)) {
            PostgresUrl u = PostgresUrl.parse("postgresql://app:" + SECRET + "@127.0.0.1:" + stub.port()
                    + "/db?sslmode=verify-full&sslrootcert=/nonexistent/root.crt");
            SQLException e = driverFailure(u);
            assertTrue(e.getMessage().contains("root certificate"), "the driver's own words: " + e.getMessage());
            assertEquals(ConnectFailure.CERTIFICATE, ConnectFailure.classify(e));
            ReplicatorException r = assertThrows(ReplicatorException.class, () -> u.connect("test"));
            assertTrue(r.getMessage().contains("sslrootcert"), r.getMessage());
            assertTrue(r.getMessage().contains("not a network one"), r.getMessage());
            assertFalse(r.getMessage().contains("running and reachable"), r.getMessage());
            assertFalse(r.getMessage().contains(SECRET), r.getMessage());
            assertEquals(ExitCode.BAD_CONFIG, r.exitCode(), "a missing file does not appear by retrying");
        }
    }

    @Test
    void sslRequiredOfAServerWithoutSslSaysSo() throws Exception {
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW ssl")) {
            rs.next();
            Assumptions.assumeTrue(rs.getString(1).equals("off"), "the test server has SSL on");
        }
        PostgresUrl t = TestPostgres.target();
        PostgresUrl u = PostgresUrl.parse("postgresql://" + t.user() + "@" + t.host() + ":" + t.port() + "/" + t.database() + "?sslmode=require");
        SQLException e = driverFailure(u);
        assertEquals(ConnectFailure.CERTIFICATE, ConnectFailure.classify(e), e.getMessage());
        String hint = PostgresErrors.hint(e, u);
        assertTrue(hint.contains("does not accept SSL"), hint);
    }

    @Test
    void aRefusedPasswordIsAuthentication() throws Exception {
        try (PgProtocolStub stub = new PgProtocolStub(PgProtocolStub.Script.REFUSE_PASSWORD)) {
            PostgresUrl u = PostgresUrl.parse("postgresql://app:" + SECRET + "@127.0.0.1:" + stub.port() + "/db?sslmode=disable");
            SQLException e = driverFailure(u);
            assertEquals("28P01", e.getSQLState(), e.getMessage());
            assertEquals(ConnectFailure.AUTHENTICATION, ConnectFailure.classify(e));
            ReplicatorException r = assertThrows(ReplicatorException.class, () -> u.connect("test"));
            assertTrue(r.getMessage().contains("check the user and password"), r.getMessage());
            assertFalse(r.getMessage().contains(SECRET), r.getMessage());
            assertEquals(ExitCode.BAD_CONFIG, r.exitCode());
        }
    }

    @Test
    void aPasswordTheServerWantsButNobodyGaveIsAuthentication() throws Exception {
        try (PgProtocolStub stub = new PgProtocolStub(PgProtocolStub.Script.REFUSE_PASSWORD)) {
            PostgresUrl u = PostgresUrl.parse("postgresql://app@127.0.0.1:" + stub.port() + "/db?sslmode=disable");
            SQLException e = driverFailure(u);
            assertEquals(ConnectFailure.AUTHENTICATION, ConnectFailure.classify(e), e.getMessage());
            String hint = PostgresErrors.hint(e, u);
            assertTrue(hint.contains("--postgres-password-file"), hint);
            assertEquals(ExitCode.BAD_CONFIG, PostgresErrors.exitCode(e));
        }
    }

    @Test
    void anUnknownRoleIsAuthentication() {
        PostgresUrl t = TestPostgres.target();
        PostgresUrl u = PostgresUrl.parse("postgresql://replicator_no_such_role@" + t.host() + ":" + t.port() + "/" + t.database());
        SQLException e = driverFailure(u);
        assertEquals("28000", e.getSQLState(), e.getMessage());
        assertEquals(ConnectFailure.AUTHENTICATION, ConnectFailure.classify(e));
        assertTrue(PostgresErrors.hint(e, u).contains("the role replicator_no_such_role does not exist"), PostgresErrors.hint(e, u));
        assertEquals(ExitCode.BAD_CONFIG, PostgresErrors.exitCode(e));
    }

    @Test
    void aMissingDatabaseSaysCreateIt() {
        PostgresUrl t = TestPostgres.target();
        PostgresUrl u = PostgresUrl.parse("postgresql://" + t.user() + "@" + t.host() + ":" + t.port() + "/replicator_no_such_db");
        SQLException e = driverFailure(u);
        assertEquals(ConnectFailure.DATABASE_MISSING, ConnectFailure.classify(e), e.getMessage());
        assertTrue(PostgresErrors.hint(e, u).contains("createdb replicator_no_such_db"), PostgresErrors.hint(e, u));
        assertEquals(ExitCode.BAD_CONFIG, PostgresErrors.exitCode(e));
    }

    @Test
    void aRefusedConnectionAndAnUnknownHostAreNetworkProblems() {
        PostgresUrl refused = PostgresUrl.parse("postgresql://app:" + SECRET + "@127.0.0.1:1/db");
        SQLException e = driverFailure(refused);
        assertEquals(ConnectFailure.REFUSED, ConnectFailure.classify(e), e.getMessage());
        assertTrue(PostgresErrors.hint(e, refused).contains("running there and listening"), PostgresErrors.hint(e, refused));
        assertEquals(ExitCode.RUNTIME, PostgresErrors.exitCode(e), "a server that is down may come back");

        PostgresUrl unknown = PostgresUrl.parse("postgresql://app@no-such-host.invalid:5432/db");
        SQLException u = driverFailure(unknown);
        assertEquals(ConnectFailure.UNKNOWN_HOST, ConnectFailure.classify(u), u.getMessage());
        assertTrue(PostgresErrors.hint(u, unknown).contains("does not resolve"), PostgresErrors.hint(u, unknown));
    }

    @Test
    void aQueryErrorIsNoConnectionFailureEvenWhenItSpeaksOfSsl() throws Exception {
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM ssl_certificate_nowhere"));
            assertEquals(ConnectFailure.NONE, ConnectFailure.classify(e), e.getMessage());
            assertEquals("", ConnectFailure.classify(e).hint(e, TestPostgres.target()));
        }
    }

    /** The driver's own exception for connecting to {@code u}. */
    private static SQLException driverFailure(PostgresUrl u) {
        return assertThrows(SQLException.class, () -> {
            try (Connection ignored = DriverManager.getConnection(u.jdbcUrl(), u.properties("test"))) {
                // connected: the assertion fails
            }
        });
    }
}

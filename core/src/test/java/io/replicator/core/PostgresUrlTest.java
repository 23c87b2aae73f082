package io.replicator.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PostgresUrlTest {
    @Test
    void parsesBothFormsAndNeverShowsThePassword() {
        PostgresUrl u = PostgresUrl.parse("postgresql://app:s3cr%40t@db.example:6543/prod?sslmode=require");
        assertEquals("db.example", u.host());
        assertEquals(6543, u.port());
        assertEquals("prod", u.database());
        assertEquals("app", u.user());
        assertEquals("jdbc:postgresql://db.example:6543/prod?sslmode=require", u.jdbcUrl());
        assertEquals("s3cr@t", u.properties("x").getProperty("password"));
        assertFalse(u.toString().contains("s3cr"));
        assertFalse(u.redacted().contains("s3cr"));

        PostgresUrl j = PostgresUrl.parse("jdbc:postgresql://h:5433/d?user=u&password=pw");
        assertEquals("u", j.user());
        assertFalse(j.redacted().contains("pw"));
        assertFalse(PostgresUrl.redactRaw("jdbc:postgresql://h/d?user=u&password=pw").contains("pw"));
        assertFalse(PostgresUrl.redactRaw("postgresql://u:pw@h/d").contains("pw"));
    }

    @Test
    void badUrlsAreConfigErrors() {
        ReplicatorException e = assertThrows(ReplicatorException.class, () -> PostgresUrl.parse("mysql://u:topsecret@h/d"));
        assertEquals(ExitCode.BAD_CONFIG, e.exitCode());
        assertFalse(e.getMessage().contains("topsecret"), e.getMessage());
        assertEquals(ExitCode.BAD_CONFIG, assertThrows(ReplicatorException.class, () -> PostgresUrl.parse("postgresql://h:5432/")).exitCode());
    }

    @Test
    void unreachableServerFailsFastNamingHostAndPortButNotThePassword() {
        PostgresUrl u = PostgresUrl.parse("postgresql://u:hunter2@127.0.0.1:1/nodb");
        long t0 = System.nanoTime();
        ReplicatorException e = assertThrows(ReplicatorException.class, () -> u.connect("test"));
        assertTrue((System.nanoTime() - t0) / 1e9 < 6, "must fail within about 5 s");
        assertTrue(e.getMessage().contains("127.0.0.1:1"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertEquals(ExitCode.RUNTIME, e.exitCode());
    }
}

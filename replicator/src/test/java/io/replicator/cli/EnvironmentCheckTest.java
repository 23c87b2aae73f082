package io.replicator.cli;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Environment variables: misspelt REPLICATOR_* ones are refused like unknown YAML keys; REPLICATOR_SQLITE is read. */
class EnvironmentCheckTest {
    private static final Set<String> OPTIONS = Set.of("sqlite", "postgres", "kafka", "state-dir", "schema", "http-token", "log-level");

    @Test
    void aMisspeltVariableIsRefusedNamingTheClosestKnownOne() {
        ReplicatorException e = assertThrows(ReplicatorException.class,
                () -> EnvironmentCheck.check(Map.of("REPLICATOR_STATEDIR", "/var/lib/r"), OPTIONS, ConfigDefaults.CLASSIC));
        assertEquals(ExitCode.BAD_CONFIG, e.exitCode());
        assertTrue(e.getMessage().contains("REPLICATOR_STATEDIR"), e.getMessage());
        assertTrue(e.getMessage().contains("closest known one is REPLICATOR_STATE_DIR"), e.getMessage());
        assertFalse(e.getMessage().contains("/var/lib/r"), "values are not repeated (one may be a secret)");

        ReplicatorException s = assertThrows(ReplicatorException.class,
                () -> EnvironmentCheck.check(Map.of("REPLICATOR_SCHEME", "app"), OPTIONS, ConfigDefaults.CLASSIC));
        assertTrue(s.getMessage().contains("closest known one is REPLICATOR_SCHEMA"), s.getMessage());
    }

    @Test
    void optionVariablesTheLauncherSVariablesAndOtherPrefixesPass() {
        Map<String, String> env = new HashMap<>();
        for (String o : OPTIONS) env.put(EnvironmentCheck.variable(o), "x");
        for (String v : EnvironmentCheck.NOT_OPTIONS) env.put(v, "x");
        env.put("SQLITE_PATH", "x"); // same value as REPLICATOR_SQLITE: no conflict
        env.put("PATH", "/usr/bin");
        env.put("REPLICATORX", "not our prefix");
        assertDoesNotThrow(() -> EnvironmentCheck.check(env, OPTIONS, ConfigDefaults.CLASSIC));
    }

    @Test
    void anOptionSetTwoWaysWithDifferentValuesIsRefused() {
        ReplicatorException e = assertThrows(ReplicatorException.class, () -> EnvironmentCheck.check(
                Map.of("DATABASE_URL", "postgresql://u:one@h/d", "REPLICATOR_POSTGRES", "postgresql://u:two@h/d"), OPTIONS, ConfigDefaults.CLASSIC));
        assertTrue(e.getMessage().contains("DATABASE_URL") && e.getMessage().contains("REPLICATOR_POSTGRES"), e.getMessage());
        assertFalse(e.getMessage().contains("one@") || e.getMessage().contains("two@"), e.getMessage());
    }

    @Test
    void replicatorSqliteIsHonouredAndTheClassicNameComesFirst() {
        OptionSpec sqlite = OptionSpec.builder("--sqlite").type(String.class).build();
        assertEquals("/srv/app.db", new ConfigDefaults(Map.of("REPLICATOR_SQLITE", "/srv/app.db"), Map.of()).defaultValue(sqlite));
        assertEquals("/a.db", new ConfigDefaults(Map.of("SQLITE_PATH", "/a.db", "REPLICATOR_SQLITE", "/a.db"), Map.of()).defaultValue(sqlite));
        assertEquals("/y.db", new ConfigDefaults(Map.of(), Map.of("sqlite", "/y.db")).defaultValue(sqlite), "then application.yml");
        assertNull(new ConfigDefaults(Map.of(), Map.of()).defaultValue(sqlite));
        OptionSpec kafka = OptionSpec.builder("--kafka").type(String.class).build();
        assertEquals("k:9092", new ConfigDefaults(Map.of("REPLICATOR_KAFKA", "k:9092"), Map.of()).defaultValue(kafka));
    }

    /** The whole tool, as a process with a misspelt variable in its environment: exit 2 and one line naming both. */
    @Test
    void theToolRefusesToStartWithAMisspeltVariable() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "io.replicator.cli.Main", "status", "--sqlite", "/nonexistent.db");
        pb.environment().put("REPLICATOR_STAT_DIR", "/tmp/x");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("unknown environment variable REPLICATOR_STAT_DIR (the closest known one is REPLICATOR_STATE_DIR)"), out);
        assertEquals(List.of(), out.lines().filter(l -> l.startsWith("\tat ")).toList(), "no stack trace");
    }
}

package io.replicator.cli;

import io.replicator.core.ReplicatorException;

import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Refuses, at start, a {@code REPLICATOR_*} environment variable that nothing reads, as an unknown key of
 * application.yml is refused: a misspelt {@code REPLICATOR_STATEDIR} would otherwise be ignored in silence and
 * the tool would run with the default. Known are {@code REPLICATOR_<OPTION>} for every option of every command
 * and the variables read outside the options, listed in {@link #NOT_OPTIONS}. The message names the variable and
 * the closest known one. Also refuses an option given by both its classic variable and its REPLICATOR_ one with
 * different values ({@code SQLITE_PATH} and {@code REPLICATOR_SQLITE}).
 */
final class EnvironmentCheck {
    static final String PREFIX = "REPLICATOR_";

    /** Read outside the options: by this tool, by bin/replicator, by the build, or set by the cutover for its hook. */
    static final Set<String> NOT_OPTIONS = Set.of(
            "REPLICATOR_CONFIG",       // where application.yml is (ConfigDefaults)
            "REPLICATOR_DEBUG",        // stack traces on failure (Main)
            "REPLICATOR_JAVA_OPTS",    // JVM options of bin/replicator
            "REPLICATOR_HOME",         // the checkout, set by the build for the tests
            "REPLICATOR_TESTDATA",     // the test corpus
            "REPLICATOR_CUTOVER_SEQ"); // set by the cutover for its hook, which may call this tool

    private EnvironmentCheck() {}

    /** The variable that gives {@code option} (a long name without dashes) by convention. */
    static String variable(String option) {
        return PREFIX + option.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /**
     * Throws (exit 2) for the first unknown {@code REPLICATOR_*} variable of {@code env}, or for an option set two
     * ways with different values; {@code options} are every command's long option names without dashes,
     * {@code classic} maps options to their classic variable ({@code sqlite -> SQLITE_PATH}).
     */
    static void check(Map<String, String> env, Set<String> options, Map<String, String> classic) {
        Set<String> known = new TreeSet<>(NOT_OPTIONS);
        for (String o : options) known.add(variable(o));
        for (String name : new TreeSet<>(env.keySet())) {
            if (!name.startsWith(PREFIX) || known.contains(name)) continue;
            String closest = known.stream().min(Comparator.comparingInt((String k) -> distance(name, k)).thenComparing(k -> k)).orElseThrow();
            throw ReplicatorException.config("unknown environment variable " + name + " (the closest known one is " + closest
                    + "); REPLICATOR_ variables are option names in capitals with _ for -, e.g. REPLICATOR_STATE_DIR for --state-dir: unset it or fix its name");
        }
        for (Map.Entry<String, String> c : classic.entrySet()) {
            String a = env.get(c.getValue());
            String b = env.get(variable(c.getKey()));
            if (a != null && b != null && !a.isBlank() && !b.isBlank() && !a.equals(b)) {
                throw ReplicatorException.config("--" + c.getKey() + " is set twice in the environment with different values, by " + c.getValue()
                        + " and by " + variable(c.getKey()) + ": unset one");
            }
        }
    }

    /** Levenshtein distance: edits that turn {@code a} into {@code b}. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}

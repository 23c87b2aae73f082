package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.replicator.core.ReplicatorException;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Where an option's value comes from when it is not on the command line, in this order: an environment
 * variable ({@code SQLITE_PATH}, {@code DATABASE_URL}, {@code KAFKA_BOOTSTRAP_SERVERS} for the three options that
 * have a classic name, else {@code REPLICATOR_<OPTION>}, e.g. {@code REPLICATOR_STATE_DIR}, which also works for
 * those three: {@code REPLICATOR_SQLITE}), then {@code application.yml} ({@code $REPLICATOR_CONFIG}, else
 * ./application.yml when present) under {@code replicator:} with the option's name as key
 * ({@code state-dir: /var/lib/replicator}), then the option's built-in default. A key that no command knows is
 * refused at start with its name, and so is a {@code REPLICATOR_*} variable that nothing reads
 * ({@link EnvironmentCheck}).
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
    /** Options with a classic variable of their own, read before {@code REPLICATOR_<OPTION>}. */
    static final Map<String, String> CLASSIC = Map.of("sqlite", "SQLITE_PATH", "postgres", "DATABASE_URL",
            "kafka", "KAFKA_BOOTSTRAP_SERVERS");

    private final Map<String, String> env;
    private final Map<String, String> yaml;

    ConfigDefaults(Map<String, String> env, Map<String, String> yaml) {
        this.env = env;
        this.yaml = yaml;
    }

    /** Reads the configuration file, if any; {@code known} are every command's option names (without dashes). */
    static ConfigDefaults load(Set<String> known) {
        EnvironmentCheck.check(System.getenv(), known, CLASSIC);
        String explicit = System.getProperty("replicator.config", System.getenv("REPLICATOR_CONFIG"));
        Path file = explicit != null ? Path.of(explicit) : Path.of("application.yml");
        Map<String, String> yaml = new HashMap<>();
        if (explicit != null && !Files.isRegularFile(file)) throw ReplicatorException.config("configuration file " + file + " does not exist (REPLICATOR_CONFIG)");
        if (Files.isRegularFile(file)) {
            JsonNode root;
            try {
                root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
            } catch (IOException e) {
                throw ReplicatorException.config("configuration file " + file + " is not valid YAML: " + e.getMessage());
            }
            JsonNode r = root == null ? null : root.get("replicator");
            if (r != null && r.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = r.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!known.contains(e.getKey())) {
                        throw ReplicatorException.config(file + ": unknown property replicator." + e.getKey()
                                + " (properties are option names without dashes, e.g. replicator.state-dir; see --help)");
                    }
                    if (!e.getValue().isValueNode()) throw ReplicatorException.config(file + ": replicator." + e.getKey() + " must be a single value");
                    yaml.put(e.getKey(), e.getValue().asText());
                }
            }
        }
        return new ConfigDefaults(System.getenv(), yaml);
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec o)) return null;
        String name = o.longestName().replaceFirst("^-+", "");
        String classic = CLASSIC.get(name);
        String v = classic == null ? null : env.get(classic);
        if (v == null || v.isBlank()) v = env.get(EnvironmentCheck.variable(name));
        if (v != null && !v.isBlank()) return v;
        return yaml.get(name);
    }
}

package io.replicator.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.replicator.core.ReplicatorException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The YAML list of a fleet's stores ({@code run --stores FILE}), read and checked as a whole: a key no store
 * knows, a missing name or file, a name, schema or file given twice, or a name that is not a plain lowercase
 * identifier is refused (exit 2) with the store and the key. Relative paths are taken from the file's directory.
 *
 * <pre>
 * stores:
 *   - name: memory          # required, unique; the default schema
 *     sqlite: /srv/memory.db
 *     schema: memory        # optional
 *     priority: P0          # optional: P0 (first), P1, P2 (default)
 * </pre>
 */
public final class StoresFile {
    private static final Set<String> KEYS = Set.of("name", "sqlite", "schema", "priority");
    /** A PostgreSQL identifier that needs no quoting, short enough for the topic and the schema. */
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    private StoresFile() {}

    /** The stores in fleet order: by priority, then as listed. */
    public static List<Store> read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        } catch (IOException e) {
            throw ReplicatorException.config("--stores: cannot read " + file + ": " + e.getMessage());
        }
        return parse(root, file.toAbsolutePath().getParent());
    }

    static List<Store> parse(JsonNode root, Path base) {
        if (root == null || !root.isObject() || !root.has("stores")) {
            throw ReplicatorException.config("stores file: expected a top-level 'stores:' list (see docs/fleet.md)");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("stores")) throw ReplicatorException.config("stores file: unknown top-level key '" + k + "'; only 'stores' is read");
        }
        JsonNode list = root.get("stores");
        if (!list.isArray() || list.isEmpty()) throw ReplicatorException.config("stores file: 'stores' must be a non-empty list");
        List<Store> stores = new ArrayList<>();
        Set<String> names = new HashSet<>(), schemas = new HashSet<>(), files = new HashSet<>();
        int i = 0;
        for (JsonNode n : list) {
            i++;
            if (!n.isObject()) throw ReplicatorException.config("stores file: entry " + i + " is not a mapping of name, sqlite, schema, priority");
            String name = text(n, "name");
            String label = name != null ? name : "#" + i;
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!KEYS.contains(k)) throw ReplicatorException.config("stores file: store " + label + ": unknown key '" + k + "' (known: name, sqlite, schema, priority)");
            }
            if (name == null) throw ReplicatorException.config("stores file: entry " + i + " has no name");
            if (!NAME.matcher(name).matches()) {
                throw ReplicatorException.config("stores file: store name '" + name + "' must be lowercase letters, digits and _, starting with a letter"
                        + " (at most 63): it names the store's schema, topic and state directory");
            }
            String sqlite = text(n, "sqlite");
            if (sqlite == null) throw ReplicatorException.config("stores file: store " + name + " has no sqlite file");
            Path path = base == null ? Path.of(sqlite) : base.resolve(sqlite).normalize();
            String schema = text(n, "schema") != null ? text(n, "schema") : name;
            Priority priority = Priority.parse(name, text(n, "priority"));
            if (!names.add(name)) throw ReplicatorException.config("stores file: store name " + name + " is given twice");
            if (!schemas.add(schema)) throw ReplicatorException.config("stores file: schema " + schema + " is given to two stores; each store needs its own");
            if (!files.add(path.toString())) throw ReplicatorException.config("stores file: " + path + " is listed twice");
            stores.add(new Store(name, path, schema, priority));
        }
        List<Store> ordered = new ArrayList<>(stores);
        ordered.sort(Comparator.comparing(Store::priority)); // stable: as listed within a priority
        return List.copyOf(ordered);
    }

    /** The store called {@code name}, or a refusal naming the stores there are. */
    public static Store find(List<Store> stores, String name) {
        for (Store s : stores) if (s.name().equals(name)) return s;
        throw ReplicatorException.config("--store " + name + ": no such store in the stores file (stores: "
                + String.join(", ", stores.stream().map(Store::name).toList()) + ")");
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isValueNode()) throw ReplicatorException.config("stores file: '" + key + "' must be a plain value");
        String s = v.asText().trim();
        return s.isEmpty() ? null : s;
    }
}

package io.replicator.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line of a bench class: positional arguments (kept as the benches always took them) followed by
 * {@code --name value} or {@code --name=value} options, and bare {@code --flag}s. An option the bench does not
 * know is refused with its name, so a typo cannot silently run the default.
 */
final class BenchArgs {
    private final List<String> positional = new ArrayList<>();
    private final Map<String, String> options = new LinkedHashMap<>();

    private BenchArgs() {
    }

    /** {@code valued}: options that take a value; {@code flags}: options that take none. */
    static BenchArgs parse(String[] args, Set<String> valued, Set<String> flags) {
        BenchArgs a = new BenchArgs();
        for (int i = 0; i < args.length; i++) {
            String s = args[i];
            if (!s.startsWith("--")) {
                a.positional.add(s);
                continue;
            }
            int eq = s.indexOf('=');
            String name = eq < 0 ? s.substring(2) : s.substring(2, eq);
            if (flags.contains(name) && eq < 0) {
                a.options.put(name, "true");
            } else if (valued.contains(name)) {
                if (eq >= 0) {
                    a.options.put(name, s.substring(eq + 1));
                } else if (i + 1 < args.length) {
                    a.options.put(name, args[++i]);
                } else {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
            } else {
                throw new IllegalArgumentException("unknown option --" + name + " (known: " + valued + " with a value, " + flags + " without)");
            }
        }
        return a;
    }

    String positional(int i, String dflt) {
        return i < positional.size() ? positional.get(i) : dflt;
    }

    int positional(int i, int dflt) {
        return i < positional.size() ? Integer.parseInt(positional.get(i)) : dflt;
    }

    boolean flag(String name) {
        return options.containsKey(name);
    }

    String string(String name, String dflt) {
        return options.getOrDefault(name, dflt);
    }

    int integer(String name, int dflt) {
        String v = options.get(name);
        if (v == null) return dflt;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + v + "'", e);
        }
    }

    List<Integer> integers(String name, List<Integer> dflt) {
        String v = options.get(name);
        if (v == null) return dflt;
        return Arrays.stream(v.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }

    /** A comma-separated subset of {@code allowed}; each name checked. */
    List<String> parts(String name, List<String> dflt, Set<String> allowed) {
        String v = options.get(name);
        if (v == null) return dflt;
        List<String> out = Arrays.stream(v.split(",")).map(String::trim).filter(p -> !p.isEmpty()).toList();
        for (String p : out) {
            if (!allowed.contains(p)) throw new IllegalArgumentException("--" + name + ": unknown part '" + p + "' (known: " + allowed + ")");
        }
        return out;
    }
}

package io.replicator.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The modules follow the pipeline and no package depends, through any chain of imports, on a package that depends
 * on it: read from the main sources' package and import lines. A cycle (cutover ↔ rollback was one) hides which
 * stage owns what.
 */
class PackageCyclesTest {
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(io\\.replicator(?:\\.[a-z]\\w*)+)\\.[A-Z]", Pattern.MULTILINE);
    /** Which modules a module's main code may import from (the stages side by side over translate and core). */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "core", Set.of(),
            "translate", Set.of("core"),
            "snapshotter", Set.of("core", "translate"),
            "connector", Set.of("core", "translate"),
            "sink", Set.of("core", "translate"),
            "verify", Set.of("core", "translate"),
            "replicator", Set.of("core", "translate", "snapshotter", "connector", "sink", "verify"));

    @Test
    void noPackageCycleAndEveryModuleImportsOnlyTheStagesBelowIt() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Map<String, Set<String>> graph = new TreeMap<>();
        Map<String, String> moduleOf = new HashMap<>();
        List<Path> sources = new ArrayList<>();
        for (String module : ALLOWED.keySet()) {
            Path main = root.resolve(module).resolve("src/main/java");
            assertTrue(Files.isDirectory(main), "module " + module + " has main sources");
            try (Stream<Path> s = Files.walk(main)) {
                s.filter(p -> p.toString().endsWith(".java")).forEach(p -> {
                    sources.add(p);
                    moduleOf.put(p.toString(), module);
                });
            }
        }
        Map<String, String> packageModule = new HashMap<>();
        Map<String, Set<String>> imports = new HashMap<>();
        for (Path p : sources) {
            String src = Files.readString(p);
            Matcher pm = PACKAGE.matcher(src);
            assertTrue(pm.find(), "a package line in " + p);
            String pkg = pm.group(1);
            packageModule.put(pkg, moduleOf.get(p.toString()));
            Matcher im = IMPORT.matcher(src);
            while (im.find()) if (!im.group(1).equals(pkg)) imports.computeIfAbsent(pkg, k -> new TreeSet<>()).add(im.group(1));
            graph.computeIfAbsent(pkg, k -> new TreeSet<>());
        }
        imports.forEach((k, v) -> graph.get(k).addAll(v));
        List<String> wrong = new ArrayList<>();
        graph.forEach((pkg, deps) -> {
            String from = packageModule.get(pkg);
            for (String d : deps) {
                String to = packageModule.get(d);
                if (to != null && !to.equals(from) && !ALLOWED.get(from).contains(to)) wrong.add(pkg + " (" + from + ") imports " + d + " (" + to + ")");
            }
        });
        assertEquals(List.of(), wrong, "imports across modules against the pipeline");
        assertEquals(List.of(), cycles(graph), "package cycles");
    }

    /** Strongly connected components of more than one package (Tarjan). */
    private static List<Set<String>> cycles(Map<String, Set<String>> g) {
        List<Set<String>> out = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new HashSet<>();
        int[] counter = {0};
        for (String v : g.keySet()) if (!index.containsKey(v)) strong(v, g, index, low, stack, onStack, counter, out);
        return out;
    }

    private static void strong(String v, Map<String, Set<String>> g, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
                               Set<String> onStack, int[] counter, List<Set<String>> out) {
        index.put(v, counter[0]);
        low.put(v, counter[0]++);
        stack.push(v);
        onStack.add(v);
        for (String w : g.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                strong(w, g, index, low, stack, onStack, counter, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> comp = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                comp.add(w);
            } while (!w.equals(v));
            if (comp.size() > 1) out.add(comp);
        }
    }
}

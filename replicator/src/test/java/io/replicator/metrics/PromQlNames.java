package io.replicator.metrics;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads: what is left once string literals, label matchers, ranges, grouping
 * clauses, numbers, function calls and keywords are taken out. Enough for the expressions of our dashboard and rules;
 * a name it cannot see is a name the test does not check, so {@code PromQlNamesTest} pins it on real expressions.
 */
final class PromQlNames {
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
            "offset", "bool", "inf", "nan");
    private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private PromQlNames() {}

    static Set<String> of(String expr) {
        String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")        // string literals
                .replaceAll("\\{[^}]*}", " ")                                 // label matchers
                .replaceAll("\\[[^]]*]", " ")                                 // ranges, subqueries
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ") // grouping labels
                .replaceAll("\\$\\w+", " ");                                  // Grafana variables
        Set<String> names = new TreeSet<>();
        Matcher m = IDENT.matcher(s);
        while (m.find()) {
            String id = m.group();
            if (m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1))) continue; // the "m" of 5m, the "e" of 1e3
            int after = m.end();
            while (after < s.length() && s.charAt(after) == ' ') after++;
            if (after < s.length() && s.charAt(after) == '(') continue; // a function
            if (KEYWORDS.contains(id.toLowerCase())) continue;
            names.add(id);
        }
        return names;
    }
}

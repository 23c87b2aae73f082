package io.replicator.fleet;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.translate.plan.ColumnPlan;
import io.replicator.translate.plan.Plan;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.translate.plan.PlanScanner;
import io.replicator.translate.plan.Problem;
import io.replicator.translate.plan.TablePlan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@code plan --stores FILE}: the dry run of a whole fleet. Each store is planned as {@code plan} would (read only,
 * nothing written), in fleet order, and summed: tables, rows, bytes, the PostgreSQL types chosen, every problem,
 * and an estimated copy time. A store that cannot be read is reported, not fatal to the others.
 *
 * <p>The estimate is the snapshot benchmark's rate on a 2-core machine (docs/benchmarks.md: 379,593 rows/s and
 * 43 MB/s for a 568 MB file), the slower of the two for the store; a planning figure, not a promise.
 */
public final class FleetPlan {
    static final double ROWS_PER_SECOND = 379_593;
    static final double BYTES_PER_SECOND = 43e6;

    /** One store's plan, or why there is none. */
    public record StorePlan(String name, String sqlite, String schema, String priority, long bytes, int tables, long rows,
                            Map<String, Integer> types, List<String> errors, List<String> warnings, int notes, double estimatedSeconds,
                            String unreadable) {
        boolean movesWithoutLoss() {
            return unreadable == null && errors.isEmpty();
        }
    }

    public record Totals(int stores, int tables, long rows, long bytes, double estimatedSeconds, int storesWithLoss, int storesUnreadable) {}

    public record Report(String storesFile, List<StorePlan> stores, Totals totals) {
        /** 3 when any store cannot move without loss, else 2 when one cannot be read, else 0. */
        public int exitCode() {
            if (totals.storesWithLoss() > 0) return ExitCode.DATA_LOSS.code;
            if (totals.storesUnreadable() > 0) return ExitCode.BAD_CONFIG.code;
            return ExitCode.OK.code;
        }
    }

    private FleetPlan() {}

    public static Report plan(Path storesFile, Function<String, PlanOptions> optionsForSchema) {
        List<StorePlan> out = new ArrayList<>();
        for (Store s : StoresFile.read(storesFile)) out.add(planOne(s, optionsForSchema.apply(s.schema())));
        int tables = 0, loss = 0, unreadable = 0;
        long rows = 0, bytes = 0;
        double seconds = 0;
        for (StorePlan p : out) {
            tables += p.tables();
            rows += p.rows();
            bytes += p.bytes();
            seconds += p.estimatedSeconds();
            if (p.unreadable() != null) unreadable++;
            else if (!p.errors().isEmpty()) loss++;
        }
        return new Report(storesFile.toString(), out, new Totals(out.size(), tables, rows, bytes, seconds, loss, unreadable));
    }

    private static StorePlan planOne(Store s, PlanOptions options) {
        long bytes = size(s.sqlite()) + size(Path.of(s.sqlite() + "-wal"));
        try {
            PlanScanner.Result r = PlanScanner.scan(SqliteSource.of(s.sqlite().toString()), options);
            Plan plan = r.plan();
            Map<String, Integer> types = new TreeMap<>();
            long rows = 0;
            for (TablePlan t : plan.tables()) {
                rows += t.rows();
                for (ColumnPlan c : t.columns()) types.merge(c.type().sql(), 1, Integer::sum);
            }
            List<String> errors = new ArrayList<>(), warnings = new ArrayList<>();
            int notes = 0;
            for (Problem p : concat(plan.problems(), r.textProblems())) {
                switch (p.level()) {
                    case ERROR -> errors.add(p.toString());
                    case WARNING -> warnings.add(p.toString());
                    default -> notes++;
                }
            }
            double est = Math.max(rows / ROWS_PER_SECOND, bytes / BYTES_PER_SECOND);
            return new StorePlan(s.name(), s.sqlite().toString(), s.schema(), s.priority().name(), bytes, plan.tables().size(), rows, types,
                    errors, warnings, notes, est, null);
        } catch (ReplicatorException e) {
            return new StorePlan(s.name(), s.sqlite().toString(), s.schema(), s.priority().name(), bytes, 0, 0, Map.of(), List.of(), List.of(), 0, 0,
                    e.getMessage());
        }
    }

    private static List<Problem> concat(List<Problem> a, List<Problem> b) {
        List<Problem> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static long size(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** The report as markdown: a summary table, then each store's types and problems. */
    public static String markdown(Report r) {
        StringBuilder sb = new StringBuilder("# Fleet plan: ").append(r.storesFile()).append("\n\n");
        Totals t = r.totals();
        sb.append(t.stores()).append(" store(s), ").append(t.tables()).append(" table(s), ").append(t.rows()).append(" row(s), ")
                .append(mb(t.bytes())).append(" MB; estimated copy time ").append(duration(t.estimatedSeconds())).append(" (one store at a time). ")
                .append(t.storesWithLoss() == 0 && t.storesUnreadable() == 0 ? "Every store moves without loss as planned."
                        : t.storesWithLoss() + " store(s) cannot move without loss as planned, " + t.storesUnreadable() + " cannot be read.")
                .append("\n\n| store | priority | schema | tables | rows | MB | est. copy | errors | warnings | |\n")
                .append("|---|---|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (StorePlan p : r.stores()) {
            sb.append("| ").append(p.name()).append(" | ").append(p.priority()).append(" | ").append(p.schema()).append(" | ").append(p.tables())
                    .append(" | ").append(p.rows()).append(" | ").append(mb(p.bytes())).append(" | ").append(duration(p.estimatedSeconds()))
                    .append(" | ").append(p.errors().size()).append(" | ").append(p.warnings().size()).append(" | ")
                    .append(p.unreadable() != null ? "cannot be read" : p.errors().isEmpty() ? "ok" : "**loss as planned**").append(" |\n");
        }
        for (StorePlan p : r.stores()) {
            sb.append("\n## ").append(p.name()).append(" (").append(p.sqlite()).append(" → schema ").append(p.schema()).append(")\n\n");
            if (p.unreadable() != null) {
                sb.append("Cannot be read: ").append(p.unreadable()).append("\n");
                continue;
            }
            sb.append("Types: ");
            List<String> ts = new ArrayList<>();
            p.types().forEach((k, v) -> ts.add(k + " ×" + v));
            sb.append(String.join(", ", ts)).append(". Notes: ").append(p.notes()).append(" (run `plan --stores FILE --store ").append(p.name())
                    .append("` for each column's reason).\n");
            for (String e : p.errors()) sb.append("- ").append(e).append('\n');
            for (String w : p.warnings()) sb.append("- ").append(w).append('\n');
        }
        return sb.toString();
    }

    private static String mb(long bytes) {
        return String.format("%.1f", bytes / 1e6);
    }

    private static String duration(double s) {
        if (s < 1) return "<1 s";
        if (s < 120) return String.format("%.0f s", s);
        return String.format("%.0f min", s / 60);
    }
}

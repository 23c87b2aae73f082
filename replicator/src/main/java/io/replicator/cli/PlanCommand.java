package io.replicator.cli;

import io.replicator.core.model.SqliteCheck;

import io.replicator.core.Identifiers;
import java.util.ArrayList;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.fleet.FleetPlan;
import io.replicator.translate.plan.DdlBuilder;
import io.replicator.translate.plan.IndexPlan;
import io.replicator.translate.plan.Plan;
import io.replicator.translate.plan.Problem;
import io.replicator.translate.plan.TablePlan;
import io.replicator.translate.plan.PlanScanner;
import io.replicator.core.sqlite.SqliteSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code replicator plan}: prints the translated DDL and every problem found; writes nothing. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Print the PostgreSQL DDL and every problem found (type conflicts, colliding names, invalid UTF-8, defaults). Writes nothing.")
final class PlanCommand implements Callable<Integer> {
    @Mixin
    SourceTargetOptions opts;

    @Mixin
    TranslationOptions translation;

    @Option(names = "--report", paramLabel = "PATH", defaultValue = "fleet-plan",
            description = "With --stores: the fleet's report is written to PATH.md and PATH.json (default: ${DEFAULT-VALUE}).")
    Path report;

    @Override
    public Integer call() throws IOException {
        if (opts.wholeFleet()) return planFleet();
        SqliteSource source = opts.source();
        PlanScanner.Result r = translation.intoExisting
                ? PlanScanner.scanAgainst(source, translation.planOptions(opts.schema), opts.target())
                : PlanScanner.scan(source, translation.planOptions(opts.schema));
        Plan plan = r.plan();
        if (opts.json) {
            Json.print(new PlanJson(plan.sqlitePath(), plan.schema(), ddl(plan), plan.problems(), r.textProblems()));
        } else {
            System.out.println("-- plan for " + plan.sqlitePath() + (translation.intoExisting ? " into the existing tables of schema " : " into schema ")
                    + plan.schema());
            for (String s : ddl(plan)) System.out.println(s + ";");
            System.out.println();
            for (Problem p : plan.problems()) System.out.println(p);
            for (Problem p : r.textProblems()) System.out.println(p);
            long errors = plan.errors().size() + r.textProblems().size();
            System.out.println(errors == 0 ? "-- no data would be lost; " + plan.tables().size() + " table(s), "
                    + plan.tables().stream().mapToLong(TablePlan::rows).sum() + " row(s)"
                    : "-- " + errors + " column(s) cannot be moved without loss as planned (exit 3)");
        }
        return plan.hasErrors() || !r.textProblems().isEmpty() ? ExitCode.DATA_LOSS.code : ExitCode.OK.code;
    }

    /** {@code plan --stores FILE}: every store, one report (markdown and JSON); exit 3 if any store would lose data. */
    private int planFleet() throws IOException {
        if (translation.intoExisting) throw ReplicatorException.config("plan --stores plans the schemas the tool makes; for --into-existing plan each store (--store NAME)");
        FleetPlan.Report r = FleetPlan.plan(opts.stores, translation::planOptions);
        Path md = Path.of(report + ".md"), json = Path.of(report + ".json");
        Files.writeString(md, FleetPlan.markdown(r));
        Json.write(json, r);
        if (opts.json) Json.print(r);
        else System.out.print(FleetPlan.markdown(r).lines().takeWhile(l -> !l.startsWith("## ")).collect(Collectors.joining("\n", "", "\n")));
        System.err.println("fleet plan written to " + md.toAbsolutePath() + " and " + json.toAbsolutePath());
        return r.exitCode();
    }

    static List<String> ddl(Plan plan) {
        List<String> out = new ArrayList<>();
        if (plan.tables().stream().anyMatch(t -> t.columns().stream().anyMatch(c -> c.existing()))) return out; // --into-existing: nothing is created
        out.add("CREATE SCHEMA IF NOT EXISTS " + Identifiers.pg(plan.schema()));
        for (TablePlan t : plan.tables()) {
            out.add(DdlBuilder.createTable(plan.schema(), t));
            for (IndexPlan ix : t.indexes()) out.add(ix.sql());
            for (SqliteCheck c : t.checks()) out.add(DdlBuilder.check(plan.schema(), t, c));
        }
        for (TablePlan t : plan.tables()) out.addAll(t.foreignKeys());
        for (Plan.ViewPlan v : plan.views()) out.add(v.sql());
        return out;
    }

    record PlanJson(String sqlite, String schema, List<String> ddl, List<Problem> problems, List<Problem> textProblems) {}
}

package io.replicator.cli;

import io.replicator.core.ExitCode;
import io.replicator.snapshot.verify.Verifier;
import io.replicator.snapshot.verify.VerifyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code replicator verify}: row counts and checksums per table; exit 0 when equal, 1 when not. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Compare every table value by value (canonical form): row counts, checksums, and the differing keys. Exit 0 when equal, 1 when not.")
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    SourceTargetOptions opts;

    @Option(names = "--max-differences", defaultValue = "20", description = "Differing keys listed per table (default: ${DEFAULT-VALUE}).")
    int maxDifferences;

    @Override
    public Integer call() {
        if (maxDifferences < 0) throw io.replicator.core.ReplicatorException.config("--max-differences must be >= 0");
        VerifyReport r = new Verifier(opts.source(), opts.target(), opts.schema, maxDifferences).run();
        if (opts.json) {
            Json.print(r);
        } else {
            for (VerifyReport.TableResult t : r.tables()) {
                System.out.printf("%-40s %-9s sqlite=%d postgres=%d differing=%d checksum=%s %.2f s%n", t.source(), t.equal() ? "equal" : "DIFFERENT",
                        t.sqliteRows(), t.postgresRows(), t.differingKeys(), t.checksum(), t.seconds());
                if (t.error() != null) System.out.println("    " + t.error());
                for (VerifyReport.Difference d : t.differences()) {
                    System.out.println("    " + d.kind() + " " + d.key() + (d.sqlite() != null ? "\n      sqlite:   " + d.sqlite() : "")
                            + (d.postgres() != null ? "\n      postgres: " + d.postgres() : ""));
                }
            }
            System.out.printf("%s: %d table(s) compared in %.2f s%n", r.equal() ? "EQUAL" : "DIFFERENT", r.tables().size(), r.seconds());
        }
        return r.equal() ? ExitCode.OK.code : ExitCode.DIFFERENCES.code;
    }
}

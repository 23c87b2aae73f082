package io.replicator.cli;

import io.replicator.core.ReplicatorException;
import io.replicator.core.ExitCode;
import io.replicator.verify.VerifyReport;
import io.replicator.verify.OnlineVerify;
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

    @Option(names = "--sample-chunks", defaultValue = "0", paramLabel = "N",
            description = "0 (default): compare every row. N: compare row counts, and only N random key ranges (about 8,192 rows each)"
                    + " of each table with an integer key that has more; a quick check, not a proof.")
    int sampleChunks;

    @Option(names = "--online", defaultValue = "auto", paramLabel = "auto|on|off",
            description = "auto (default): when `run` is applying to the schema, hold it at a consistent position and compare at that"
                    + " position while the application keeps writing (rows changed since are left out); on: require that; off: plain comparison.")
    String online;

    @Override
    public Integer call() {
        if (maxDifferences < 0) throw ReplicatorException.config("--max-differences must be >= 0");
        if (sampleChunks < 0) throw ReplicatorException.config("--sample-chunks must be >= 0, got " + sampleChunks);
        OnlineVerify.Online mode = OnlineVerify.Online.parse(online);
        OnlineVerify.Result o = OnlineVerify.verify(opts.source(), opts.target(), opts.schema, maxDifferences, sampleChunks, mode);
        VerifyReport r = o.report();
        if (o.heldAt() != null) {
            long left = r.tables().stream().mapToLong(VerifyReport.TableResult::notCompared).sum();
            System.err.println("online: PostgreSQL was held at changelog seq " + o.heldAt() + "; " + left
                    + " row(s) changed in SQLite since were left out of the comparison");
        }
        if (opts.json) {
            Json.print(r);
        } else {
            for (VerifyReport.TableResult t : r.tables()) {
                System.out.printf("%-40s %-9s sqlite=%d postgres=%d chunks=%d differing=%d (in %d chunk(s))%s checksum=%s %.2f s%n", t.source(),
                        t.equal() ? "equal" : "DIFFERENT", t.sqliteRows(), t.postgresRows(), t.chunks(), t.differingKeys(), t.differingChunks(),
                        t.sample() == null ? "" : " sampled " + t.sample(), t.checksum(), t.seconds());
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

package io.replicator.cli;

import io.replicator.core.ReplicatorException;

import io.replicator.capture.WriteFence;
import io.replicator.core.ExitCode;
import io.replicator.cutover.Cutover;
import io.replicator.core.sqlite.SqliteSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code replicator cutover}: fence SQLite, drain, verify, move identities, hook, record — or lift the fence and say why. */
@Command(name = "cutover", mixinStandardHelpOptions = true,
        description = "Flip the application to PostgreSQL while `run` is streaming: fence SQLite writes, wait for lag 0, verify, move identities past the copied maxima, run the hook, record it. Any failure lifts the fence.")
final class CutoverCommand implements Callable<Integer> {
    @Mixin
    SourceTargetOptions opts;

    @Option(names = "--max-write-pause", defaultValue = "30s", converter = Durations.class, paramLabel = "DURATION",
            description = "Abort (and lift the fence) if writes would be refused longer than this (default: ${DEFAULT-VALUE}).")
    Duration maxWritePause;

    @Option(names = "--max-lag", defaultValue = "1000", paramLabel = "CHANGES",
            description = "Refuse to start while more changes than this wait to be applied (default: ${DEFAULT-VALUE}).")
    long maxLag;

    @Option(names = "--verify", defaultValue = "full", paramLabel = "full|sample|none",
            description = "Compare both sides while fenced (default: ${DEFAULT-VALUE}); sample compares row counts and "
                    + Cutover.SAMPLE_CHUNKS + " random key ranges of each big table (a shorter write pause); none skips it. Both with a warning.")
    String verify;

    @Option(names = "--hook", paramLabel = "CMD",
            description = "Shell command run after verification, before the cutover is recorded (env REPLICATOR_CUTOVER_SEQ, REPLICATOR_SCHEMA);"
                    + " a non-zero exit aborts the cutover.")
    String hook;

    @Option(names = "--allow-orphans",
            description = "Cut over even when rows break foreign keys (SQLite holds them when the application runs with foreign keys off):"
                    + " they move as they are and those keys become NOT VALID (checked for new rows only). Without it the cutover refuses"
                    + " (exit 1) and names the constraints and keys.")
    boolean allowOrphans;

    @Option(names = "--lift-fence", description = "Only take a write fence down (after a crash during a cutover), then exit.")
    boolean liftFence;

    @Override
    public Integer call() {
        SqliteSource source = opts.source();
        if (liftFence) {
            new WriteFence(source).lift();
            System.err.println("write fence lifted: " + source.path() + " accepts writes again");
            return ExitCode.OK.code;
        }
        Cutover.VerifyMode mode;
        try {
            mode = Cutover.VerifyMode.valueOf(verify.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ReplicatorException.config("--verify must be full, sample or none, got " + verify);
        }
        if (mode == Cutover.VerifyMode.NONE) System.err.println("warning: --verify=none: the cutover will not compare both sides");
        if (mode == Cutover.VerifyMode.SAMPLE) {
            System.err.println("warning: --verify=sample: row counts and " + Cutover.SAMPLE_CHUNKS
                    + " random key ranges per big table are compared, not every row; run a full `verify` before the cutover");
        }
        Cutover.Result r = new Cutover(source, opts.target(), opts.schema, new Cutover.Options(maxWritePause, maxLag, mode, hook, allowOrphans)).run();
        if (opts.json) Json.print(r);
        if (r.done()) {
            System.err.println("cutover done at changelog seq " + r.finalSeq() + ": writes were paused " + r.writePauseMs() + " ms;"
                    + " SQLite now refuses writes. Point the application at PostgreSQL (schema " + opts.schema + ").");
            return ExitCode.OK.code;
        }
        if (r.finalSeq() < 0) {
            System.err.println("cutover refused, nothing was fenced: " + r.reason());
        } else {
            System.err.println("cutover aborted after a write pause of " + r.writePauseMs() + " ms: " + r.reason()
                    + ". The fence is lifted: SQLite accepts writes again and replication goes on.");
        }
        return r.orphansRefused() || r.verify() != null && !r.verify().equal() ? ExitCode.DIFFERENCES.code : ExitCode.RUNTIME.code;
    }
}

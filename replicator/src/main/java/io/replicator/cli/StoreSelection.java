package io.replicator.cli;

import io.replicator.core.ReplicatorException;
import io.replicator.fleet.Store;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

/**
 * {@code --stores FILE --store NAME} on any command: before the command runs, its file and schema options take the
 * store's, and its feed options the store's topic and state. {@code --stores} alone is the whole fleet, which only
 * {@code run} and {@code plan} take.
 */
final class StoreSelection {
    private StoreSelection() {}

    static void apply(ParseResult parsed) {
        ParseResult p = parsed;
        while (p.hasSubcommand()) p = p.subcommand();
        CommandSpec spec = p.commandSpec();
        SourceTargetOptions opts = null;
        FeedOptions feed = null;
        for (CommandSpec m : spec.mixins().values()) {
            if (m.userObject() instanceof SourceTargetOptions o) opts = o;
            if (m.userObject() instanceof FeedOptions f) feed = f;
        }
        if (opts == null) return;
        if (opts.wholeFleet() && !spec.name().equals("run") && !spec.name().equals("plan")) {
            throw ReplicatorException.config(spec.name() + " works on one store: add --store NAME to --stores " + opts.stores);
        }
        Store s = opts.applyStore();
        if (s != null && feed != null) feed.useStore(s.name());
    }
}

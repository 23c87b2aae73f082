package io.replicator.sink;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.state.SnapshotState;
import io.replicator.translate.plan.ColumnPlan;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.translate.plan.TablePlan;
import io.replicator.translate.schema.ExistingSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A schema event when the target is the application's own tables ({@code --into-existing}): the application's
 * migrations make its tables on PostgreSQL, never the sink. A table or columns added in SQLite are applied once
 * PostgreSQL has them (the same migration run there); until then the sink stops and says which migration is
 * missing, and resumes from the same change when started again. A table dropped in SQLite is left to the
 * application's migration too: the sink only stops feeding it.
 */
final class ExistingSchemaChange {
    private static final Logger LOG = LoggerFactory.getLogger(ExistingSchemaChange.class);

    private ExistingSchemaChange() {}

    static void apply(Connection c, TargetCatalog catalog, SinkEvent e, PlanOptions options) throws SQLException {
        String schema = catalog.schema();
        if (e.ddl() == null) {
            if (catalog.pgName(c, e.table()) != null) SnapshotState.tableDropped(c, schema, e.table());
            LOG.info("table {} was dropped in SQLite; its PostgreSQL table in schema {} is the application's, left as it is", e.table(), schema);
            return;
        }
        TablePlan plan = SchemaApplier.plan(schema, e, options);
        ExistingSchema.Table target = ExistingSchema.read(c, schema).get(plan.pgName());
        if (target == null) {
            throw new ReplicatorException(ExitCode.BAD_CONFIG, "table " + e.table() + " was added in SQLite, and schema " + schema + " has no table "
                    + plan.pgName() + ": with --into-existing the application's migrations make its tables. Run the same migration against PostgreSQL,"
                    + " then start again; replication resumes with this change");
        }
        List<String> missing = new ArrayList<>();
        for (ColumnPlan col : plan.columns()) if (!target.columns().containsKey(col.pgName())) missing.add(col.pgName());
        if (!missing.isEmpty()) {
            throw new ReplicatorException(ExitCode.BAD_CONFIG, "table " + e.table() + " has column(s) " + missing + " in SQLite that PostgreSQL table "
                    + schema + "." + plan.pgName() + " does not have: with --into-existing the application's migrations make its columns. Run the same"
                    + " migration against PostgreSQL, then start again; replication resumes with this change");
        }
        if (catalog.pgName(c, e.table()) == null) SnapshotState.tableAdded(c, schema, plan.pgName(), e.table());
    }
}

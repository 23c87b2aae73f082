package io.replicator.core;

import java.util.Locale;

import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that turns a PostgreSQL failure into an exit class and a hint for the operator. A missing
 * privilege (42501), failed authentication (28xxx), a database that does not exist (3D000) and an SSL
 * certificate problem are permanent until someone changes the configuration or the grants, so they are exit 2;
 * everything else (host down, connection lost, disk full, ...) is a runtime failure, exit 4. Connection failures
 * are told apart by {@link ConnectFailure}.
 */
public final class PostgresErrors {
    private static final Pattern DENIED = Pattern.compile("permission denied for (schema|database|table|relation|sequence|view) \"?([^\"\\s]+)\"?");
    private static final Pattern NOT_OWNER = Pattern.compile("must be owner of (\\w+) \"?([^\"\\s]+)\"?");

    private PostgresErrors() {}

    public static ExitCode exitCode(SQLException e) {
        String s = e.getSQLState() == null ? "" : e.getSQLState();
        return s.equals("42501") || ConnectFailure.classify(e).permanent() ? ExitCode.BAD_CONFIG : ExitCode.RUNTIME;
    }

    /** What the operator can do about {@code e}, or "" when there is nothing specific to say. */
    public static String hint(SQLException e, PostgresUrl target) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String msg = e.getMessage() == null ? "" : e.getMessage();
        String role = target.user();
        if (state.equals("42501")) {
            Matcher m = DENIED.matcher(msg);
            if (m.find()) {
                String kind = m.group(1).equals("relation") ? "table" : m.group(1);
                String name = m.group(2);
                return switch (kind) {
                    case "schema" -> name.equals("replicator")
                            ? "the role " + role + " may not use schema replicator, where the replicator keeps its state: have its owner run GRANT USAGE ON SCHEMA "
                            + "replicator TO " + role + " and GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA replicator TO " + role + ", or connect as its owner"
                            : "the role " + role + " may not use schema " + name + ": connect as its owner, "
                            + "have the owner run GRANT USAGE, CREATE ON SCHEMA " + name + " TO " + role + ", or choose another --schema";
                    case "database" -> "the role " + role + " may not create schemas in database " + name + ": GRANT CREATE ON DATABASE " + name
                            + " TO " + role + ", or create the schemas 'replicator' and the target schema beforehand and grant " + role + " USAGE, CREATE on them";
                    default -> "the role " + role + " has no access to " + kind + " " + name + ": connect as its owner, or GRANT SELECT, INSERT, UPDATE, DELETE ON "
                            + name + " TO " + role;
                };
            }
            Matcher o = NOT_OWNER.matcher(msg);
            if (o.find()) {
                return "only the owner of " + o.group(1) + " " + o.group(2) + " may do this: connect as its owner, or have it run ALTER "
                        + o.group(1).toUpperCase(Locale.ROOT) + " " + o.group(2) + " OWNER TO " + role;
            }
            return "the role " + role + " lacks a privilege: connect as the owner of the object named, or grant " + role + " the privilege";
        }
        return ConnectFailure.classify(e).hint(e, target);
    }

    /**
     * {@code what} failed because of {@code e}: the server's message (password masked), its SQLState and the
     * hint, as a ReplicatorException of the right exit class with {@code e} chained.
     */
    public static ReplicatorException wrap(String what, SQLException e, PostgresUrl target) {
        String why = target.mask(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        String hint = hint(e, target);
        String state = e.getSQLState() == null ? "" : " (SQLState " + e.getSQLState() + ")";
        return new ReplicatorException(exitCode(e), what + ": " + why + state + (hint.isEmpty() ? "" : "; " + hint), e);
    }
}

package io.replicator.core;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.sql.SQLException;
import java.util.Locale;

import javax.net.ssl.SSLException;

/**
 * Why a connection to PostgreSQL could not be made or was refused, told apart by SQLState, the driver's message
 * and the cause chain, so that the operator's hint points at the real cause: a certificate problem is not a
 * network problem, a wrong password is not a missing database. The server's own verdicts (SQLState 28xxx,
 * 3D000) are checked first, since a server that answered is reachable; then SSL/TLS, then the network.
 * {@link #NONE} means {@code e} is not a connection failure (a query's error, say).
 */
public enum ConnectFailure {
    /** SSL/TLS: a root certificate file missing, a certificate that does not verify, a server without SSL. */
    CERTIFICATE,
    /** The server refused the credentials (28P01, 28000) or wanted a password none was given for. */
    AUTHENTICATION,
    /** pg_hba.conf has no rule that lets this user connect from here (28000 "no pg_hba.conf entry"). */
    NOT_ALLOWED,
    /** The database named in the URL does not exist (3D000). */
    DATABASE_MISSING,
    /** The host name does not resolve. */
    UNKNOWN_HOST,
    /** Nothing listens at host:port (connection refused). */
    REFUSED,
    /** No answer within the connect timeout. */
    TIMEOUT,
    /** Another failure of the connection (SQLState class 08). */
    NETWORK,
    NONE;

    public static ConnectFailure classify(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String msg = messages(e);
        if (state.startsWith("28")) return msg.contains("pg_hba.conf") ? NOT_ALLOWED : AUTHENTICATION;
        if (state.equals("3D000")) return DATABASE_MISSING;
        if (msg.contains("no password was provided")) return AUTHENTICATION;
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SSLException || c instanceof GeneralSecurityException) return CERTIFICATE;
        }
        boolean connection = state.isEmpty() || state.startsWith("08"); // the driver's own SSL failures are class 08
        if (connection && (msg.contains("ssl") || msg.contains("certificate"))) return CERTIFICATE;
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof UnknownHostException) return UNKNOWN_HOST;
            if (c instanceof ConnectException) return REFUSED;
            if (c instanceof SocketTimeoutException) return TIMEOUT;
        }
        return state.startsWith("08") ? NETWORK : NONE;
    }

    /** Whether running again unchanged cannot help (exit 2): everything but the network kinds and {@link #NONE}. */
    public boolean permanent() {
        return this == CERTIFICATE || this == AUTHENTICATION || this == NOT_ALLOWED || this == DATABASE_MISSING;
    }

    /** What the operator can do about {@code e} of this kind, connecting to {@code target}; "" for {@link #NONE}. */
    public String hint(SQLException e, PostgresUrl target) {
        String where = target.host() + ":" + target.port();
        String msg = messages(e);
        return switch (this) {
            case CERTIFICATE -> certificateHint(msg, target);
            case AUTHENTICATION -> msg.contains("role") && msg.contains("does not exist")
                    ? "the role " + target.user() + " does not exist on " + where + ": check the user in --postgres / DATABASE_URL"
                    : msg.contains("no password was provided")
                    ? "the server wants a password for " + target.user() + ": put it in the URL, in a file named by --postgres-password-file, or in a"
                    + " PGPASSFILE (~/.pgpass format)"
                    : "check the user and password in --postgres / DATABASE_URL (or the file of --postgres-password-file)";
            case NOT_ALLOWED -> "the server's pg_hba.conf has no rule for user " + target.user() + " from this host to database " + target.database()
                    + (msg.contains("no encryption") || msg.contains("ssl off") ? " without SSL (try sslmode=require)" : "")
                    + ": have its administrator add one, or connect as a user it allows";
            case DATABASE_MISSING -> "create the database first (createdb " + target.database() + ") or name an existing one in --postgres";
            case UNKNOWN_HOST -> "the host name " + target.host() + " does not resolve: check the host in --postgres / DATABASE_URL (and DNS)";
            case REFUSED -> "nothing accepts connections at " + where + ": check that PostgreSQL is running there and listening on that port"
                    + " (listen_addresses, the port in --postgres), reachable from here";
            case TIMEOUT -> "no answer from " + where + " within " + PostgresUrl.CONNECT_TIMEOUT_SECONDS
                    + " s: check the host and port, and that no firewall drops the connection";
            case NETWORK -> "check that PostgreSQL is running and reachable at " + where;
            case NONE -> "";
        };
    }

    private static String certificateHint(String msg, PostgresUrl target) {
        if (msg.contains("does not support ssl")) {
            return "an SSL problem, not a network one: the server at " + target.host() + ":" + target.port() + " does not accept SSL (ssl = off):"
                    + " turn ssl on in its postgresql.conf, or lower sslmode in --postgres";
        }
        if (msg.contains("root certificate")) {
            return "an SSL problem, not a network one: sslmode=verify-ca/verify-full checks the server's certificate against a root"
                    + " certificate, and that file is missing or unreadable: add sslrootcert=/path/to/root.crt to --postgres (the CA that signed the"
                    + " server's certificate), or use sslmode=require to encrypt without verifying";
        }
        if (msg.contains("hostname") || msg.contains("host name")) {
            return "an SSL problem, not a network one: the server's certificate does not name " + target.host()
                    + ": connect by a name the certificate holds, or use sslmode=verify-ca";
        }
        return "an SSL problem, not a network one: the server's certificate could not be verified or SSL could not be set up: check"
                + " sslmode, sslrootcert (and sslcert/sslkey if the server wants a client certificate) in --postgres";
    }

    /** Every message of the cause chain, lower-cased, for matching. */
    private static String messages(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c.getMessage() != null) sb.append(c.getMessage()).append('\n');
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }
}

package io.replicator.core;

import java.net.UnknownHostException;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A PostgreSQL location given as {@code postgresql://user:pass@host:port/db?sslmode=...} (also
 * {@code postgres://}) or {@code jdbc:postgresql://host:port/db?user=..&password=..}. The password is kept
 * out of {@link #toString()} and {@link #redacted()}, which are the only forms that may reach a log.
 */
public final class PostgresUrl {
    /** Connections that cannot be made fail within this many seconds, naming host and port. */
    public static final int CONNECT_TIMEOUT_SECONDS = 5;

    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;
    private final Map<String, String> params;

    private PostgresUrl(String host, int port, String database, String user, String password, Map<String, String> params) {
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
        this.params = params;
    }

    public static PostgresUrl parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw ReplicatorException.config("--postgres is required (or set DATABASE_URL), e.g. postgresql://user@127.0.0.1:5432/mydb");
        }
        String s = raw.trim();
        boolean jdbc = s.startsWith("jdbc:");
        if (jdbc) {
            s = s.substring("jdbc:".length());
        }
        if (!(s.startsWith("postgresql://") || s.startsWith("postgres://"))) {
            throw ReplicatorException.config("--postgres: expected postgresql://user:pass@host:port/db or jdbc:postgresql://host:port/db, got '"
                    + redactRaw(raw) + "'");
        }
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            throw ReplicatorException.config("--postgres: not a valid URL ('" + redactRaw(raw) + "'): " + e.getReason());
        }
        String host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String db = path.startsWith("/") ? decode(path.substring(1)) : decode(path);
        if (db.isEmpty()) {
            throw ReplicatorException.config("--postgres: the URL names no database ('" + redactRaw(raw) + "'); add /dbname after host:port");
        }
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        Map<String, String> params = new LinkedHashMap<>();
        String query = uri.getRawQuery();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                String k = decode(eq < 0 ? pair : pair.substring(0, eq));
                String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
                switch (k) {
                    case "user" -> user = v;
                    case "password" -> password = v;
                    default -> params.put(k, v);
                }
            }
        }
        if (user == null || user.isEmpty()) {
            user = System.getProperty("user.name");
        }
        return new PostgresUrl(host, port, db, user, password, params);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** Masks anything that looks like a password in a URL the user typed, for error messages. */
    public static String redactRaw(String raw) {
        if (raw == null) return "";
        return raw.replaceAll("(://[^:/@]*:)[^@]*@", "$1***@").replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    public String host() { return host; }
    public int port() { return port; }
    public String database() { return database; }
    public String user() { return user; }

    /** True when the URL carries a password (in its user info or as {@code ?password=}). */
    public boolean hasPassword() { return password != null; }

    /** The same target with {@code password} (from a separate secret, never from a URL that is shown or logged). */
    public PostgresUrl withPassword(String password) {
        return new PostgresUrl(host, port, database, user, password, params);
    }

    public String jdbcUrl() {
        StringBuilder sb = new StringBuilder("jdbc:postgresql://").append(host.contains(":") ? "[" + host + "]" : host)
                .append(':').append(port).append('/').append(database);
        char sep = '?';
        for (Map.Entry<String, String> e : params.entrySet()) {
            sb.append(sep).append(e.getKey()).append('=').append(e.getValue());
            sep = '&';
        }
        return sb.toString();
    }

    public Properties properties(String applicationName) {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) p.setProperty("password", password);
        p.putIfAbsent("connectTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
        p.putIfAbsent("loginTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
        p.putIfAbsent("socketTimeout", "0");
        p.setProperty("ApplicationName", applicationName);
        p.setProperty("reWriteBatchedInserts", "true");
        return p;
    }

    /**
     * Opens a connection or fails within about {@value #CONNECT_TIMEOUT_SECONDS} s with a message naming host and
     * port: exit 2 when retrying cannot help (wrong password, no such database), else exit 4.
     */
    public Connection connect(String applicationName) {
        try {
            return DriverManager.getConnection(jdbcUrl(), properties(applicationName));
        } catch (SQLException e) {
            String where = "cannot connect to PostgreSQL at " + host + ":" + port + "/" + database + " as " + user;
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof UnknownHostException) {
                    throw new ReplicatorException(ExitCode.RUNTIME, where + ": unknown host " + host + "; " + PostgresErrors.hint(e, this), null);
                }
            }
            ReplicatorException w = PostgresErrors.wrap(where, e, this);
            throw new ReplicatorException(w.exitCode(), w.getMessage(), null); // the driver's exception adds nothing but its stack
        }
    }

    /** {@code text} with this URL's password masked, for messages that quote the server or the driver. */
    public String mask(String text) {
        if (text == null || password == null || password.isEmpty()) return text;
        return text.replace(password, "***");
    }

    /** The URL with the password masked: the only form of it that may appear in logs, reports and errors. */
    public String redacted() {
        return "postgresql://" + user + (password == null ? "" : ":***") + "@" + host + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return redacted();
    }
}

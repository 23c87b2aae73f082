package io.replicator.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import io.replicator.core.ReplicatorException;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The log file of a long-running command: everything logged at or above the chosen level, the libraries' lines
 * included, in {@code <state-dir>/logs/replicator.log}, kept to {@value #MAX_FILE_SIZE} per file and
 * {@value #FILES} files (rolled to replicator.1.log ... so that a run of weeks cannot fill the state directory,
 * which also holds the embedded broker's data). The console keeps showing only the tool's own lines
 * ({@link ConsoleFilter}). Attached to the root logger while open; {@link #close()} detaches it and restores the
 * level, so commands run one after another in one JVM (the tests) each write to their own file.
 */
public final class LogFile implements AutoCloseable {
    /** The levels --log-level accepts. */
    public static final List<String> LEVELS = List.of("error", "warn", "info", "debug", "trace");
    static final String MAX_FILE_SIZE = "20MB";
    static final int FILES = 5;
    private static final String APPENDER = "replicator-file";

    private final Path path;
    private final Logger root;
    private final RollingFileAppender<ILoggingEvent> appender;
    private final Level previous;

    private LogFile(Path path, Logger root, RollingFileAppender<ILoggingEvent> appender, Level previous) {
        this.path = path;
        this.root = root;
        this.appender = appender;
        this.previous = previous;
    }

    /** The level named by --log-level; refused (exit 2) unless it is one of {@link #LEVELS}. */
    public static Level level(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (!LEVELS.contains(n)) throw ReplicatorException.config("--log-level: '" + name + "' is not one of " + String.join(", ", LEVELS));
        return Level.toLevel(n);
    }

    /**
     * Opens {@code <stateDir>/logs/replicator.log} at {@code level} (one of {@link #LEVELS}); null when the logging
     * backend is not logback (the tool's classes inside another host), where there is nothing to attach to.
     */
    public static LogFile open(Path stateDir, String level) {
        Level lvl = level(level);
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) return null;
        Path dir = stateDir.toAbsolutePath().normalize().resolve("logs");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw ReplicatorException.runtime("cannot create the log directory " + dir + ": " + e.getMessage(), e);
        }
        Path file = dir.resolve("replicator.log");
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        detach(root);

        RollingFileAppender<ILoggingEvent> app = new RollingFileAppender<>();
        app.setContext(ctx);
        app.setName(APPENDER);
        app.setFile(file.toString());
        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(ctx);
        rolling.setParent(app);
        rolling.setFileNamePattern(dir.resolve("replicator.%i.log").toString());
        rolling.setMinIndex(1);
        rolling.setMaxIndex(FILES - 1);
        rolling.start();
        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(ctx);
        trigger.setMaxFileSize(FileSize.valueOf(MAX_FILE_SIZE));
        trigger.start();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger - %msg%n");
        encoder.start();
        app.setRollingPolicy(rolling);
        app.setTriggeringPolicy(trigger);
        app.setEncoder(encoder);
        app.start();
        if (!app.isStarted()) throw ReplicatorException.runtime("cannot open the log file " + file + " (see the directory's permissions)", null);
        Level previous = root.getLevel();
        root.setLevel(lvl);
        root.addAppender(app);
        return new LogFile(file, root, app, previous);
    }

    public Path path() {
        return path;
    }

    /** Whether the file takes debug lines: then the embedded broker's chatter is not lowered either. */
    public static boolean debug() {
        return LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).isDebugEnabled();
    }

    /**
     * Sets {@code loggers} to {@code level} unless an operator set them (logback.xml) or the file takes debug lines;
     * no-op on another backend.
     */
    public static void lower(List<String> loggers, String level) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) || debug()) return;
        for (String name : loggers) {
            Logger l = ctx.getLogger(name);
            if (l.getLevel() == null) l.setLevel(Level.toLevel(level));
        }
    }

    private static void detach(Logger root) {
        var old = root.getAppender(APPENDER);
        if (old != null) {
            root.detachAppender(old);
            old.stop();
        }
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
        root.setLevel(previous);
    }
}

package io.replicator.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * What the operator's console shows of the log: the tool's own lines ({@code io.replicator.*}) from INFO up, and
 * of the libraries (Kafka, Debezium, Micronaut, HikariCP, ...) only errors, which usually explain why the tool
 * is about to stop (a full disk under the embedded broker, say). Everything else the libraries say goes to the
 * log file alone ({@link LogFile}). Named in logback.xml.
 */
public final class ConsoleFilter extends Filter<ILoggingEvent> {
    static final String OWN = "io.replicator";

    @Override
    public FilterReply decide(ILoggingEvent event) {
        return shown(event.getLoggerName(), event.getLevel()) ? FilterReply.NEUTRAL : FilterReply.DENY;
    }

    static boolean shown(String logger, Level level) {
        boolean own = logger.equals(OWN) || logger.startsWith(OWN + ".");
        return level.isGreaterOrEqual(own ? Level.INFO : Level.ERROR);
    }
}

package maintsync;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import maintsync.vrops.Operation;
import maintsync.vrops.RecordedRequest;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.filter.AbstractFilter;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Every log line of a run with every logger turned up to TRACE, for tests that prove no secret reaches a log. Held back
 * are only the loggers that print raw HTTP requests, cookies, resolved settings or the arguments of bean calls (the Kamelet keeps
 * its token in a map): the shipped configuration pins them at INFO, and so does the capture.
 * <p>
 * Lines are handed to a consumer as they are written, so a long run needs no memory for them; the usual appenders are
 * detached meanwhile, so the console is not flooded with TRACE output. Closing restores the test configuration.
 */
public final class LogCapture implements AutoCloseable {

    /**
     * The loggers {@code application.properties} and {@code jbang/log4j2.properties} pin at INFO, but for
     * {@link #REJECTED_COOKIES}, pinned at ERROR.
     */
    public static final List<String> CONFIDENTIAL_LOGGERS = List.of("org.apache.hc.client5.http.headers", "org.apache.hc.client5.http.wire",
            "org.apache.hc.client5.http.protocol.RequestAddCookies", "org.apache.hc.client5.http.protocol.ResponseProcessCookies",
            "org.apache.camel.component.properties", "org.apache.camel.impl.engine.DefaultCamelContextExtension",
            "org.apache.camel.component.bean");

    /** Warns with the whole cookie, a vCenter session's included, when HttpClient rejects one. */
    public static final String REJECTED_COOKIES = "org.apache.hc.client5.http.protocol.ResponseProcessCookies";

    /** The level a confidential logger is pinned at. */
    public static Level pinnedLevel(String logger) {
        return logger.equals(REJECTED_COOKIES) ? Level.ERROR : Level.INFO;
    }

    private static final String APPENDER = "capture";

    /**
     * Formats each message before the capture appender runs: some arguments log while they are turned into text (the
     * toString of Camel's SSL context logs its cipher suites at DEBUG), and log4j drops an event logged from inside an
     * appender, which would leave those lines unchecked. The formatted text is kept in the message for the layout.
     */
    private static final Filter FORMAT_FIRST = new AbstractFilter() {
        @Override
        public Result filter(LogEvent event) {
            event.getMessage().getFormattedMessage();
            return Result.NEUTRAL;
        }
    };

    private final LoggerContext logging;

    private LogCapture(LoggerContext logging) {
        this.logging = logging;
    }

    /** Starts capturing; {@code lines} is called from every logging thread, once per line of each log event. */
    public static LogCapture everythingAtTrace(Consumer<String> lines) {
        LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = logging.getConfiguration();
        LineAppender capture = new LineAppender(lines);
        capture.start();
        configuration.addAppender(capture);
        for (LoggerConfig logger : Map.copyOf(configuration.getLoggers()).values()) {
            logger.setLevel(Level.TRACE);
            logger.getAppenders().keySet().forEach(logger::removeAppender);
        }
        configuration.getRootLogger().addAppender(capture, Level.ALL, null);
        configuration.getRootLogger().addFilter(FORMAT_FIRST);
        CONFIDENTIAL_LOGGERS.forEach(name -> configuration.addLogger(name, new LoggerConfig(name, pinnedLevel(name), true)));
        logging.updateLoggers();
        return new LogCapture(logging);
    }

    /**
     * What no log line may hold: the password, and both halves of every token vROps issued in {@code requests} (a
     * token is {@code <uuid>::<uuid>}, and a half is as good as the whole to find a session).
     */
    public static List<String> secrets(String password, List<RecordedRequest> requests) {
        ObjectMapper json = new ObjectMapper();
        List<String> secrets = new ArrayList<>(List.of(password));
        for (RecordedRequest request : requests) {
            if (request.operation() == Operation.ACQUIRE_TOKEN && request.status() == 200) {
                String token;
                try {
                    token = json.readTree(request.responseBody()).path("token").asText();
                } catch (Exception e) {
                    throw new IllegalStateException("vROps issued a token in a body that is not JSON", e);
                }
                secrets.addAll(List.of(token.split("::", 2)));
            }
        }
        return secrets;
    }

    @Override
    public void close() {
        logging.getConfiguration().getRootLogger().removeAppender(APPENDER);
        logging.getConfiguration().getRootLogger().removeFilter(FORMAT_FIRST);
        CONFIDENTIAL_LOGGERS.forEach(logging.getConfiguration()::removeLogger);
        logging.reconfigure();
    }

    /** Formats each event as logger name, message and stack trace, and hands on its lines. */
    private static final class LineAppender extends AbstractAppender {

        private final PatternLayout layout;
        private final Consumer<String> lines;

        LineAppender(Consumer<String> lines) {
            this(PatternLayout.newBuilder().withPattern("%c %m%n%throwable").build(), lines);
        }

        private LineAppender(PatternLayout layout, Consumer<String> lines) {
            super(APPENDER, null, layout, true, Property.EMPTY_ARRAY);
            this.layout = layout;
            this.lines = lines;
        }

        @Override
        public void append(LogEvent event) {
            layout.toSerializable(event).lines().forEach(lines);
        }
    }
}

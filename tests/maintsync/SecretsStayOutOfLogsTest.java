package maintsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import maintsync.vrops.Operation;
import maintsync.vrops.RecordedRequest;
import maintsync.vrops.VropsSimulator;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.Test;

/**
 * A whole run, from start to stop with every logger at TRACE, logs neither the vROps password nor any token vROps
 * issued. Held back are only the loggers that print raw HTTP requests, resolved settings or the arguments of bean
 * calls (the Kamelet keeps its token in a map), which the shipped configuration pins at INFO.
 */
class SecretsStayOutOfLogsTest {

    private static final String PASSWORD = "sim-admin-password";
    private static final List<String> CONFIDENTIAL_LOGGERS = List.of("org.apache.hc.client5.http.headers", "org.apache.hc.client5.http.wire",
            "org.apache.camel.component.properties", "org.apache.camel.impl.engine.DefaultCamelContextExtension",
            "org.apache.camel.component.bean");

    @Test
    void noPasswordAndNoTokenInAnyLogLine() throws Exception {
        StringWriter logs = new StringWriter();
        LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = logging.getConfiguration();
        WriterAppender capture = WriterAppender.newBuilder().setName("capture").setTarget(logs)
                .setLayout(PatternLayout.newBuilder().withPattern("%c %m%n%throwable").build()).build();
        capture.start();
        configuration.addAppender(capture);
        Map<String, LoggerConfig> before = Map.copyOf(configuration.getLoggers());
        before.values().forEach(logger -> logger.setLevel(Level.TRACE));
        configuration.getRootLogger().addAppender(capture, Level.ALL, null);
        CONFIDENTIAL_LOGGERS.forEach(name -> configuration.addLogger(name, new LoggerConfig(name, Level.INFO, true)));
        logging.updateLoggers();

        List<RecordedRequest> requests;
        try (VropsSimulator vrops = VropsSimulator.builder().start()) {
            try (IntegrationHarness integration = IntegrationHarness.against(vrops)) {
                integration.send(VcenterEvent.entered("esx01.lab.local", "host-21"));
                vrops.expireAllTokens();
                integration.send(VcenterEvent.exited("esx01.lab.local", "host-21").eventRouterFormat());
                vrops.faults().failNext(Operation.MARK_MAINTAINED, 5, 503);
                integration.send(VcenterEvent.entered("esx10.lab.local", "host-11"));
                integration.send(VcenterEvent.entered("esx01.lab.local", "host-21").body("{"));
                integration.send(VcenterEvent.entered("esx99.lab.local", "host-99"));
            }
            requests = vrops.requests();
        } finally {
            configuration.getRootLogger().removeAppender("capture");
            CONFIDENTIAL_LOGGERS.forEach(configuration::removeLogger);
            logging.reconfigure();
        }

        List<String> secrets = new java.util.ArrayList<>(List.of(PASSWORD));
        for (String token : issuedTokens(requests)) {
            secrets.add(token.substring(0, token.indexOf("::")));
            secrets.add(token.substring(token.indexOf("::") + 2));
        }
        assertThat(secrets).hasSize(5);
        List<String> lines = logs.toString().lines().toList();
        assertThat(lines).hasSizeGreaterThan(1000).anyMatch(line -> line.contains("Acquired a vROps token"));
        assertThat(lines).as("log lines holding a secret").filteredOn(line -> secrets.stream().anyMatch(line::contains)).isEmpty();
    }

    @Test
    void theShippedConfigurationPinsTheRawHttpLoggers() throws Exception {
        String settings = Files.readString(Path.of("application.properties"));

        for (String logger : CONFIDENTIAL_LOGGERS) {
            assertThat(settings).contains("quarkus.log.category.\"" + logger + "\".level=INFO");
        }
    }

    private static List<String> issuedTokens(List<RecordedRequest> requests) {
        ObjectMapper json = new ObjectMapper();
        return requests.stream().filter(request -> request.operation() == Operation.ACQUIRE_TOKEN && request.status() == 200)
                .map(request -> {
                    try {
                        return json.readTree(request.responseBody()).path("token").asText();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).toList();
    }
}

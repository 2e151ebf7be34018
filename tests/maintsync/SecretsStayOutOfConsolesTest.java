package maintsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import maintsync.vrops.VropsSimulator;
import org.apache.camel.console.DevConsole;
import org.apache.camel.console.DevConsoleRegistry;
import org.junit.jupiter.api.Test;

/**
 * The token lives in a Java object only, and the password is no Camel property: no Camel dev console (variables,
 * beans, properties, routes and the rest, as Camel JBang serves them and writes them to its status file) and no JMX
 * attribute of Camel's MBeans shows either, while the integration holds a token and has applied events. The JSON
 * form of Camel 4.17's {@code properties} console lists every property unmasked: the password must not be one.
 * Run as {@code camel run} runs it (profile dev: message history, the tracer on standby) with the tracer on, as
 * {@code camel trace} turns it on, for the Kamelets' routes too: the steps of the vROps calls, which carry the password
 * or the token, are neither traced nor in the message history.
 */
class SecretsStayOutOfConsolesTest {

    private static final String PASSWORD = "sim-admin-password";

    @Test
    void noConsoleAndNoMBeanShowsThePasswordOrTheToken() throws Exception {
        try (VropsSimulator vrops = VropsSimulator.builder().start();
                IntegrationHarness integration = IntegrationHarness.against(vrops, Map.of(
                        "camel.main.devConsoleEnabled", "true", "camel.main.jmxEnabled", "true", "camel.main.profile", "dev",
                        "camel.trace.enabled", "true", "camel.trace.traceTemplates", "true"))) {
            assertThat(integration.send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
            assertThat(integration.send(VcenterEvent.exited("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
            List<String> secrets = LogCapture.secrets(PASSWORD, vrops.requests());

            List<String> shown = new ArrayList<>();
            DevConsoleRegistry consoles = integration.context().getCamelContextExtension().getContextPlugin(DevConsoleRegistry.class);
            consoles.stream().forEach(console -> {
                shown.add(console.getId() + ": " + console.call(DevConsole.MediaType.TEXT));
                shown.add(console.getId() + ": " + console.call(DevConsole.MediaType.JSON));
            });
            // what camel trace reads: every traced message
            shown.add("trace: " + consoles.resolveById("trace").call(DevConsole.MediaType.JSON, Map.of("dump", "true")));
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            int attributes = 0;
            for (ObjectName bean : server.queryNames(new ObjectName("org.apache.camel:*"), null)) {
                for (MBeanAttributeInfo attribute : server.getMBeanInfo(bean).getAttributes()) {
                    try {
                        shown.add(bean + " " + attribute.getName() + ": " + server.getAttribute(bean, attribute.getName()));
                        attributes++;
                    } catch (Exception unreadable) {
                        // some attributes cannot be read outside their context; they show nothing either
                    }
                }
            }

            assertThat(consoles.stream().map(DevConsole::getId)).contains("variables", "properties", "bean", "route", "trace", "message-history");
            assertThat(shown).as("the event's exchanges are traced").anyMatch(text -> text.startsWith("trace: ") && text.contains("apply-maintenance"));
            assertThat(attributes).isGreaterThan(100);
            assertThat(secrets).hasSizeGreaterThan(1);
            assertThat(shown).filteredOn(text -> text.startsWith("properties: {locations=")).hasSize(1)
                    .allSatisfy(json -> assertThat(json).contains("vrops.password-file"));
            assertThat(shown).noneMatch(text -> secrets.stream().anyMatch(text::contains));
        }
    }
}

package maintsync.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import maintsync.k8s.Manifests.Manifest;
import org.apache.camel.util.URISupport;
import maintsync.VcenterEvent;
import org.junit.jupiter.api.Test;

/**
 * The Triggers deliver exactly the events the route consumes, to the paths its consumers listen at: one Trigger per
 * event type of the route for Tanzu Sources, the type and subjects the route filters on for the Event Router, all
 * sent to the Integration's Knative Service, and none made by the operator besides. The Pipes consume the same types.
 */
class TriggersMatchTheRouteTest {

    /** How Camel K finds a Java route's consumers: pkg/util/source/inspector_java_source.go. */
    private static final Pattern JAVA_FROM = Pattern.compile("from\\s*\\(\\s*\"([a-zA-Z0-9-]+:[^\"]+)\"");
    /** How Camel K reads a knative URI, the event type in group 2: pkg/util/knative/uri.go. */
    private static final Pattern KNATIVE_URI = Pattern.compile("^knative:[/]*(channel|endpoint|event)(?:[?].*|$|/([A-Za-z0-9.-]+)(?:[/?].*|$))");
    /** Tanzu Sources event types: the vCenter event class between this prefix and the version. */
    private static final Pattern TANZU_TYPE = Pattern.compile("com\\.vmware\\.vsphere\\.([A-Za-z]+)\\.v0");

    @Test
    void theTanzuSourcesTriggersDeliverEachEventTypeOfTheRouteToThePathOfItsConsumer() {
        Map<String, String> pathByType = tanzuSourcesTriggers().stream().collect(Collectors.toMap(
                trigger -> trigger.doc().at("/spec/filter/attributes/type").asText(),
                trigger -> trigger.doc().at("/spec/subscriber/uri").asText()));

        assertThat(pathByType.keySet()).containsExactlyInAnyOrder(VcenterEvent.ENTERED_TYPE, VcenterEvent.EXIT_TYPE)
                .containsExactlyInAnyOrderElementsOf(deliveredByDefault());
        pathByType.forEach((type, path) -> assertThat(path).isEqualTo(knativePath(type)));
        assertThat(tanzuSourcesTriggers()).allSatisfy(trigger -> {
            assertThat(fieldNames(trigger.doc().at("/spec/filter/attributes"))).containsExactly("type");
            assertThat(trigger.doc().at("/spec/broker").asText()).isEqualTo(routeBroker());
            assertThat(trigger.doc().at("/spec/subscriber/ref/kind").asText()).isEqualTo("Service");
            assertThat(trigger.doc().at("/spec/subscriber/ref/name").asText())
                    .isEqualTo(Manifests.single(Manifests.INTEGRATION).name());
        });
    }

    /** Camel K 2.10 makes a Trigger per knative:event type unless its knative trait is off: each event would come twice. */
    @Test
    void theOperatorMakesNoTriggersOfItsOwn() {
        assertThat(Manifests.single(Manifests.INTEGRATION).doc().at("/spec/traits/knative/enabled").isBoolean()).isTrue();
        assertThat(Manifests.single(Manifests.INTEGRATION).doc().at("/spec/traits/knative/enabled").asBoolean()).isFalse();
    }

    @Test
    void thePipesConsumeExactlyTheEventTypesOfTheRoute() {
        List<Manifest> pipes = Manifests.ofKind("Pipe");

        assertThat(pipes.stream().map(pipe -> pipe.doc().at("/spec/source/properties/type").asText()))
                .containsExactlyInAnyOrderElementsOf(deliveredByDefault());
        assertThat(pipes).allSatisfy(pipe -> {
            assertThat(pipe.doc().at("/spec/source/ref/kind").asText()).isEqualTo("Broker");
            assertThat(pipe.doc().at("/spec/source/ref/name").asText()).isEqualTo(routeBroker());
            // Camel K turns every other source property into a Trigger filter, and Camel 4.17 into an endpoint option.
            assertThat(fieldNames(pipe.doc().at("/spec/source/properties"))).containsExactly("type");
        });
    }

    @Test
    void theEnterPipeEntersAndTheExitPipeExits() {
        Map<String, String> actionByClass = Manifests.ofKind("Pipe").stream().collect(Collectors.toMap(
                pipe -> eventClass(pipe.doc().at("/spec/source/properties/type").asText()),
                pipe -> maintenanceStep(pipe).at("/properties/action").asText()));

        assertThat(actionByClass).containsExactlyInAnyOrderEntriesOf(
                Map.of("EnteredMaintenanceModeEvent", "enter", "ExitMaintenanceModeEvent", "exit"));
    }

    @Test
    void theEventRouterTriggersFilterOnTheTypeTheRouteFiltersOn() throws Exception {
        String endpoint = routeConsumers("endpoint").get(0);
        Map<String, Object> options = URISupport.parseQuery(URISupport.extractQuery(routeUri("knative:endpoint/" + endpoint)));

        assertThat(eventRouterTriggers()).allSatisfy(trigger -> {
            assertThat(trigger.doc().at("/spec/filter/attributes/type").asText()).isEqualTo(options.get("filter.ce-type"));
            assertThat(trigger.doc().at("/spec/broker").asText()).isEqualTo(routeBroker());
        });
    }

    /** The Event Router puts in subject the vCenter event class that Tanzu Sources puts in the type. */
    @Test
    void theEventRouterTriggersCoverTheSameEventClassesOneTriggerEach() {
        Set<String> classes = deliveredByDefault().stream().map(TriggersMatchTheRouteTest::eventClass)
                .collect(Collectors.toSet());

        assertThat(eventRouterTriggers().stream().map(trigger -> trigger.doc().at("/spec/filter/attributes/subject").asText()))
                .containsExactlyInAnyOrderElementsOf(classes);
        assertThat(eventRouterTriggers()).allSatisfy(trigger ->
                assertThat(fieldNames(trigger.doc().at("/spec/filter/attributes"))).containsExactlyInAnyOrder("type", "subject"));
    }

    @Test
    void theEventRouterTriggersCallTheIntegrationsKnativeServiceAtThePathOfItsEndpoint() {
        String integration = Manifests.single(Manifests.INTEGRATION).name();

        assertThat(eventRouterTriggers()).allSatisfy(trigger -> {
            JsonNode subscriber = trigger.doc().at("/spec/subscriber");
            assertThat(subscriber.at("/ref/apiVersion").asText()).isEqualTo("serving.knative.dev/v1");
            assertThat(subscriber.at("/ref/kind").asText()).isEqualTo("Service");
            assertThat(subscriber.at("/ref/name").asText()).isEqualTo(integration);
            assertThat(subscriber.path("uri").asText()).isEqualTo(knativePath(routeConsumers("endpoint").get(0)));
        });
    }

    /** The opt-in consumer (events.entering-maintenance) has its Triggers commented out: uncommented, they fit too. */
    @Test
    void theOptInTriggersForEnteringFitTheRouteOnceUncommented() throws Exception {
        assertThat(routeConsumers("event")).contains(VcenterEvent.ENTERING_TYPE);
        JsonNode tanzu = uncommentedLast(Manifests.K8S.resolve("tanzu-sources-triggers.yaml"));
        assertThat(tanzu.at("/spec/filter/attributes/type").asText()).isEqualTo(VcenterEvent.ENTERING_TYPE);
        assertThat(tanzu.at("/spec/subscriber/uri").asText()).isEqualTo(knativePath(VcenterEvent.ENTERING_TYPE));
        JsonNode eventRouter = uncommentedLast(Manifests.K8S.resolve("event-router-triggers.yaml"));
        assertThat(eventRouter.at("/spec/filter/attributes/subject").asText()).isEqualTo("EnteringMaintenanceModeEvent");
        assertThat(eventRouter.at("/spec/subscriber/uri").asText()).isEqualTo(knativePath(routeConsumers("endpoint").get(0)));
    }

    /** The event types the deployed Triggers and Pipes deliver: all the route consumes but the opt-in one. */
    private static List<String> deliveredByDefault() {
        return routeConsumers("event").stream().filter(type -> !type.equals(VcenterEvent.ENTERING_TYPE)).toList();
    }

    /** The commented-out document at the end of a file, as it reads uncommented. */
    private static JsonNode uncommentedLast(java.nio.file.Path file) throws Exception {
        String text = Manifests.text(file);
        String block = text.substring(text.lastIndexOf("# ---\n") + "# ---\n".length());
        return Manifests.YAML.readTree(block.lines().map(line -> line.startsWith("# ") ? line.substring(2) : line.replaceFirst("^#$", ""))
                .collect(Collectors.joining("\n")));
    }

    private static JsonNode maintenanceStep(Manifest pipe) {
        for (JsonNode step : pipe.doc().at("/spec/steps")) {
            if (step.at("/ref/name").asText().equals("vrops-maintenance-sink")) {
                return step;
            }
        }
        throw new AssertionError(pipe + " has no vrops-maintenance-sink step");
    }

    /** The ids of the route's literal knative consumers of one kind, as Camel K finds them. */
    private static List<String> routeConsumers(String kind) {
        Matcher from = JAVA_FROM.matcher(Manifests.text(Manifests.ROUTE));
        Set<String> ids = new LinkedHashSet<>();
        while (from.find()) {
            Matcher knative = KNATIVE_URI.matcher(from.group(1));
            if (knative.matches() && kind.equals(knative.group(1)) && knative.group(2) != null) {
                ids.add(knative.group(2));
            }
        }
        return List.copyOf(ids);
    }

    private static String routeUri(String prefix) {
        Matcher from = JAVA_FROM.matcher(Manifests.text(Manifests.ROUTE));
        while (from.find()) {
            if (from.group(1).startsWith(prefix)) {
                return from.group(1);
            }
        }
        throw new IllegalStateException("the route has no consumer " + prefix);
    }

    /** The Broker of the route's event consumers: their {@code name} option, else Camel K's default. */
    private static String routeBroker() {
        Set<String> brokers = new LinkedHashSet<>();
        for (String type : routeConsumers("event")) {
            try {
                Object name = URISupport.parseQuery(URISupport.extractQuery(routeUri("knative:event/" + type))).get("name");
                brokers.add(name == null ? "default" : name.toString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        assertThat(brokers).hasSize(1);
        return brokers.iterator().next();
    }

    private static List<Manifest> eventRouterTriggers() {
        return Manifests.read(Manifests.EVENT_ROUTER_TRIGGERS).stream()
                .map(doc -> new Manifest(Manifests.EVENT_ROUTER_TRIGGERS, doc)).toList();
    }

    private static List<Manifest> tanzuSourcesTriggers() {
        return Manifests.read(Manifests.TANZU_SOURCES_TRIGGERS).stream()
                .map(doc -> new Manifest(Manifests.TANZU_SOURCES_TRIGGERS, doc)).toList();
    }

    /** The path the Integration's Knative environment gives the consumer of this event type or endpoint name. */
    private static String knativePath(String name) {
        Map<String, String> environment = GeneratedManifests.knativeEnvironment();
        return environment.entrySet().stream()
                .filter(entry -> entry.getKey().endsWith("].name") && entry.getValue().equals(name))
                .map(entry -> environment.get(entry.getKey().replace("].name", "].path")))
                .findFirst().orElseThrow(() -> new AssertionError("no Knative resource named " + name));
    }

    private static String eventClass(String type) {
        Matcher matcher = TANZU_TYPE.matcher(type);
        assertThat(matcher.matches()).as("%s is a Tanzu Sources event type", type).isTrue();
        return matcher.group(1);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}

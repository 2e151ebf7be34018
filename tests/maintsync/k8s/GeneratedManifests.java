package maintsync.k8s;

import static maintsync.k8s.Manifests.APPLICATION_PROPERTIES;
import static maintsync.k8s.Manifests.INTEGRATION;
import static maintsync.k8s.Manifests.INTEGRATION_PROPERTIES;
import static maintsync.k8s.Manifests.K8S;
import static maintsync.k8s.Manifests.KAMELETS;
import static maintsync.k8s.Manifests.KAMELET_SUFFIX;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The parts of {@code k8s/} that copy other project files, because a kustomization can only apply files inside its
 * own directory: the route source and the non-secret settings inside the Integration, the same settings as the
 * properties file {@code kamel run} takes, and the Kamelet CRs. Everything else in those files is hand-written and
 * left as it is.
 */
final class GeneratedManifests {

    static final Path KAMELET_COPIES = K8S.resolve("kamelets");
    /** The Camel Quarkus application's manifests, whose Triggers are those of the Integration. */
    static final Path APP = K8S.resolve("app");
    static final Path KNATIVE_ENVIRONMENT = Path.of("jbang/knative.json");
    static final Path PIPE_PROPERTIES = Path.of("jbang/pipe.properties");
    static final Path ALERT_RULES = Path.of("monitoring/vcenter-maintenance.rules.yaml");
    static final Path DASHBOARD = Path.of("monitoring/grafana-dashboard.json");
    static final Path PROMETHEUS_RULE = K8S.resolve("monitoring/prometheusrule.yaml");
    static final Path DASHBOARD_CONFIG_MAP = K8S.resolve("monitoring/grafana-dashboard.configmap.yaml");
    static final String REGENERATE = "mvn -o test -Dtest=GeneratedManifestsTest -Dk8s.sync=true";

    private static final Pattern SETTING = Pattern.compile("\\{\\{([^}:?]+)(?::[^}]*)?}}");
    private static final Pattern CAMEL_TRAIT = Pattern.compile("^\\s*camel:\\s*$");
    private static final Pattern LIST_KEY = Pattern.compile("^(\\s*)properties:\\s*$");
    private static final Pattern SOURCES_KEY = Pattern.compile("^(\\s*)sources:\\s*$");
    private static final ObjectMapper JSON = new ObjectMapper();

    private GeneratedManifests() {
    }

    /** Each generated file with the text it must have now. */
    static Map<Path, String> expected() {
        Map<Path, String> files = new LinkedHashMap<>();
        files.put(INTEGRATION, integration(Manifests.text(INTEGRATION)));
        files.put(INTEGRATION_PROPERTIES, integrationPropertiesFile());
        files.put(PIPE_PROPERTIES, pipePropertiesFile());
        for (Path kamelet : catalogKamelets()) {
            Path copy = KAMELET_COPIES.resolve(kamelet.getFileName());
            files.put(copy, KAMELET_HEADER.formatted(kamelet) + Manifests.text(kamelet));
        }
        files.put(PROMETHEUS_RULE, PROMETHEUS_RULE_HEAD + indented(fromGroups(Manifests.text(ALERT_RULES)), "  "));
        files.put(DASHBOARD_CONFIG_MAP, DASHBOARD_HEAD + indented(Manifests.text(DASHBOARD), "    "));
        for (Path triggers : List.of(Manifests.TANZU_SOURCES_TRIGGERS, Manifests.EVENT_ROUTER_TRIGGERS)) {
            files.put(APP.resolve(triggers.getFileName()), TRIGGERS_HEADER.formatted(triggers) + Manifests.text(triggers));
        }
        return files;
    }

    /** The rules file from its {@code groups:} on: the comments before it are about the file itself. */
    private static String fromGroups(String rules) {
        return rules.substring(rules.indexOf("\ngroups:") + 1);
    }

    private static String indented(String text, String indent) {
        return text.lines().map(line -> line.isEmpty() ? line : indent + line).reduce("", (all, line) -> all + line + "\n");
    }

    /**
     * The Integration's own settings: application.properties without the keys the Secret sets, and the Knative
     * environment of the local runs (jbang/knative.json) as properties, in the form the operator's knative trait
     * would write (pkg/internal/knative/types_support.go ToCamelProperties), since that trait is off.
     */
    static Map<String, String> integrationProperties() {
        Map<String, String> settings = new LinkedHashMap<>(Manifests.properties(Manifests.text(APPLICATION_PROPERTIES)));
        settings.keySet().removeAll(Manifests.secretExampleProperties().keySet());
        settings.putAll(knativeEnvironment());
        return settings;
    }

    /** jbang/knative.json as {@code camel.component.knative.environment.resources[i].<field>} properties. */
    static Map<String, String> knativeEnvironment() {
        return knativeEnvironment(KNATIVE_ENVIRONMENT);
    }

    /** A Knative environment file as {@code camel.component.knative.environment.resources[i].<field>} properties. */
    static Map<String, String> knativeEnvironment(Path file) {
        Map<String, String> properties = new LinkedHashMap<>();
        JsonNode resources;
        try {
            resources = JSON.readTree(file.toFile()).path("resources");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int i = 0; i < resources.size(); i++) {
            String prefix = "camel.component.knative.environment.resources[" + i + "].";
            resources.get(i).fields().forEachRemaining(field -> properties.put(prefix + field.getKey(), field.getValue().asText()));
        }
        return properties;
    }

    static List<Path> catalogKamelets() {
        try (Stream<Path> files = Files.list(KAMELETS)) {
            return files.filter(file -> file.toString().endsWith(KAMELET_SUFFIX)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Map<Path, String> files) {
        files.forEach((file, text) -> {
            try {
                Files.writeString(file, text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static String integrationPropertiesFile() {
        StringBuilder text = new StringBuilder(PROPERTIES_HEADER);
        integrationProperties().forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        return text.toString();
    }

    /**
     * What a Pipe reads on Camel K besides its own file: the properties of its camel.properties annotation (the same
     * in both Pipes), the Secret's camel.kamelet.* keys, and the defaults of the settings they name, from
     * application.properties; the environment overrides a setting as for the Java route (VROPS_URL, ...), and the
     * password comes from the environment only.
     */
    static Map<String, String> pipeProperties() {
        Map<String, String> annotation = PipeRunner.camelPropertiesOf(Manifests.PIPES.resolve("vcenter-maintenance-enter.pipe.yaml"));
        Map<String, String> exit = PipeRunner.camelPropertiesOf(Manifests.PIPES.resolve("vcenter-maintenance-exit.pipe.yaml"));
        if (!annotation.equals(exit)) {
            throw new IllegalStateException("the Pipes' camel.properties annotations differ: " + annotation + " and " + exit);
        }
        Map<String, String> properties = new LinkedHashMap<>(annotation);
        Manifests.secretExampleProperties().forEach((key, value) -> {
            if (key.startsWith("camel.kamelet.")) {
                properties.put(key, value);
            }
        });
        Map<String, String> defaults = Manifests.properties(Manifests.text(APPLICATION_PROPERTIES));
        Matcher setting = SETTING.matcher(String.join("\n", properties.values()));
        Map<String, String> settings = new TreeMap<>();
        while (setting.find()) {
            if (defaults.containsKey(setting.group(1))) {
                settings.put(setting.group(1), defaults.get(setting.group(1)));
            }
        }
        properties.putAll(settings);
        return properties;
    }

    private static String pipePropertiesFile() {
        StringBuilder text = new StringBuilder(PIPE_PROPERTIES_HEADER);
        pipeProperties().forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        return text.toString();
    }

    /** The Integration with its camel trait properties and its sources replaced, the rest untouched. */
    private static String integration(String current) {
        List<String> lines = new ArrayList<>(current.lines().toList());

        int camel = indexOf(lines, CAMEL_TRAIT, 0, "the camel trait");
        int list = indexOf(lines, LIST_KEY, camel, "the camel trait's properties");
        String item = indentOf(lines.get(list), LIST_KEY) + "  - ";
        int end = list + 1;
        while (end < lines.size() && lines.get(end).startsWith(item)) {
            end++;
        }
        List<String> items = integrationProperties().entrySet().stream()
                .map(setting -> item + quoted(setting.getKey() + "=" + setting.getValue()))
                .toList();
        lines.subList(list + 1, end).clear();
        lines.addAll(list + 1, items);

        int sources = indexOf(lines, SOURCES_KEY, 0, "the sources");
        String indent = indentOf(lines.get(sources), SOURCES_KEY) + "  ";
        lines.subList(sources + 1, lines.size()).clear();
        for (Path source : Manifests.integrationSources()) {
            String text = Manifests.text(source);
            String chomping = text.endsWith("\n\n") ? "|+" : text.endsWith("\n") ? "|" : "|-";
            lines.add(indent + "- name: " + source.getFileName());
            lines.add(indent + "  content: " + chomping);
            text.lines().map(line -> line.isEmpty() ? line : indent + "    " + line).forEach(lines::add);
        }
        return String.join("\n", lines) + "\n";
    }

    private static int indexOf(List<String> lines, Pattern pattern, int from, String what) {
        for (int i = from; i < lines.size(); i++) {
            if (pattern.matcher(lines.get(i)).matches()) {
                return i;
            }
        }
        throw new IllegalStateException(INTEGRATION + ": cannot find " + what);
    }

    private static String indentOf(String line, Pattern pattern) {
        Matcher matcher = pattern.matcher(line);
        return matcher.matches() ? matcher.group(1) : "";
    }

    /** A YAML double-quoted scalar: a JSON string is one. */
    private static String quoted(String value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final String PROPERTIES_HEADER = """
            # The settings of application.properties that the Secret vrops-credentials does not set, and where each
            # consumer listens (jbang/knative.json), for
            #   kamel run routes/VCenterMaintenanceRoute.java --property file:k8s/integration.properties ...
            # (docs/camel-k.md); k8s/integration.yaml holds the same. Generated from application.properties, which
            # documents them: change them there, then run
            #   %s
            """.formatted(REGENERATE);

    private static final String PIPE_PROPERTIES_HEADER = """
            # The settings of a Pipe of k8s/pipes/ run on this machine by jbang/pipe, read from the repository root.
            # The settings (vrops.url, ...) come from the environment, as for the Java route (VROPS_URL, VROPS_USERNAME,
            # VROPS_PASSWORD, ...); the password only from there, so that it is in no file.

            # The event sources Camel K declares for a Pipe's Broker source (POST /events/<type>), and the HTTP server
            # on 127.0.0.1 only; --port sets the port.
            camel.component.knative.environmentPath=file:jbang/knative.json
            camel.server.enabled=true
            camel.server.host=127.0.0.1
            # Camel JBang writes the last exchange, its headers at each step, to ~/.camel/<pid>-history.json: the steps
            # that carry the vROps token (header VropsToken) and the Kamelets' own routes are not traced.
            camel.trace.traceFilter=$simple{header.VropsToken} == null && $simple{routeId} !regex 'vrops-.*'

            # Generated below: the Pipes' trait.camel.apache.org/camel.properties annotation, the camel.kamelet.* keys
            # of k8s/vrops-secret.example.yaml and the defaults of application.properties for the settings they name.
            # Change those files, then run
            #   %s
            """.formatted(REGENERATE);

    private static final String PROMETHEUS_RULE_HEAD = """
            # The alerts of monitoring/vcenter-maintenance.rules.yaml as a PrometheusRule, for the Prometheus Operator
            # (kube-prometheus-stack). Generated: change that file, then run
            #   %s
            #
            # Prometheus loads a PrometheusRule only if it matches the Prometheus resource's ruleSelector (and its namespace
            # the ruleNamespaceSelector). kube-prometheus-stack selects by default the label release: <its Helm release
            # name> ("prometheus" below; `kubectl get prometheus -A -o jsonpath='{..ruleSelector}'` shows yours), unless
            # installed with prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues=false, which selects every
            # PrometheusRule. Set the label to match. The metrics must be scraped too: podmonitor.yaml beside this file.
            apiVersion: monitoring.coreos.com/v1
            kind: PrometheusRule
            metadata:
              name: vcenter-maintenance
              labels:
                app.kubernetes.io/name: vcenter-maintenance
                app.kubernetes.io/component: monitoring
                release: prometheus
            spec:
            """.formatted(REGENERATE);

    private static final String DASHBOARD_HEAD = """
            # The Grafana dashboard monitoring/grafana-dashboard.json (which you may also import by hand) as a ConfigMap,
            # for the Grafana sidecar (kube-prometheus-stack's grafana.sidecar.dashboards), which loads every ConfigMap
            # labelled grafana_dashboard: "1" in the namespaces it searches (grafana.sidecar.dashboards.searchNamespace:
            # its own by default, ALL for every namespace). Generated: change that file, then run
            #   %s
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: vcenter-maintenance-dashboard
              labels:
                grafana_dashboard: "1"
                app.kubernetes.io/name: vcenter-maintenance
                app.kubernetes.io/component: monitoring
            data:
              vcenter-maintenance.json: |
            """.formatted(REGENERATE);

    private static final String TRIGGERS_HEADER = """
            # Copy of %%s, for kubectl apply -k k8s/app/: the application's Knative Service has the
            # Integration's name and paths, so the Triggers are the same. Change the original, then run
            #   %s
            """.formatted(REGENERATE);

    private static final String KAMELET_HEADER = """
            # Copy of %%s, the Kamelet CR the Integration and the Pipes call,
            # for kubectl apply -k (k8s/kamelets/kustomization.yaml says why). Change the original, then run
            #   %s
            """.formatted(REGENERATE);
}

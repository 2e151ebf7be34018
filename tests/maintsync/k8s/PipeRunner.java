package maintsync.k8s;

import static maintsync.TestSupport.freePort;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import maintsync.VcenterEvent;
import org.apache.camel.main.Main;

/**
 * One Pipe of {@code k8s/pipes/} run the way Camel K runs it, on loopback: the Pipe file loaded by camel-yaml-dsl,
 * the Kamelets of {@code kamelets/}, the Knative environment Camel K generates for a Broker source, the properties of
 * its {@code trait.camel.apache.org/camel.properties} annotation, and the settings a test gives in place of the
 * mounted Secret.
 */
final class PipeRunner implements AutoCloseable {

    static final String CAMEL_PROPERTIES_ANNOTATION = "trait.camel.apache.org/camel.properties";

    private final Main main = new Main();
    private final URI eventsUri;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    PipeRunner(Path pipe, Map<String, String> settings) throws Exception {
        JsonNode spec = Manifests.single(pipe).doc().path("spec");
        String type = spec.at("/source/properties/type").asText();
        int port = freePort();
        eventsUri = URI.create("http://127.0.0.1:" + port + "/events/" + type);

        main.configure().withRoutesIncludePattern("file:" + pipe);
        Map<String, String> all = new LinkedHashMap<>();
        // What Camel K's knative trait writes for the Trigger it creates (one resource per Broker and type).
        String resource = "camel.component.knative.environment.resources[0].";
        all.put(resource + "name", type);
        all.put(resource + "type", "event");
        all.put(resource + "endpointKind", "source");
        all.put(resource + "path", "/events/" + type);
        all.put(resource + "objectApiVersion", spec.at("/source/ref/apiVersion").asText());
        all.put(resource + "objectKind", spec.at("/source/ref/kind").asText());
        all.put(resource + "objectName", spec.at("/source/ref/name").asText());
        all.put(resource + "reply", "false");
        all.put("camel.component.kamelet.location", "file:" + Manifests.KAMELETS);
        all.put("camel.server.enabled", "true");
        all.put("camel.server.host", "127.0.0.1");
        all.put("camel.server.port", Integer.toString(port));
        all.putAll(camelPropertiesOf(pipe));
        all.putAll(settings);
        all.forEach(main::addOverrideProperty);
        main.start();
    }

    /** The annotation as Camel K reads it: a single value, or a list written ["a=1", "b=2"]. */
    static Map<String, String> camelPropertiesOf(Path pipe) {
        String value = Manifests.single(pipe).doc().path("metadata").path("annotations").path(CAMEL_PROPERTIES_ANNOTATION).asText();
        Map<String, String> properties = new LinkedHashMap<>();
        if (value.isEmpty()) {
            return properties;
        }
        String list = value.startsWith("[") && value.endsWith("]") ? value.substring(1, value.length() - 1) : value;
        for (String item : list.split(",")) {
            String property = item.strip().replaceAll("^\"|\"$", "");
            String[] keyValue = property.split("=", 2);
            properties.put(keyValue[0], keyValue.length > 1 ? keyValue[1] : "");
        }
        return properties;
    }

    /** POSTs the event in binary mode, as the Broker delivers it through the Pipe's Trigger. */
    HttpResponse<String> send(VcenterEvent event) {
        HttpRequest.Builder request = HttpRequest.newBuilder(eventsUri).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(event.body()));
        event.headers().forEach(request::header);
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        main.stop();
    }
}

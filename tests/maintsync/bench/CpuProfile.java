package maintsync.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * CPU samples and allocation samples of one Flight Recorder recording, within a time window, shared out by what the
 * code does. A sample counts for the innermost frame of its stack that belongs to one of the {@link #PARTS}: a
 * {@code HashMap.get} called by Camel's engine is the engine's, one called by Jackson is JSON's.
 */
record CpuProfile(Map<String, Double> cpuShare, Map<String, Double> allocationShare, long cpuSamples, double bytesPerEvent,
                  LoadDriver.Result window) {

    /** Class name prefixes, the more specific first. */
    private static final List<Map.Entry<String, String>> PARTS = List.of(
            Map.entry("org.apache.hc.", "HTTP client (Apache HttpClient, camel-http)"),
            Map.entry("org.apache.camel.component.http.", "HTTP client (Apache HttpClient, camel-http)"),
            Map.entry("sun.security.", "TLS"),
            Map.entry("javax.crypto.", "TLS"),
            Map.entry("com.sun.crypto.", "TLS"),
            Map.entry("com.fasterxml.jackson.", "JSON (Jackson, JsonPath)"),
            Map.entry("com.jayway.jsonpath.", "JSON (Jackson, JsonPath)"),
            Map.entry("org.apache.camel.jsonpath.", "JSON (Jackson, JsonPath)"),
            Map.entry("org.apache.camel.component.jackson.", "JSON (Jackson, JsonPath)"),
            Map.entry("io.micrometer.", "metrics (Micrometer)"),
            Map.entry("org.apache.camel.component.micrometer.", "metrics (Micrometer)"),
            Map.entry("org.apache.logging.", "logging"),
            Map.entry("org.slf4j.", "logging"),
            Map.entry("org.apache.camel.support.processor.CamelLogProcessor", "logging"),
            Map.entry("org.apache.camel.processor.LogProcessor", "logging"),
            Map.entry("io.netty.", "HTTP server (Knative consumer, Vert.x, Netty)"),
            Map.entry("io.vertx.", "HTTP server (Knative consumer, Vert.x, Netty)"),
            Map.entry("org.apache.camel.component.knative.", "HTTP server (Knative consumer, Vert.x, Netty)"),
            Map.entry("org.apache.camel.component.platform.http.", "HTTP server (Knative consumer, Vert.x, Netty)"),
            Map.entry("org.apache.camel.language.simple.", "Camel simple language"),
            Map.entry("org.apache.camel.component.bean.", "Camel bean calls"),
            Map.entry("org.apache.camel.language.bean.", "Camel bean calls"),
            Map.entry("org.apache.camel.", "Camel engine (exchanges, EIPs, headers, type conversion)"));
    private static final String OTHER = "JDK and other";
    /** The classes of routes/: the route builders in the default package, the rest in maintsync.* (tests are not run there). */
    private static final String OWN_CODE = "the integration's own classes (clients, ordering, plan)";

    /** The samples between {@code from} and {@code to}, the measured {@code window}. */
    static CpuProfile read(Path recording, Instant from, Instant to, LoadDriver.Result window) throws IOException {
        Map<String, Double> cpu = new LinkedHashMap<>();
        Map<String, Double> allocation = new LinkedHashMap<>();
        long samples = 0;
        double bytes = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            if (event.getStartTime().isBefore(from) || event.getStartTime().isAfter(to) || event.getStackTrace() == null) {
                continue;
            }
            String part = partOf(event.getStackTrace().getFrames());
            switch (event.getEventType().getName()) {
                case "jdk.ExecutionSample" -> {
                    cpu.merge(part, 1.0, Double::sum);
                    samples++;
                }
                case "jdk.ObjectAllocationSample" -> {
                    double weight = event.getLong("weight");
                    allocation.merge(part, weight, Double::sum);
                    bytes += weight;
                }
                default -> {
                }
            }
        }
        return new CpuProfile(shares(cpu), shares(allocation), samples, bytes / window.events(), window);
    }

    private static String partOf(List<RecordedFrame> frames) {
        for (RecordedFrame frame : frames) {
            if (frame.getMethod() == null) {
                continue;
            }
            String type = frame.getMethod().getType().getName();
            if (type.indexOf('.') < 0 || type.startsWith("maintsync.")) {
                return OWN_CODE;
            }
            for (Map.Entry<String, String> part : PARTS) {
                if (type.startsWith(part.getKey())) {
                    return part.getValue();
                }
            }
        }
        return OTHER;
    }

    /** Each part's share of the total, largest first. */
    private static Map<String, Double> shares(Map<String, Double> totals) {
        double sum = totals.values().stream().mapToDouble(Double::doubleValue).sum();
        Map<String, Double> shares = new LinkedHashMap<>();
        totals.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(entry -> shares.put(entry.getKey(), entry.getValue() / sum));
        return shares;
    }
}

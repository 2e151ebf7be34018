package maintsync.monitoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** Debian's Prometheus programs, and the PromQL of the project's alerts and dashboard. */
final class Promtool {

    static final Path RULES = Path.of("monitoring/vcenter-maintenance.rules.yaml");
    static final Path DASHBOARD = Path.of("monitoring/grafana-dashboard.json");
    static final Path RULE_TESTS = Path.of("tests/monitoring/alerts.test.yaml");
    private static final String MISSING = "the alert tests need Debian's package prometheus (prometheus, promtool): "
            + "apt-get install prometheus (./verify installs it)";
    /** The project's metric names and label names both start so; which is which, the scraped series tell. */
    private static final Pattern NAME = Pattern.compile("\\b((?:vcenter|vrops|camel)_[a-z0-9_]+)\\b");

    private Promtool() {
    }

    /** The program's path, or a failure naming the package. */
    static Path program(String name) {
        for (String directory : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(directory, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(MISSING);
    }

    /** Runs the program to its end; its exit code and everything it printed. */
    record Run(int exitCode, String output) {
    }

    static Run run(Path directory, String program, String... arguments) {
        List<String> command = new ArrayList<>(List.of(program(program).toString()));
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(program + " did not finish: " + output);
            }
            return new Run(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every PromQL expression of the alerts and of the dashboard's panels and variables. */
    static List<String> expressions() {
        List<String> expressions = new ArrayList<>();
        try {
            for (JsonNode group : new YAMLMapper().readTree(RULES.toFile()).path("groups")) {
                group.path("rules").forEach(rule -> expressions.add(rule.path("expr").asText()));
            }
            JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
            dashboard.findValues("expr").forEach(expr -> expressions.add(expr.asText()));
            dashboard.path("templating").path("list").forEach(variable -> {
                if (variable.path("query").isTextual()) {
                    expressions.add(variable.path("query").asText());
                } else if (variable.path("query").has("query")) {
                    expressions.add(variable.path("query").path("query").asText());
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return expressions;
    }

    /** The project's metric and label names the expressions use. */
    static List<String> names(List<String> expressions) {
        List<String> names = new ArrayList<>();
        for (String expression : expressions) {
            Matcher name = NAME.matcher(expression);
            while (name.find()) {
                if (!names.contains(name.group(1))) {
                    names.add(name.group(1));
                }
            }
        }
        return names;
    }
}

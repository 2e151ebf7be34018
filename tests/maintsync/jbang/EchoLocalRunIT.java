package maintsync.jbang;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import maintsync.TestSupport;
import org.junit.jupiter.api.Test;

/**
 * The echo run locally as docs/deploy.md says, {@code jbang/echo --port=N}: under its own name (not the Java route's
 * vcenter-maintenance, nor a Pipe's), answering jbang/send-event in its default format at /events/&lt;type&gt; and in
 * the Event Router format at /, in binary and structured mode, and logging each event's data.
 */
class EchoLocalRunIT {

    private static final Duration START_LIMIT = Duration.ofMinutes(10);

    @Test
    void theEchoRunsUnderItsOwnNameAndShowsWhatSendEventSends() throws Exception {
        int port = TestSupport.freePort();
        Path log = Path.of("target", "echo-" + port + ".log");
        Files.createDirectories(log.getParent());
        Process echo = new ProcessBuilder("bash", "jbang/echo", "--port=" + port).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            TestSupport.await(START_LIMIT, () -> {
                if (!echo.isAlive()) {
                    throw new AssertionError("jbang/echo exited with " + echo.exitValue() + ": " + text(log));
                }
                return text(log).contains(") started in ");
            }, "jbang/echo started (log " + log + ")");

            List<String> answers = new ArrayList<>();
            answers.add(sendEvent(port, "--format", "new", "--host", "esx41.lab.local"));
            answers.add(sendEvent(port, "--format", "legacy", "--host", "esx42.lab.local"));
            answers.add(sendEvent(port, "--format", "new", "--mode", "structured", "--host", "esx43.lab.local"));
            answers.add(sendEvent(port, "--format", "legacy", "--mode", "structured", "--host", "esx44.lab.local"));

            assertThat(answers).containsOnly("HTTP 204");
            assertThat(text(log)).contains("Apache Camel 4.17.0 (vcenter-event-echo) started")
                    .contains("\"Name\": \"esx41.lab.local\"").contains("\"Name\": \"esx42.lab.local\"")
                    .contains("\"Name\": \"esx43.lab.local\"").contains("\"Name\": \"esx44.lab.local\"")
                    .contains("type=com.vmware.event.router/event subject=EnteredMaintenanceModeEvent");
        } finally {
            echo.destroy();
            echo.waitFor(30, TimeUnit.SECONDS);
            echo.destroyForcibly().waitFor();
        }
    }

    private static String sendEvent(int port, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", "jbang/send-event", "--url", "http://127.0.0.1:" + port,
                "--type", "enter", "--moref", "host-40"));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("jbang/send-event ended").isTrue();
        return output;
    }

    private static String text(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

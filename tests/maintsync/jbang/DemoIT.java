package maintsync.jbang;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * {@code jbang/demo}, the README's first command, run as a newcomer runs it: the simulator built with Maven, the
 * integration started with Camel JBang, events sent with {@code jbang/send-event}. Twice, because the second run
 * takes the cached paths: on a fresh machine the first one downloads Camel JBang, hence the long time limit. No file
 * it leaves (in the home, temporary and working directories) holds the password or a token.
 */
class DemoIT {

    private static final Duration TIME_LIMIT = Duration.ofMinutes(20);
    private static final Pattern STATE = Pattern.compile("vROps state (\\w+)");
    private static final Pattern ANSWER = Pattern.compile("((?:enter|exit) event: HTTP \\d+)");
    /** A token of the simulator, which runs in a process of the demo: two UUIDs joined by "::". */
    private static final Pattern TOKEN = Pattern.compile("[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}::[0-9a-f]{8}");
    private static final String PASSWORD = "sim-admin-password";
    /** The password the demo makes up for its vCenter simulator. */
    private static final Pattern VCENTER_PASSWORD = Pattern.compile("\\bdemo-\\d{2,}\\b");
    /** Built from the repository, whose test resources hold the simulator's users and their passwords. */
    private static final List<Path> BUILD_OUTPUT = List.of(Path.of("target/classes").toAbsolutePath(),
            Path.of("target/test-classes").toAbsolutePath());

    @Test
    void bothHostsGoIntoMaintenanceAndBackOnTheFirstAndSecondRun() throws Exception {
        for (int run = 1; run <= 2; run++) {
            Instant start = Instant.now().minusSeconds(1);
            String output = runDemo(Path.of("target", "jbang-demo-run-" + run + ".log"));
            List<Path> written = FilesLeftBehind.changedSince(start, FilesLeftBehind.usualPlaces()).stream()
                    .filter(file -> BUILD_OUTPUT.stream().noneMatch(file::startsWith)).toList();

            // the build made the vCenter simulator: the demo must use it
            assertThat(output).as(output).contains("Starting a vCenter: the project's vcsim");
            assertThat(all(STATE, output)).as(output).containsExactly(
                    "STARTED", "MAINTAINED_MANUAL", "STARTED",
                    "STARTED", "MAINTAINED_MANUAL", "STARTED",
                    "MAINTAINED", "STARTED",
                    "MAINTAINED", "STARTED");
            // a host changed in vCenter with no event: vROps followed, and the demo says how soon
            assertThat(output).as(output).containsPattern("enter, no event: +vROps state MAINTAINED within \\d+\\.\\d\\d s")
                    .containsPattern("exit, no event: +vROps state STARTED within \\d+\\.\\d\\d s");
            assertThat(all(ANSWER, output)).as(output).containsExactly(
                    "enter event: HTTP 204", "exit event: HTTP 204",
                    "enter event: HTTP 204", "exit event: HTTP 204");
            // the host table at the end, as the demo checked it against both simulators
            assertThat(output).as(output).containsPattern("VCENTER +HOST +MOREF +VCENTER STATE +IN MAINTENANCE SINCE +VROPS STATE +OWNED +LAST EVENT +LAST REPAIR")
                    // its Enter event finds the watch's (or a pass's) work done, or applies it; its Exit, lost, is applied by the
                    // watch or repaired by a pass: the last repair, if any, is a pass's
                    .containsPattern("lab +DC0_H0 +host-15 +in_service +- +not_maintained +no +enter \\d+ (applied|unchanged) \\S+ +((enter|exit) \\S+|-)")
                    .containsPattern("vcsa01.lab.local +esx01.lab.local +host-21 +unknown +- +not_maintained +no +exit \\d+ applied")
                    .containsPattern("vCenter lab: last pass ok at \\S+, 4 hosts, 0 repairs");
            assertThat(output).as(output).contains("PASSED").doesNotContain(PASSWORD);
            assertThat(written).as("the demo's own log").contains(Path.of("target", "jbang-demo-run-" + run + ".log").toAbsolutePath());
            assertThat(FilesLeftBehind.holding(written, text -> text.contains(PASSWORD) || TOKEN.matcher(text).find()
                    || VCENTER_PASSWORD.matcher(text).find()))
                    .as("files the demo left that hold the password or a token").isEmpty();
        }
    }

    /** Runs the demo to its end and returns what it printed; it must exit with 0 within the time limit. */
    private static String runDemo(Path log) throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        Process demo = new ProcessBuilder("bash", "jbang/demo")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean ended = demo.waitFor(TIME_LIMIT.toMinutes(), TimeUnit.MINUTES);
        if (!ended) {
            stop(demo);
        }
        String output = Files.readString(log);
        System.out.println(output);
        assertThat(ended).as("jbang/demo ended within %s; it printed:%n%s", TIME_LIMIT, output).isTrue();
        assertThat(demo.exitValue()).as("exit code of jbang/demo, which printed:%n%s", output).isZero();
        return output;
    }

    /** SIGTERM lets the demo stop its servers itself; whatever is left after half a minute is killed. */
    private static void stop(Process demo) throws InterruptedException {
        List<ProcessHandle> started = demo.descendants().toList();
        demo.destroy();
        if (!demo.waitFor(30, TimeUnit.SECONDS)) {
            demo.destroyForcibly();
        }
        started.forEach(ProcessHandle::destroyForcibly);
    }

    /** The first group of every match, in order. */
    private static List<String> all(Pattern pattern, String text) {
        return pattern.matcher(text).results().map(result -> result.group(1)).toList();
    }
}

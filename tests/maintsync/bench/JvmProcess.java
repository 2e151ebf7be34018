package maintsync.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A JVM the benchmark started, measured from outside through {@code /proc} (Linux only), so that measuring costs the
 * measured process nothing: CPU time as {@code utime + stime} of {@code /proc/<pid>/stat}, peak resident memory as
 * {@code VmHWM} of {@code /proc/<pid>/status}.
 */
final class JvmProcess implements AutoCloseable {

    /** {@code getconf CLK_TCK}: 100 on every Linux the JDK supports. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final Process process;
    private final long startNanos;

    private JvmProcess(Process process, long startNanos) {
        this.process = process;
        this.startNanos = startNanos;
    }

    /** Starts {@code java} with the given arguments, output to {@code log}; the clock starts just before. */
    static JvmProcess start(List<String> javaArguments, Map<String, String> environment, Path workingDirectory, Path log) {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaArguments);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        return start(builder, workingDirectory, log);
    }

    /** Starts a whole command line with exactly this environment, as a container runs, output to {@code log}. */
    static JvmProcess startContainer(List<String> command, Map<String, String> environment, Path workingDirectory, Path log) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(environment);
        return start(builder, workingDirectory, log);
    }

    private static JvmProcess start(ProcessBuilder builder, Path workingDirectory, Path log) {
        builder.directory(workingDirectory.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        long start = System.nanoTime();
        try {
            return new JvmProcess(builder.start(), start);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long startNanos() {
        return startNanos;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** CPU seconds used so far, user and system, all threads. */
    double cpuSeconds() {
        String stat = read("stat");
        // the command name in parentheses may hold spaces: count fields after its closing one (state is field 3)
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3])) / TICKS_PER_SECOND;
    }

    /** Peak resident set size so far, in MiB. */
    double peakRssMiB() {
        for (String line : read("status").split("\n")) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmHWM in /proc/" + process.pid() + "/status");
    }

    private String read(String file) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(process.pid()), file));
        } catch (IOException e) {
            throw new UncheckedIOException("process " + process.pid() + " is gone", e);
        }
    }

    /** SIGTERM, so shutdown hooks run (and a CDS archive being recorded is written); SIGKILL after 30 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}

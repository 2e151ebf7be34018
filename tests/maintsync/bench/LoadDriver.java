package maintsync.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import maintsync.VcenterEvent;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop Broker: {@code inFlight} senders, each POSTing a binary CloudEvent and sending the next as soon as
 * the answer comes, as a Broker does with that many deliveries in flight. Sender {@code i} owns host {@code i}
 * (the integration applies one host's events one at a time, so shared hosts would measure that lock, not the
 * pipeline) and alternates Enter and Exit, each with the next vCenter event Key, so that every event is new and
 * applied. Latency is measured per event from send to answer; events answered other than 204 count as errors.
 */
final class LoadDriver {

    /** Hosts named as {@code Inventory.generated(1, n)} names them, on the vCenter it names {@code vcsa-1.gen.local}. */
    static final String SOURCE = "https://vcsa-1.gen.local/sdk";
    private static final long KEY_PLACEHOLDER = 987_654_321_987L;
    private static final long MAX_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** What the benchmark reads from the measured process and the simulator at the start and end of a window. */
    interface Probe {
        double cpuSeconds();

        long vropsCalls();
    }

    record Result(int inFlight, long events, long errors, double seconds, Histogram latencyNanos,
                  double cpuSeconds, long vropsCalls, double machineBusy) {

        double eventsPerSecond() {
            return events / seconds;
        }

        double cpuMillisPerEvent() {
            return cpuSeconds * 1000 / events;
        }

        double callsPerEvent() {
            return (double) vropsCalls / events;
        }

        /** Cores the measured process kept busy: near 2 on this machine means it was short of CPU, not of threads. */
        double coresBusy() {
            return cpuSeconds / seconds;
        }

        double p50Millis() {
            return latencyNanos.getValueAtPercentile(50) / 1e6;
        }

        double p99Millis() {
            return latencyNanos.getValueAtPercentile(99) / 1e6;
        }
    }

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    /** vCenter event Keys: only ever growing, so no event is ever stale or a duplicate. */
    private final AtomicLong keys = new AtomicLong(1_000_000);

    /** The event for host {@code slot + 1} with the next Key, Enter or Exit. */
    HttpRequest event(URI base, int slot, boolean enter) {
        String name = String.format("esx-1-%03d.gen.local", slot + 1);
        String moref = "host-" + (slot + 1);
        VcenterEvent template = (enter ? VcenterEvent.entered(name, moref) : VcenterEvent.exited(name, moref))
                .source(SOURCE).key(KEY_PLACEHOLDER);
        return request(base, template, keys.incrementAndGet());
    }

    private static HttpRequest request(URI base, VcenterEvent template, long key) {
        String type = template.headers().get("ce-type");
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/events/" + type))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(template.body().replace(Long.toString(KEY_PLACEHOLDER), Long.toString(key))));
        template.headers().forEach((header, value) -> request.header(header, header.equals("ce-id") ? Long.toString(key) : value));
        return request.build();
    }

    /** Sends one event; the HTTP status, or -1 when the process did not answer. */
    int send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException notListening) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Runs {@code warmUp}, then measures for {@code measure}, with {@code inFlight} events in flight throughout. */
    Result run(URI base, int inFlight, Duration warmUp, Duration measure, Probe probe) throws InterruptedException {
        // Event bodies are prepared per sender once; sending only substitutes the Key, to keep the driver's CPU,
        // which competes with the measured process for the same cores, small.
        List<Sender> senders = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(inFlight);
        for (int slot = 0; slot < inFlight; slot++) {
            String name = String.format("esx-1-%03d.gen.local", slot + 1);
            String moref = "host-" + (slot + 1);
            senders.add(new Sender(base,
                    VcenterEvent.entered(name, moref).source(SOURCE).key(KEY_PLACEHOLDER),
                    VcenterEvent.exited(name, moref).source(SOURCE).key(KEY_PLACEHOLDER), done));
        }
        senders.forEach(sender -> sender.thread.start());
        Thread.sleep(warmUp.toMillis());

        long[] machineBefore = machineTicks();
        double cpuBefore = probe.cpuSeconds();
        long callsBefore = probe.vropsCalls();
        long start = System.nanoTime();
        senders.forEach(sender -> sender.measuring = true);
        Thread.sleep(measure.toMillis());
        senders.forEach(sender -> sender.measuring = false);
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpu = probe.cpuSeconds() - cpuBefore;
        long calls = probe.vropsCalls() - callsBefore;
        long[] machineAfter = machineTicks();
        double machineBusy = (double) (machineAfter[0] - machineBefore[0]) / (machineAfter[1] - machineBefore[1]);

        senders.forEach(sender -> sender.running = false);
        if (!done.await(90, TimeUnit.SECONDS)) {
            throw new IllegalStateException("senders still waiting for answers 90 s after the window");
        }
        Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
        long events = 0;
        long errors = 0;
        for (Sender sender : senders) {
            latency.add(sender.latency);
            events += sender.events;
            errors += sender.errors;
        }
        return new Result(inFlight, events, errors, seconds, latency, cpu, calls, machineBusy);
    }

    /**
     * Busy and total CPU ticks of the whole machine (first line of {@code /proc/stat}), to tell a process short of
     * CPU because the machine is full from one waiting on something else.
     */
    private static long[] machineTicks() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < fields.length; i++) {
                total += Long.parseLong(fields[i]);
            }
            // user nice system idle iowait irq softirq steal ...: idle and iowait are the unused time
            long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
            return new long[] { total - idle, total };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final class Sender implements Runnable {
        final Thread thread = new Thread(this, "bench-sender");
        final Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
        final URI base;
        final VcenterEvent enter;
        final VcenterEvent exit;
        final CountDownLatch done;
        volatile boolean running = true;
        volatile boolean measuring;
        long events;
        long errors;

        Sender(URI base, VcenterEvent enter, VcenterEvent exit, CountDownLatch done) {
            this.base = base;
            this.enter = enter;
            this.exit = exit;
            this.done = done;
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            try {
                boolean entering = true;
                while (running) {
                    HttpRequest request = request(base, entering ? enter : exit, keys.incrementAndGet());
                    entering = !entering;
                    // an event counts in the window it was sent in; one answered after the window still counts
                    boolean counted = measuring;
                    long sent = System.nanoTime();
                    int status = send(request);
                    long took = System.nanoTime() - sent;
                    if (counted) {
                        events++;
                        latency.recordValue(Math.min(took, MAX_LATENCY_NANOS));
                        if (status != 204) {
                            errors++;
                        }
                    }
                }
            } finally {
                done.countDown();
            }
        }
    }
}

package maintsync.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import maintsync.bench.VcenterLatency.Idle;
import maintsync.bench.VcenterLatency.Result;
import maintsync.bench.VcenterLatency.Row;
import maintsync.bench.VcenterLatency.Source;

/** The latency section of BENCHMARKS.md and its target, from {@link VcenterLatency}'s figures. */
final class VcenterLatencyReport {

    static final String HEADING = "From a change in vCenter to vROps";
    /** The start of the target's row, which a run without the latency section keeps. */
    static final String TARGET = "vCenter change to vROps with no events";
    static final String REASON = "Latency with no events";
    private static final double TARGET_SECONDS = 2.0;

    private VcenterLatencyReport() {
    }

    static void target(StringBuilder md, List<String> reasons, Result latency) {
        List<Row> watched = latency.rows().stream().filter(row -> row.source() == Source.WATCH).toList();
        String target = TARGET + ": p99 ≤ 2 s";
        if (watched.isEmpty()) {
            Row passes = worst(latency, Source.PASSES);
            row(md, target, "no watch in this build", Double.NaN, false);
            reasons.add(String.format(Locale.ROOT, "**%s**: this build has no vCenter watch (no `vcenter.watch` in `application.properties`): "
                    + "without events only the reconcile passes change vROps, so a change waits for the next pass, up to "
                    + "`reconcile.interval-ms` (%d s as shipped); at a %d s interval the passes gave p99 %.2f s (%s).", REASON,
                    latency.shippedInterval().toSeconds(), latency.passInterval().toSeconds(), passes.p99(), passes.scenario()));
            return;
        }
        Row worst = worst(latency, Source.WATCH);
        String measured = String.join(", ", watched.stream().map(row -> String.format(Locale.ROOT, "%.2f s (%s)", row.p99(), row.scenario())).toList());
        if (!row(md, target, measured, worst.p99() / TARGET_SECONDS, worst.p99() <= TARGET_SECONDS)) {
            Row alone = watched.get(0);
            Row crowd = watched.get(watched.size() - 1);
            Row events = latency.rows().stream().filter(row -> row.source() == Source.EVENTS).reduce((first, second) -> second).orElseThrow();
            StringBuilder reason = new StringBuilder(String.format(Locale.ROOT, "**%s**: p99 %.2f s (%s), %.2f s (%.0f %%) over 2 s.", REASON,
                    worst.p99(), worst.scenario(), worst.p99() - TARGET_SECONDS, 100 * (worst.p99() / TARGET_SECONDS - 1)));
            if (worst == crowd && alone.p99() <= TARGET_SECONDS) {
                // the shape of the figures says where the time went: a queue grows linearly, its median at half its end
                reason.append(String.format(Locale.ROOT, " One change alone follows in %.2f s (p99); %d at once queue: the hosts followed one "
                        + "after another, the median after %.2f s, the last after %.2f s, one host every %.0f ms, at %.2f vROps calls per "
                        + "change. The watch applies the changes of a WaitForUpdatesEx answer host by host, each as an event of its vCenter on "
                        + "that vCenter's pass thread, its vROps calls one after another; the same "
                        + "changes as events, which arrive concurrently, gave p99 %.2f s, and a pass marks or unmarks 100 hosts a call. Applying "
                        + "an answer's changes together, by vROps's calls for many ids as a pass does, would take the queue away.",
                        alone.p99(), latency.crowd(), crowd.p50(), crowd.max(), 1000 * crowd.max() / latency.crowd(), crowd.vropsCallsPerChange(),
                        events.p99()));
            }
            reason.append(String.format(Locale.ROOT, " See [%s](#%s).", HEADING, HEADING.toLowerCase(Locale.ROOT).replace(' ', '-')));
            reasons.add(reason.toString());
        }
    }

    static void block(StringBuilder md, Result latency) {
        md.append("\n## ").append(HEADING).append("\n\n");
        md.append(String.format(Locale.ROOT, "A host's maintenance mode changed in vCenter (vcsim, `tests/vcsim`, %d hosts) by its "
                + "EnterMaintenanceMode_Task or ExitMaintenanceMode_Task, until the vROps simulator shows the host MAINTAINED or STARTED "
                + "(read every 20 ms); the integration on Camel Main in the benchmark's JVM, one vCenter configured. By how the integration "
                + "learns of the change: ", latency.crowd() + 1));
        md.append(latency.watchInBuild()
                ? "its watch on vCenter (`vcenter.watch=true`), no event at all and no pass after the first; "
                : "(this build has no vCenter watch: no row for it); ");
        md.append(String.format(Locale.ROOT, "an event sent as the event source would, right after the change (`jbang/send-event`'s CloudEvent, "
                + "binary mode), the watch off and no pass after the first; reconcile passes alone, every %d s, the watch off. \"1 host\": "
                + "host 0 in and out, %d changes one after the other, each after a random pause (up to 1 s; up to the interval for the "
                + "passes, so that a change falls anywhere between two passes); \"%d hosts at once\": %d others changed at the same moment "
                + "by as many administrators, in, then out, each host's own time. p99 by nearest rank: of %d changes, the largest. "
                + "Calls per change: what the scenario cost, divided by its changes (vCenter: SOAP requests counted by a proxy in front of "
                + "vcsim; vROps: without the readiness checks and the client's token).%n%n",
                latency.passInterval().toSeconds(), latency.repeats(), latency.crowd(), latency.crowd(), latency.repeats()));
        md.append("| learns of it by | scenario | p50 (s) | p99 (s) | max (s) | vCenter calls per change | vROps calls per change |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (Row row : latency.rows()) {
            String source = row.source() == Source.PASSES ? String.format(Locale.ROOT, "%s, every %d s", row.source().label,
                    latency.passInterval().toSeconds()) : row.source().label;
            md.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f | %.2f | %.2f |%n", source, row.scenario(), row.p50(), row.p99(),
                    row.max(), row.vcenterCallsPerChange(), row.vropsCallsPerChange()));
        }
        md.append("\n### vCenter calls when nothing changes\n\n");
        md.append("SOAP requests vcsim served while no host changed, counted by the proxy over the window, per hour.\n\n");
        md.append("| integration | window (s) | vCenter calls per hour | by method |\n|---|---|---|---|\n");
        Idle watch = null;
        Idle passes = null;
        for (Idle idle : latency.idle()) {
            String what = idle.source() == Source.WATCH ? "the watch idle, no pass"
                    : String.format(Locale.ROOT, "passes only, every %d s", latency.passInterval().toSeconds());
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %s |%n", what, idle.seconds(), idle.perHour(), counts(idle.calls())));
            if (idle.source() == Source.WATCH) {
                watch = idle;
            } else {
                passes = idle;
            }
        }
        if (passes != null) {
            // the window's calls over the passes that ended in it: a pass cut by the window's edges counts as a part
            double perPass = passes.passes() == 0 ? Double.NaN : passes.total() / (double) passes.passes();
            double shippedPasses = perPass * 3_600_000.0 / latency.shippedInterval().toMillis();
            md.append(String.format(Locale.ROOT, "%nA pass asks vCenter %.1f times; at the shipped `reconcile.interval-ms` (%d s) the passes cost "
                    + "%.0f calls an hour", perPass, latency.shippedInterval().toSeconds(), shippedPasses));
            md.append(watch == null ? ".\n" : String.format(Locale.ROOT, ", and the watch beside them %.0f: %.0f an idle hour as shipped.%n",
                    watch.perHour(), watch.perHour() + shippedPasses));
        }
    }

    private static Row worst(Result latency, Source source) {
        return latency.rows().stream().filter(row -> row.source() == source)
                .max((a, b) -> Double.compare(a.p99(), b.p99())).orElseThrow();
    }

    private static boolean row(StringBuilder md, String target, String measured, double ratio, boolean met) {
        md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", target, measured, Double.isNaN(ratio) ? "–" : String.format(Locale.ROOT, "%.2f", ratio),
                met ? "met" : "**missed**"));
        return met;
    }

    private static String counts(Map<String, Long> calls) {
        return calls.isEmpty() ? "none" : String.join(", ", calls.entrySet().stream().map(call -> call.getKey() + " " + call.getValue()).toList());
    }
}

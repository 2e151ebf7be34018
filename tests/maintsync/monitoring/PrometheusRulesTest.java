package maintsync.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * The alerts as Prometheus itself reads them: promtool checks the rules file and runs its unit tests
 * (tests/monitoring/alerts.test.yaml: each alert fires when it should, and not in the healthy case or just short of
 * its threshold). PrometheusAlertsIT has a real Prometheus evaluate the same rules against a running integration.
 */
class PrometheusRulesTest {

    @Test
    void promtoolAcceptsTheRules() {
        Promtool.Run check = Promtool.run(Path.of("."), "promtool", "check", "rules", Promtool.RULES.toString());
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 9 rules found");
    }

    @Test
    void everyAlertFiresWhenItShouldAndOnlyThen() {
        Promtool.Run test = Promtool.run(Promtool.RULE_TESTS.getParent(), "promtool", "test", "rules", Promtool.RULE_TESTS.getFileName().toString());
        assertThat(test.exitCode()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    @Test
    void theAlertsAndTheDashboardQueryTheIntegrationsMetrics() {
        // the names themselves are checked against a real scrape in PrometheusAlertsIT
        assertThat(Promtool.names(Promtool.expressions())).contains("vcenter_maintenance_events_total", "vrops_call_duration_seconds_bucket",
                "vcenter_maintenance_drift_hosts", "vcenter_maintenance_hosts", "vcenter_maintenance_reconcile_last_success_timestamp_seconds",
                "vcenter_maintenance_dead_letters_total", "vcenter_maintenance_vrops_ready", "vcenter_maintenance_host_maintenance_since_seconds",
                "vcenter_maintenance_watch_up");
    }
}

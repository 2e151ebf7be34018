package maintsync.vcenter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import javax.xml.parsers.DocumentBuilderFactory;

import maintsync.sync.MaintenancePlan;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * The watch's reading of WaitForUpdatesEx answers, strictly as a read of hosts is read: objects by type and id, only
 * the watch's own filter, enter, modify and leave, a withheld or removed property as unknown (never as out of
 * maintenance), the tasks that make a host entering, and which hosts changed state, which are the ones applied.
 */
class VcenterWatchReadingTest {

    private static final String FILTER = "session[1]filter-7";

    private static String host(String kind, String moref, String inMaintenance) {
        return "<objectSet><kind>" + kind + "</kind><obj type=\"HostSystem\">" + moref + "</obj>"
                + (kind.equals("enter") ? "<changeSet><name>name</name><op>assign</op><val xsi:type=\"xsd:string\">esx-" + moref + "</val></changeSet>" : "")
                + (inMaintenance == null ? "" : "<changeSet><name>runtime.inMaintenanceMode</name><op>assign</op><val xsi:type=\"xsd:boolean\">"
                        + inMaintenance + "</val></changeSet>")
                + "</objectSet>";
    }

    private static String answer(String version, String objects) {
        return "<returnval>" + (version == null ? "" : "<version>" + version + "</version>") + "<filterSet><filter type=\"PropertyFilter\">"
                + FILTER + "</filter>" + objects + "</filterSet></returnval>";
    }

    /** The returnval of a WaitForUpdatesExResponse, as VcenterSoap hands it over. */
    private static Element returnval(String returnval) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        String envelope = "<WaitForUpdatesExResponse xmlns=\"urn:vim25\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                + "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">" + returnval + "</WaitForUpdatesExResponse>";
        Element response = factory.newDocumentBuilder().parse(new ByteArrayInputStream(envelope.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
        Element first = VcenterSoap.child(response, "returnval");
        return first != null ? first : response;
    }

    private static VcenterWatch.UpdateSet read(String returnval) throws Exception {
        return VcenterWatch.read(returnval(returnval), FILTER);
    }

    private static VcenterWatch.Inventory listed() throws Exception {
        VcenterWatch.Inventory inventory = new VcenterWatch.Inventory();
        inventory.apply(read(answer("1", host("enter", "host-1", "false") + host("enter", "host-2", "true"))));
        return inventory;
    }

    @Test
    void theFullListGivesEveryHostItsStateAndAModifyChangesOnlyThatHost() throws Exception {
        VcenterWatch.Inventory inventory = new VcenterWatch.Inventory();
        VcenterWatch.UpdateSet list = read(answer("1", host("enter", "host-1", "false") + host("enter", "host-2", "true")));
        assertThat(list.version()).isEqualTo("1");
        assertThat(list.truncated()).isFalse();
        assertThat(inventory.apply(list)).containsExactly("host-1", "host-2");
        assertThat(inventory.state("host-1").state()).isEqualTo(MaintenancePlan.VcenterState.IN_SERVICE);
        assertThat(inventory.state("host-1").name()).isEqualTo("esx-host-1");
        assertThat(inventory.state("host-2").state()).isEqualTo(MaintenancePlan.VcenterState.IN_MAINTENANCE);

        assertThat(inventory.apply(read(answer("2", host("modify", "host-1", "true"))))).containsExactly("host-1");
        assertThat(inventory.state("host-1").state()).isEqualTo(MaintenancePlan.VcenterState.IN_MAINTENANCE);
        assertThat(inventory.state("host-1").name()).as("kept from the enter").isEqualTo("esx-host-1");
        // the same value again is no change of state: nothing to apply
        assertThat(inventory.apply(read(answer("3", host("modify", "host-1", "true"))))).isEmpty();
    }

    @Test
    void aWithheldOrRemovedPropertyIsUnknownNeverOutOfMaintenance() throws Exception {
        VcenterWatch.Inventory inventory = listed();
        Set<String> changed = inventory.apply(read(answer("2", "<objectSet><kind>modify</kind><obj type=\"HostSystem\">host-2</obj>"
                + "<missingSet><path>runtime.inMaintenanceMode</path><fault><fault xsi:type=\"NoPermission\"><privilegeId>System.Read</privilegeId>"
                + "</fault></fault></missingSet></objectSet>")));
        assertThat(changed).containsExactly("host-2");
        assertThat(inventory.state("host-2").state()).isEqualTo(MaintenancePlan.VcenterState.UNKNOWN);
        assertThat(inventory.state("host-2").withheld()).isEqualTo("NoPermission");

        inventory.apply(read(answer("3", "<objectSet><kind>modify</kind><obj type=\"HostSystem\">host-1</obj><changeSet>"
                + "<name>runtime.inMaintenanceMode</name><op>remove</op></changeSet></objectSet>")));
        assertThat(inventory.state("host-1").state()).isEqualTo(MaintenancePlan.VcenterState.UNKNOWN);

        inventory.apply(read(answer("4", host("modify", "host-1", "maybe"))));
        assertThat(inventory.state("host-1").state()).isEqualTo(MaintenancePlan.VcenterState.UNKNOWN);
        assertThat(inventory.state("host-1").withheld()).isEqualTo("the value maybe");

        // an object the filter could not reach at all
        inventory.apply(read(answer("5", host("modify", "host-1", "true")
                + "<missingSet><obj type=\"HostSystem\">host-1</obj><fault><fault xsi:type=\"ManagedObjectNotFound\"/></fault></missingSet>")));
        assertThat(inventory.state("host-1").state()).isEqualTo(MaintenancePlan.VcenterState.UNKNOWN);
    }

    @Test
    void onlyTheWatchsFilterCountsAndNothingNestedInAnUnknownElement() throws Exception {
        VcenterWatch.Inventory inventory = listed();
        String other = "<returnval><version>2</version><filterSet><filter type=\"PropertyFilter\">someone-else</filter>"
                + host("modify", "host-1", "true") + "</filterSet><filterSet><filter type=\"PropertyFilter\">" + FILTER + "</filter>"
                + "<extension>" + host("modify", "host-1", "true") + "</extension></filterSet></returnval>";
        assertThat(inventory.apply(read(other))).isEmpty();
        assertThat(inventory.state("host-1").state()).isEqualTo(MaintenancePlan.VcenterState.IN_SERVICE);
    }

    @Test
    void aHostThatLeavesIsForgottenAndOneThatEntersIsNew() throws Exception {
        VcenterWatch.Inventory inventory = listed();
        assertThat(inventory.apply(read(answer("2", "<objectSet><kind>leave</kind><obj type=\"HostSystem\">host-2</obj></objectSet>"
                + host("enter", "host-3", "true"))))).containsExactly("host-3");
        assertThat(inventory.hosts()).containsExactlyInAnyOrder("host-1", "host-3");
    }

    @Test
    void aRunningEnterTaskMakesItsHostEnteringUntilItEnds() throws Exception {
        VcenterWatch.Inventory inventory = listed();
        String task = "<objectSet><kind>enter</kind><obj type=\"Task\">task-9</obj><changeSet><name>info.descriptionId</name><op>assign</op>"
                + "<val xsi:type=\"xsd:string\">HostSystem.enterMaintenanceMode</val></changeSet><changeSet><name>info.state</name><op>assign</op>"
                + "<val xsi:type=\"TaskInfoState\">running</val></changeSet><changeSet><name>info.entity</name><op>assign</op>"
                + "<val type=\"HostSystem\" xsi:type=\"ManagedObjectReference\">host-1</val></changeSet></objectSet>";
        assertThat(inventory.apply(read(answer("2", task)))).containsExactly("host-1");
        assertThat(inventory.state("host-1").state()).isEqualTo(MaintenancePlan.VcenterState.ENTERING);

        String cancelled = "<objectSet><kind>modify</kind><obj type=\"Task\">task-9</obj><changeSet><name>info.state</name><op>assign</op>"
                + "<val xsi:type=\"TaskInfoState\">error</val></changeSet></objectSet>";
        assertThat(inventory.apply(read(answer("3", cancelled)))).containsExactly("host-1");
        assertThat(inventory.state("host-1").state()).isEqualTo(MaintenancePlan.VcenterState.IN_SERVICE);
    }

    @Test
    void noChangeWithinTheWaitIsNoAnswerAndAnAnswerItCannotReadFails() throws Exception {
        assertThat(read("")).isNull();
        assertThat(read(answer("7", "") .replace("<returnval>", "<returnval><truncated>true</truncated>")).truncated()).isTrue();
        assertThatThrownBy(() -> read(answer(null, host("modify", "host-1", "true")))).isInstanceOf(IOException.class)
                .hasMessageContaining("without a version");
        assertThatThrownBy(() -> read(answer("2", host("moved", "host-1", "true")))).isInstanceOf(IOException.class)
                .hasMessageContaining("moved");
        assertThatThrownBy(() -> read(answer("2", "<objectSet><kind>modify</kind></objectSet>"))).isInstanceOf(IOException.class);
    }
}

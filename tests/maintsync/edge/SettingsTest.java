package maintsync.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** How a number or a flag is read from its setting: the value as Camel would read it, or a refusal that names the setting. */
class SettingsTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "null | 15", // absent: the default
        "1 | 1",
        "90 | 90",
        "2147483647 | 2147483647",
        "0090 | 90",
    })
    void aWholeNumberInRangeIsRead(String value, long expected) {
        assertThat(Settings.number("reconcile.hold-minutes", value, 15, 1, Integer.MAX_VALUE)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"0", "-1", "2147483648", "", " ", "15 ", " 15", "15m", "1e3", "0x10", "+15", "1.5", "١٥",
        "99999999999999999999", "15\n"})
    void anyOtherValueIsRefusedByName(String value) {
        assertThatThrownBy(() -> Settings.number("reconcile.hold-minutes", value, 15, 1, Integer.MAX_VALUE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("reconcile.hold-minutes=\"" + LogLines.escape(value) + "\" is refused: a whole number from 1 to 2147483647 is expected");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "null | true",
        "true | true",
        "TRUE | true",
        "false | false",
        "False | false",
    })
    void trueOrFalseIsRead(String value, boolean expected) {
        assertThat(Settings.flag("vcenter.watch", value, true)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"flase", "ture", "yes", "no", "1", "0", "on", "", "true "})
    void anyOtherFlagIsRefusedByName(String value) {
        assertThatThrownBy(() -> Settings.flag("vcenter.watch", value, true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("vcenter.watch=\"" + value + "\" is refused: true or false is expected");
    }
}

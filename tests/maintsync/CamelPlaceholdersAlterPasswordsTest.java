package maintsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Why the integration reads the password itself: Camel 4.17's property placeholders, which every Kamelet property and
 * every {@code {{...}}} setting goes through, change some passwords. A Pipe has no other way to give the token Kamelet
 * its password, so these are its documented limits (k8s/pipes/kustomization.yaml); when a Camel upgrade makes this
 * test fail, those limits are gone and the documentation says too much.
 */
class CamelPlaceholdersAlterPasswordsTest {

    private CamelContext camel;

    @BeforeEach
    void start() {
        camel = new DefaultCamelContext();
        Properties settings = new Properties();
        settings.put("plain", "Plain-pa55word with $ % & \" ' spaces and ümlauts");
        settings.put("backslash-second-to-last", "ab\\c");
        settings.put("backslash-last", "abc\\");
        settings.put("backslash-inside", "a\\bcd");
        settings.put("escaped-brace", "x\\{{y");
        settings.put("open-brace", "Brace{{Only-pw");
        settings.put("placeholder", "p@ss{{word}}");
        camel.getPropertiesComponent().setInitialProperties(settings);
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    @Test
    void passwordsWithoutBracesOrTrailingBackslashesComeThroughAsTheyAre() {
        assertThat(resolve("plain")).isEqualTo("Plain-pa55word with $ % & \" ' spaces and ümlauts");
        assertThat(resolve("backslash-inside")).isEqualTo("a\\bcd");
    }

    @Test
    void aBackslashAmongTheLastTwoCharactersOrBeforeBracesIsDropped() {
        assertThat(resolve("backslash-second-to-last")).isEqualTo("abc");
        assertThat(resolve("backslash-last")).isEqualTo("abc");
        assertThat(resolve("escaped-brace")).isEqualTo("x{{y");
    }

    @Test
    void doubleBracesAreReadAsAPlaceholderAndTheErrorQuotesThePassword() {
        assertThatThrownBy(() -> resolve("open-brace")).hasMessageContaining("Brace{{Only-pw");
        assertThatThrownBy(() -> resolve("placeholder")).hasMessageContaining("p@ss{{word}}");
    }

    private String resolve(String key) {
        return camel.resolvePropertyPlaceholders("{{" + key + "}}");
    }
}

package maintsync.edge;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.camel.CamelContext;

/**
 * How the integration reads its settings: Camel's properties (application.properties, the environment, a mounted
 * Secret), except passwords.
 */
public final class Settings {

    private Settings() {
    }

    public static String get(CamelContext context, String key, String defaultValue) {
        return context.getPropertiesComponent().resolveProperty(key).orElse(defaultValue);
    }

    /**
     * A whole number from {@code min} to {@code max}, or {@code defaultValue} when the setting is absent. Anything else
     * stops the start naming the setting: a typo must not become an unbounded wait, endless retries or a maintenance
     * vROps never ends.
     */
    public static long number(CamelContext context, String key, long defaultValue, long min, long max) {
        return number(key, context.getPropertiesComponent().resolveProperty(key).orElse(null), defaultValue, min, max);
    }

    static long number(String key, String value, long defaultValue, long min, long max) {
        if (value == null) {
            return defaultValue;
        }
        // digits only, as Camel reads the settings it takes as {{placeholders}}: no blank, sign or unit it would refuse
        if (value.matches("-?[0-9]{1,18}")) {
            long number = Long.parseLong(value);
            if (number >= min && number <= max) {
                return number;
            }
        }
        throw new IllegalStateException(key + "=" + quoted(value) + " is refused: a whole number from " + min + " to " + max + " is expected");
    }

    /** {@code true} or {@code false}, in any case, or {@code defaultValue} when the setting is absent; anything else stops the start. */
    public static boolean flag(CamelContext context, String key, boolean defaultValue) {
        return flag(key, context.getPropertiesComponent().resolveProperty(key).orElse(null), defaultValue);
    }

    static boolean flag(String key, String value, boolean defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        // "ture" or "yes" read as false would turn a watch or a check off without a word
        throw new IllegalStateException(key + "=" + quoted(value) + " is refused: true or false is expected");
    }

    /** A refused value as it was given, so that a blank or a line break in it shows. */
    private static String quoted(String value) {
        return "\"" + LogLines.escape(value) + "\"";
    }

    public static String required(CamelContext context, String key) {
        String value = get(context, key, "");
        if (value.isBlank()) {
            throw new IllegalStateException(key + " is not set: see application.properties");
        }
        return value;
    }

    /**
     * The setting as an https:// URL, refused otherwise: the calls carry a password or a token, which must not cross
     * the network in clear text. {@code why} ends the refusal.
     */
    public static URI httpsUrl(CamelContext context, String key, String why) {
        String value = required(context, key).strip();
        URI url;
        try {
            url = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(key + " " + value + " is no URL: " + e.getMessage());
        }
        if (!"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
            throw new IllegalStateException(key + " " + value + " is no https:// URL: " + why);
        }
        return url;
    }

    /**
     * A password, from the file a {@code *.password-file} setting names (a mounted Kubernetes Secret), or else from an
     * environment variable, and never through Camel's properties: their placeholders would take {@code {{...}}} in a
     * password for a property to look up and drop some of its backslashes, and every property is listed by Camel's
     * properties console and Camel JBang's status file. One final line break of the file is not part of the password.
     * {@code property} is the setting that must not exist: an old configuration would put the password there.
     */
    public static String password(CamelContext context, String property, String fileSetting, String environmentVariable) {
        if (context.getPropertiesComponent().loadProperties(key -> key.equals(property)).containsKey(property)) {
            throw new IllegalStateException(property + " is not read: give the password in the environment variable "
                    + environmentVariable + " or in the file " + fileSetting + " names (see docs/configuration.md)");
        }
        String file = get(context, fileSetting, "");
        String password;
        if (!file.isBlank()) {
            try {
                password = Files.readString(Path.of(file), StandardCharsets.UTF_8).replaceFirst("\\r?\\n\\z", "");
            } catch (IOException e) {
                throw new IllegalStateException(fileSetting + " " + file + " cannot be read: " + e, e);
            }
        } else {
            password = System.getenv(environmentVariable);
        }
        if (password == null || password.isEmpty()) {
            throw new IllegalStateException(file.isBlank()
                    ? "No password: set the environment variable " + environmentVariable + ", or " + fileSetting
                    : fileSetting + " " + file + " is empty");
        }
        return password;
    }
}

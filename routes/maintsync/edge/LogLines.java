package maintsync.edge;

import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelLogger;
import org.apache.camel.spi.LogListener;

/**
 * One log line per message, whatever an event carries: the routes log CloudEvent attributes and reasons that quote
 * the event data (a host name, a type), which may hold line breaks or terminal escapes that would split a line or
 * forge one. Each control character is written as an escape ({@code \n}, {@code \r}, {@code \t}, {@code \}{@code uXXXX}),
 * and so is each character that is invisible or not what it looks like: the line and paragraph separators, the other
 * blanks than the space (U+00A0 looks like one) and the format characters (U+200B is none, U+202E turns the text
 * around). A backslash stays one, so that a reason already escaped is not escaped twice.
 */
public final class LogLines implements LogListener {

    /** Every log EIP message of the routes goes through this. */
    @Override
    public String onLog(Exchange exchange, CamelLogger logger, String message) {
        return escape(message);
    }

    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder escaped = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = switch (c) {
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                default -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT || Character.isSpaceChar(c) && c != ' '
                        ? String.format("\\u%04x", (int) c) : null;
            };
            if (replacement != null && escaped == null) {
                escaped = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (escaped != null) {
                escaped.append(replacement != null ? replacement : String.valueOf(c));
            }
        }
        return escaped == null ? text : escaped.toString();
    }
}

package maintsync.vrops;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A query string, percent-decoded, keeping repeated keys ({@code id=A&id=B}) in order. Decoding the
 * names too is what lets {@code identifiers%5BVMEntityObjectID%5D} and its raw-bracket spelling mean
 * the same thing.
 */
final class QueryParameters {

    private static final Pattern DEEP_OBJECT_KEY = Pattern.compile("([^\\[]+)\\[([^\\]]+)]");

    private final Map<String, List<String>> values;
    private final List<String> rawPairs;

    private QueryParameters(Map<String, List<String>> values, List<String> rawPairs) {
        this.values = values;
        this.rawPairs = rawPairs;
    }

    /** @throws IllegalArgumentException on a malformed percent escape */
    static QueryParameters parse(String rawQuery) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        List<String> rawPairs = rawQuery == null || rawQuery.isEmpty()
                ? List.of()
                : Stream.of(rawQuery.split("&")).filter(pair -> !pair.isEmpty()).toList();
        for (String pair : rawPairs) {
            values.computeIfAbsent(name(pair), key -> new ArrayList<>()).add(value(pair));
        }
        return new QueryParameters(values, rawPairs);
    }

    Map<String, List<String>> asMap() {
        return values;
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    Optional<String> first(String name) {
        return all(name).stream().findFirst();
    }

    /** The {@code name[key]=value} pairs of an OpenAPI deepObject parameter, as key to value. */
    Map<String, String> deepObject(String name) {
        Map<String, String> object = new LinkedHashMap<>();
        values.forEach((key, keyValues) -> {
            Matcher matcher = DEEP_OBJECT_KEY.matcher(key);
            if (matcher.matches() && matcher.group(1).equals(name)) {
                object.put(matcher.group(2), keyValues.get(keyValues.size() - 1));
            }
        });
        return object;
    }

    /** The query as received, less the named parameters; for links that change only those. */
    String rawWithout(Set<String> names) {
        return rawPairs.stream().filter(pair -> !names.contains(name(pair))).collect(Collectors.joining("&"));
    }

    private static String name(String pair) {
        int equals = pair.indexOf('=');
        return decode(equals < 0 ? pair : pair.substring(0, equals));
    }

    private static String value(String pair) {
        int equals = pair.indexOf('=');
        return equals < 0 ? "" : decode(pair.substring(equals + 1));
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}

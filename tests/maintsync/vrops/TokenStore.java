package maintsync.vrops;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Issued tokens. Each successful call moves a token's expiry to six hours after that call. */
final class TokenStore {

    static final Duration LIFETIME = Duration.ofHours(6);

    record Issued(String token, long validityMilli) {
    }

    private record Session(Inventory.User user, long expiresAtMilli) {
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Clock clock;

    TokenStore(Clock clock) {
        this.clock = clock;
    }

    Issued issue(Inventory.User user) {
        String token = UUID.randomUUID() + "::" + UUID.randomUUID();
        long expiresAt = clock.millis() + LIFETIME.toMillis();
        sessions.put(token, new Session(user, expiresAt));
        return new Issued(token, expiresAt);
    }

    /** The token's user if the token is still valid, sliding its expiry; expired tokens are forgotten. */
    Optional<Inventory.User> use(String token) {
        long now = clock.millis();
        Session session = sessions.computeIfPresent(token, (key, current) ->
                current.expiresAtMilli() > now ? new Session(current.user(), now + LIFETIME.toMillis()) : null);
        return Optional.ofNullable(session).map(Session::user);
    }

    void release(String token) {
        sessions.remove(token);
    }

    void expireAll() {
        sessions.clear();
    }

    int active() {
        long now = clock.millis();
        sessions.values().removeIf(session -> session.expiresAtMilli() <= now);
        return sessions.size();
    }
}

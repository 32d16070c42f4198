package dev.settle.web;

import dev.settle.business.ApiKeys;
import dev.settle.business.Secrets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API keys this instance has found live, so that a request need not ask the database whose
 * key it carries (a pooled connection and a round trip, on every request). A revocation anywhere
 * (this instance, another one, or by hand in SQL) empties it, as does a change of a business's
 * currency: the database tells every listener (V26). While this instance is not listening (its
 * connection lost, the server restarting), it remembers nothing and every request asks the
 * database, as without it.
 */
public final class LiveApiKeys implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveApiKeys.class);
    private static final String CHANNEL = "settle_api_keys_changed";
    private static final int REMEMBERED_MAX = 10_000;
    /** A bound on trusting a key without asking, should a notice ever be missed unseen. */
    private static final long TRUSTED_NANOS = Duration.ofMinutes(5).toNanos();
    /**
     * How long the listener waits for a notice before checking that its connection still answers
     * (a dropped connection that PostgreSQL closed shows at once; this is for one that went silent).
     * Each wake costs the thread some milliseconds of CPU: measured at 5 s, 0.2% of a core idle.
     */
    private static final int PING_EVERY_MILLIS = 30_000;

    private static final int CONNECTION_TIMEOUT_MILLIS = 15_000;
    private static final long RECONNECT_WAIT_MILLIS = 1_000;

    /** Opens the listener's own connection, outside the pool: it is held for as long as Settle runs. */
    public interface Connector {
        Connection connect() throws SQLException;
    }

    private record Remembered(ApiKeys.Caller caller, long sinceNanos) {}

    private final Connector connector;
    /** By the SHA-256 of the key, so the keys themselves are not kept. */
    private final ConcurrentHashMap<String, Remembered> remembered = new ConcurrentHashMap<>();
    /** Moves on at every forgetting, so a lookup that a revocation overtook is not remembered. */
    private final AtomicLong forgettings = new AtomicLong();

    private final Thread listener;
    /** The listener's connection while it has one, so that closing can cut a wait short. */
    private volatile Connection current;

    private volatile boolean listening;
    private volatile boolean closed;
    /** The listener lost its connection and said so (once, not at every attempt to reconnect). */
    private boolean unheard;

    private LiveApiKeys(Connector connector) {
        this.connector = connector;
        this.listener = Thread.ofPlatform().name("api-key-revocations").daemon().unstarted(this::listen);
    }

    /** Starts listening for changes to keys; until it is listening, it remembers nothing. */
    public static LiveApiKeys start(Connector connector) {
        final LiveApiKeys keys = new LiveApiKeys(connector);
        keys.listener.start();
        return keys;
    }

    /** The caller {@code presentedKey} stands for: remembered, or else looked up with {@code lookUp}. */
    public Optional<ApiKeys.Caller> caller(String presentedKey, Supplier<Optional<ApiKeys.Caller>> lookUp) {
        if (!listening) {
            return lookUp.get();
        }
        final String hash = HexFormat.of().formatHex(Secrets.sha256(presentedKey));
        final Remembered known = remembered.get(hash);
        if (known != null && System.nanoTime() - known.sinceNanos() < TRUSTED_NANOS) {
            return Optional.of(known.caller());
        }
        final long before = forgettings.get();
        final Optional<ApiKeys.Caller> found = lookUp.get();
        found.ifPresent(caller -> remember(hash, caller, before));
        return found;
    }

    /** Forgets every key: after a revocation this instance made, without waiting for the notice. */
    public void forgetAll() {
        forgettings.incrementAndGet();
        remembered.clear();
    }

    /** Whether keys are being remembered (the listener is connected). */
    boolean listening() {
        return listening;
    }

    @Override
    public void close() {
        closed = true;
        listener.interrupt();
        final Connection connection = current;
        if (connection != null) {
            try {
                // Not close(): that waits for the listener's read, which waits for a notice.
                connection.abort(Runnable::run);
            } catch (SQLException e) {
                log.debug("could not abort the API key listener's connection", e);
            }
        }
    }

    private void remember(String hash, ApiKeys.Caller caller, long forgettingsBefore) {
        if (remembered.size() >= REMEMBERED_MAX) {
            remembered.clear();
        }
        remembered.put(hash, new Remembered(caller, System.nanoTime()));
        // Put first, then check: a forgetting from here on clears it; one since the lookup began is seen.
        if (!listening || forgettings.get() != forgettingsBefore) {
            remembered.remove(hash);
        }
    }

    private void listen() {
        while (!closed) {
            try (Connection connection = connector.connect()) {
                current = connection;
                connection.setNetworkTimeout(Runnable::run, CONNECTION_TIMEOUT_MILLIS);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("listen " + CHANNEL);
                }
                // Anything revoked while not listening was not heard: start from nothing.
                forgetAll();
                listening = true;
                if (unheard) {
                    log.info("listening for revoked API keys again");
                    unheard = false;
                }
                hearRevocations(connection);
            } catch (SQLException e) {
                if (!closed && !unheard) {
                    log.warn(
                            "not listening for revoked API keys ({}); every request checks its key meanwhile",
                            e.getMessage());
                    unheard = true;
                }
            } finally {
                current = null;
                listening = false;
                forgetAll();
            }
            pause();
        }
    }

    private void hearRevocations(Connection connection) throws SQLException {
        final PGConnection postgres = connection.unwrap(PGConnection.class);
        while (!closed) {
            final var notices = postgres.getNotifications(PING_EVERY_MILLIS);
            if (notices != null && notices.length > 0) {
                forgetAll();
            } else {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("select 1");
                }
            }
        }
    }

    private void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(RECONNECT_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }
}

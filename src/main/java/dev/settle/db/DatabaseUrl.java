package dev.settle.db;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;

/**
 * A PostgreSQL server address as people write it ({@code postgresql://user:pass@host:port/db}),
 * turned into what JDBC wants. {@code jdbc:postgresql:} URLs are accepted as they are.
 */
public record DatabaseUrl(String jdbcUrl, Optional<String> user, Optional<String> password) {

    public static DatabaseUrl parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a database URL is required");
        }
        if (text.startsWith("jdbc:postgresql:")) {
            return new DatabaseUrl(text, Optional.empty(), Optional.empty());
        }
        final URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a database URL: " + e.getMessage());
        }
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            throw new IllegalArgumentException(
                    "database URL must start with postgresql:// (got " + uri.getScheme() + ")");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("database URL has no host: " + text);
        }
        final int port = uri.getPort() == -1 ? 5432 : uri.getPort();
        final String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        final String database = path.length() > 1 ? path.substring(1) : "postgres";
        final String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        final String jdbc = "jdbc:postgresql://" + uri.getHost() + ":" + port + "/" + database + query;
        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        if (uri.getRawUserInfo() != null) {
            final String[] parts = uri.getRawUserInfo().split(":", 2);
            user = Optional.of(decode(parts[0]));
            if (parts.length == 2) {
                password = Optional.of(decode(parts[1]));
            }
        }
        return new DatabaseUrl(jdbc, user, password);
    }

    /** The same server, another database on it (used to create test and benchmark databases). */
    public DatabaseUrl withDatabase(String database) {
        final int slash = jdbcUrl.indexOf('/', "jdbc:postgresql://".length());
        final int queryStart = jdbcUrl.indexOf('?');
        final String base = slash < 0 ? jdbcUrl : jdbcUrl.substring(0, slash);
        final String query = queryStart < 0 ? "" : jdbcUrl.substring(queryStart);
        return new DatabaseUrl(base + "/" + database + query, user, password);
    }

    /** A plain connection (no pool), for one-off administration such as creating a database. */
    public Connection connect() throws SQLException {
        final Properties properties = new Properties();
        user.ifPresent(name -> properties.setProperty("user", name));
        password.ifPresent(secret -> properties.setProperty("password", secret));
        return DriverManager.getConnection(jdbcUrl, properties);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}

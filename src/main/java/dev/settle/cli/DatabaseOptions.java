package dev.settle.cli;

import dev.settle.db.Database;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Where the data is: {@code DATABASE_URL}, else an embedded PostgreSQL in the data folder. */
public final class DatabaseOptions {
    @Option(
            names = "--data-dir",
            description = "Folder for the embedded database (default: $SETTLE_DATA_DIR, else ./data).")
    Path dataDir;

    @Option(
            names = "--database-url",
            description = "PostgreSQL server to use instead of the embedded one (default: $DATABASE_URL).")
    String databaseUrl;

    Database open() {
        final Optional<String> url =
                Optional.ofNullable(databaseUrl).or(() -> Optional.ofNullable(System.getenv("DATABASE_URL")));
        return Database.open(url, folder().resolve("postgres"));
    }

    /** The data folder: the embedded database, and Settle's secret key file unless one is given. */
    Path folder() {
        return Optional.ofNullable(dataDir)
                .or(() -> Optional.ofNullable(System.getenv("SETTLE_DATA_DIR"))
                        .filter(s -> !s.isBlank())
                        .map(Path::of))
                .orElse(Path.of("data"));
    }
}

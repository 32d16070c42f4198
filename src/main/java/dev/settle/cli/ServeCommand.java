package dev.settle.cli;

import dev.settle.App;
import dev.settle.db.Database;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", description = "Migrate the database and serve HTTP (the default command).")
public final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Mixin
    DatabaseOptions database;

    @Option(names = "--port", description = "HTTP port (default: $PORT, else 8080).")
    Integer port;

    @Override
    public Integer call() throws InterruptedException {
        final int httpPort = Optional.ofNullable(port)
                .or(() -> Optional.ofNullable(System.getenv("PORT"))
                        .filter(s -> !s.isBlank())
                        .map(Integer::parseInt))
                .orElse(8080);
        final Database db = database.open();
        final CountDownLatch stopped = new CountDownLatch(1);
        try {
            db.migrate();
            final App app = App.start(db, httpPort, App.Options.fromEnvironment(database.folder()));
            log.info("Settle is serving on http://localhost:{}", app.port());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                log.info("stopping");
                app.close();
                db.close();
                stopped.countDown();
            }));
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        stopped.await();
        return 0;
    }
}

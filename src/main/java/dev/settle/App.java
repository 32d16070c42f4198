package dev.settle;

import dev.settle.business.ApiKeys;
import dev.settle.business.BusinessApi;
import dev.settle.business.Businesses;
import dev.settle.clients.Clients;
import dev.settle.clients.ClientsApi;
import dev.settle.db.Database;
import dev.settle.db.WriteBatcher;
import dev.settle.ledger.Ledger;
import dev.settle.ledger.LedgerApi;
import dev.settle.web.ApiAuth;
import dev.settle.web.ApiWrites;
import dev.settle.web.Health;
import dev.settle.web.IdempotencyPurge;
import dev.settle.web.WebServer;

/** A running Settle: the pieces wired together over one database. */
public final class App implements AutoCloseable {
    public static final int WRITERS_DEFAULT = 4;

    private final WriteBatcher batcher;
    private final IdempotencyPurge purge;
    private final WebServer web;

    private App(WriteBatcher batcher, IdempotencyPurge purge, WebServer web) {
        this.batcher = batcher;
        this.purge = purge;
        this.web = web;
    }

    /** Serves HTTP on {@code port} (0 picks a free one). The database must be migrated. */
    public static App start(Database database, int port) {
        final Ledger ledger = new Ledger();
        final ApiKeys apiKeys = new ApiKeys();
        final WriteBatcher batcher = new WriteBatcher(database.jdbi(), WRITERS_DEFAULT);
        final ApiWrites writes = new ApiWrites(batcher);
        final WebServer.Handlers handlers = new WebServer.Handlers(
                new Health(database),
                new ApiAuth(database.jdbi(), apiKeys),
                new BusinessApi(database.jdbi(), new Businesses(ledger, apiKeys)),
                new ClientsApi(database.jdbi(), new Clients(ledger), writes),
                new LedgerApi(database.jdbi(), ledger, writes));
        try {
            return new App(
                    batcher, new IdempotencyPurge(database.jdbi()).startHourly(), WebServer.start(handlers, port));
        } catch (RuntimeException e) {
            batcher.close();
            throw e;
        }
    }

    public int port() {
        return web.port();
    }

    /** Stops taking requests, then lets queued writes commit. */
    @Override
    public void close() {
        web.close();
        purge.close();
        batcher.close();
    }
}

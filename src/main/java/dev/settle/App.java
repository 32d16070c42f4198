package dev.settle;

import dev.settle.business.ApiKeyPages;
import dev.settle.business.ApiKeys;
import dev.settle.business.BusinessApi;
import dev.settle.business.BusinessSettings;
import dev.settle.business.Businesses;
import dev.settle.business.SecretBox;
import dev.settle.business.SettingsPages;
import dev.settle.business.StaffPages;
import dev.settle.business.StaffUsers;
import dev.settle.clients.ApprovalPages;
import dev.settle.clients.Approvals;
import dev.settle.clients.ClientHistory;
import dev.settle.clients.ClientMoney;
import dev.settle.clients.ClientMoneyApi;
import dev.settle.clients.ClientMoneyPages;
import dev.settle.clients.ClientPages;
import dev.settle.clients.Clients;
import dev.settle.clients.ClientsApi;
import dev.settle.clients.CreditExpiry;
import dev.settle.clients.FundsReminders;
import dev.settle.clients.HouseholdApi;
import dev.settle.clients.HouseholdPages;
import dev.settle.clients.Households;
import dev.settle.db.Database;
import dev.settle.db.WriteBatcher;
import dev.settle.giftcards.GiftCardBalancePages;
import dev.settle.giftcards.GiftCardLookups;
import dev.settle.giftcards.GiftCardPages;
import dev.settle.giftcards.GiftCards;
import dev.settle.giftcards.GiftCardsApi;
import dev.settle.invoices.Checkouts;
import dev.settle.invoices.InvoicePages;
import dev.settle.invoices.Invoices;
import dev.settle.invoices.InvoicesApi;
import dev.settle.invoices.Receipts;
import dev.settle.jobs.Jobs;
import dev.settle.ledger.Ledger;
import dev.settle.ledger.LedgerApi;
import dev.settle.mail.MailServer;
import dev.settle.mail.Outbox;
import dev.settle.mail.OutboxPages;
import dev.settle.notices.ClientNotices;
import dev.settle.payments.CardChargePages;
import dev.settle.payments.CardChargesApi;
import dev.settle.payments.CardPayments;
import dev.settle.payments.StripeConnections;
import dev.settle.payments.StripeProcessor;
import dev.settle.payments.StripeWebhooks;
import dev.settle.payments.TestProcessor;
import dev.settle.payments.TestProcessorPages;
import dev.settle.portal.PortalPages;
import dev.settle.reports.ReportPages;
import dev.settle.reports.TenderQuarters;
import dev.settle.statements.StatementPages;
import dev.settle.statements.Statements;
import dev.settle.statements.StatementsApi;
import dev.settle.web.AccountPages;
import dev.settle.web.ApiAuth;
import dev.settle.web.ApiWrites;
import dev.settle.web.ExportPages;
import dev.settle.web.Exports;
import dev.settle.web.Health;
import dev.settle.web.HourlyPurge;
import dev.settle.web.LiveApiKeys;
import dev.settle.web.Pages;
import dev.settle.web.PasswordThrottle;
import dev.settle.web.Sessions;
import dev.settle.web.SignInPages;
import dev.settle.web.StaffAuth;
import dev.settle.web.WebServer;
import dev.settle.webhooks.WebhookDelivery;
import dev.settle.webhooks.WebhookPages;
import dev.settle.webhooks.Webhooks;
import dev.settle.webhooks.WebhooksApi;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;

/** A running Settle: the pieces wired together over one database. */
public final class App implements AutoCloseable {
    public static final int WRITERS_DEFAULT = 4;

    private final WriteBatcher batcher;
    private final LiveApiKeys liveKeys;
    private final Jobs jobs;
    private final WebServer web;

    /** How often queued email is looked for: a receipt goes out within about this long. */
    private static final Duration OUTBOX_EVERY = Duration.ofSeconds(2);

    /** How often maintenance runs: expired sessions and keys forgotten, credits past their last day expired. */
    private static final Duration HOURLY = Duration.ofHours(1);
    /** How far behind the tender summary may fall; the report adds what it has not summed yet. */
    private static final Duration TENDER_QUARTERS_EVERY = Duration.ofMinutes(1);

    /** How often the daily digest is looked at: it goes out this soon after 08:00 local time. */
    private static final Duration DIGEST_EVERY = Duration.ofMinutes(10);

    private App(WriteBatcher batcher, LiveApiKeys liveKeys, Jobs jobs, WebServer web) {
        this.batcher = batcher;
        this.liveKeys = liveKeys;
        this.jobs = jobs;
        this.web = web;
    }

    /**
     * What Settle is given besides its database: the mail server (none: email is kept in the
     * outbox), the key that seals processors' keys, and where Stripe's API is (tests point it elsewhere).
     */
    public record Options(Optional<MailServer> mail, SecretBox secrets, String stripeApiBase, WebhookPolicy webhooks) {
        /** From the environment; the secret key file, if {@code SETTLE_SECRET_KEY} is not set, in {@code dataFolder}. */
        public static Options fromEnvironment(Path dataFolder) {
            return new Options(
                    MailServer.fromEnvironment(),
                    SecretBox.fromEnvironment(dataFolder.resolve("secret.key")),
                    Optional.ofNullable(System.getenv("SETTLE_STRIPE_API_BASE"))
                            .filter(base -> !base.isBlank())
                            .orElse(com.stripe.Stripe.LIVE_API_BASE),
                    new WebhookPolicy("true".equals(System.getenv("SETTLE_WEBHOOKS_ALLOW_PRIVATE")), true));
        }
    }

    /**
     * Where webhooks may go, and who sends them.
     *
     * @param privateAddresses endpoints may be plain http and on this machine or its network
     *     ({@code SETTLE_WEBHOOKS_ALLOW_PRIVATE=true}, for development); else https to public addresses.
     * @param inBackground a job sends them; false when the caller runs {@link WebhookDelivery} itself (tests).
     */
    public record WebhookPolicy(boolean privateAddresses, boolean inBackground) {}

    /** Serves HTTP on {@code port} (0 picks a free one). The database must be migrated. */
    public static App start(Database database, int port, Options options) {
        final Optional<MailServer> mail = options.mail();
        final Ledger ledger = new Ledger();
        final Webhooks webhooks =
                new Webhooks(options.secrets(), options.webhooks().privateAddresses());
        final ApiKeys apiKeys = new ApiKeys();
        final LiveApiKeys liveKeys = LiveApiKeys.start(database::connectOutsidePool);
        final WriteBatcher batcher = new WriteBatcher(database.jdbi(), WRITERS_DEFAULT);
        final ApiWrites writes = new ApiWrites(batcher);
        final Jdbi jdbi = database.jdbi();
        final Clients clients = new Clients(ledger);
        final StaffUsers staff = new StaffUsers();
        final ClientHistory history = new ClientHistory();
        final Businesses businesses = new Businesses(ledger, apiKeys);
        final Invoices invoices = new Invoices();
        final ClientMoney clientMoney = new ClientMoney(ledger, clients, businesses, invoices);
        final Approvals approvals = new Approvals(clientMoney);
        final Households households = new Households(clients);
        final GiftCards giftCards = new GiftCards(ledger, businesses, clients);
        final GiftCardLookups lookups = new GiftCardLookups(jdbi, giftCards);
        final Checkouts checkouts = new Checkouts(ledger, clients, businesses, invoices, clientMoney, giftCards);
        final Outbox outbox = new Outbox(mail);
        final Statements statements = new Statements(clients, outbox);
        final AtomicInteger boundPort = new AtomicInteger(port);
        final Supplier<String> publicUrl = publicUrl(boundPort);
        final TestProcessor testProcessor = new TestProcessor(jdbi, publicUrl);
        final StripeConnections stripeConnections = new StripeConnections(jdbi, options.secrets());
        final StripeProcessor stripe = new StripeProcessor(stripeConnections, options.stripeApiBase());
        final CardPayments cardPayments = new CardPayments(
                jdbi,
                ledger,
                businesses,
                clients,
                invoices,
                clientMoney,
                checkouts,
                giftCards,
                outbox,
                List.of(testProcessor, stripe));
        final Receipts receipts = new Receipts(invoices, clients, outbox);
        final ClientNotices notices = new ClientNotices(outbox, receipts, clients);
        final FundsReminders reminders = new FundsReminders(outbox);
        final Sessions sessions = new Sessions();
        final Pages pages = new Pages(jdbi, sessions);
        final GiftCardPages giftCardPages =
                new GiftCardPages(jdbi, giftCards, lookups, clients, outbox, sessions, pages);
        final PasswordThrottle throttle = new PasswordThrottle(jdbi);
        final ExportPages exportPages = new ExportPages(new Exports(jdbi), pages);
        final WebServer.Handlers handlers = new WebServer.Handlers(
                new Health(database),
                new ApiAuth(jdbi, apiKeys, liveKeys),
                new BusinessApi(jdbi, businesses),
                new ClientsApi(jdbi, clients, history, writes),
                new ClientMoneyApi(jdbi, clientMoney, approvals, writes),
                new HouseholdApi(jdbi, clients, households),
                new InvoicesApi(jdbi, invoices, checkouts, clientMoney, receipts, writes, cardPayments),
                new GiftCardsApi(jdbi, giftCards, lookups, writes),
                new LedgerApi(jdbi, ledger, writes),
                pages,
                new StaffAuth(jdbi, sessions, pages),
                new SignInPages(jdbi, staff, sessions, throttle, pages),
                new AccountPages(jdbi, staff, sessions, throttle, pages),
                new ClientPages(
                        jdbi,
                        clients,
                        history,
                        invoices,
                        approvals,
                        reminders,
                        exportPages.exports(),
                        exportPages,
                        sessions,
                        pages),
                new ClientMoneyPages(jdbi, clients, clientMoney, approvals, reminders, sessions, pages, cardPayments),
                new ApprovalPages(jdbi, approvals, pages),
                new HouseholdPages(jdbi, clients, households, pages),
                new InvoicePages(
                        jdbi,
                        clients,
                        invoices,
                        checkouts,
                        clientMoney,
                        receipts,
                        giftCardPages,
                        sessions,
                        pages,
                        cardPayments),
                new SettingsPages(jdbi, new BusinessSettings(), sessions, pages, stripeConnections, stripe, publicUrl),
                new StaffPages(jdbi, staff, sessions, pages),
                new ApiKeyPages(jdbi, apiKeys, liveKeys, sessions, pages),
                new OutboxPages(jdbi, outbox, notices, pages),
                giftCardPages,
                new GiftCardBalancePages(jdbi, lookups, pages),
                new PortalPages(
                        jdbi,
                        clients,
                        invoices,
                        clientMoney,
                        history,
                        outbox,
                        pages,
                        publicUrl,
                        cardPayments,
                        statements),
                new TestProcessorPages(jdbi, testProcessor, cardPayments, pages),
                new StripeWebhooks(jdbi, stripeConnections, cardPayments),
                new CardChargesApi(jdbi, clients, cardPayments),
                new CardChargePages(jdbi, cardPayments, pages),
                new ReportPages(jdbi, pages),
                new WebhookPages(jdbi, webhooks, pages),
                new WebhooksApi(jdbi, webhooks),
                new StatementPages(jdbi, clients, statements, pages),
                new StatementsApi(jdbi, clients, statements, writes),
                exportPages);
        final List<Jobs.Job> jobs = new java.util.ArrayList<>(List.of(
                new Jobs.Job("email-outbox", OUTBOX_EVERY, () -> outbox.deliverDue(jdbi)),
                new Jobs.Job("hourly-purge", HOURLY, new HourlyPurge(jdbi)::purgeLogged),
                new Jobs.Job("credit-expiry", HOURLY, new CreditExpiry(jdbi, ledger)::expireLogged),
                new Jobs.Job("card-payments-recheck", DIGEST_EVERY, cardPayments::recheckPending),
                new Jobs.Job("funds-digest", DIGEST_EVERY, () -> reminders.sendDigests(jdbi, Instant.now())),
                new Jobs.Job("client-notices", OUTBOX_EVERY, () -> notices.sendDue(jdbi)),
                new Jobs.Job("tender-quarters", TENDER_QUARTERS_EVERY, () -> new TenderQuarters().catchUpLogged(jdbi)),
                new Jobs.Job(
                        "credit-expiring-notices", HOURLY, () -> notices.noteExpiringCredits(jdbi, Instant.now()))));
        if (options.webhooks().inBackground()) {
            final WebhookDelivery delivery = new WebhookDelivery(webhooks);
            jobs.add(new Jobs.Job("webhook-delivery", OUTBOX_EVERY, () -> delivery.deliverDue(jdbi)));
        }
        try {
            return new App(
                    batcher,
                    liveKeys,
                    Jobs.start(database.dataSource(), jobs),
                    started(WebServer.start(handlers, port), boundPort));
        } catch (RuntimeException e) {
            batcher.close();
            liveKeys.close();
            throw e;
        }
    }

    public int port() {
        return web.port();
    }

    /**
     * Where clients reach this Settle, for links in email: {@code SETTLE_PUBLIC_URL} (set it in
     * production), else this machine. Never the request's Host header, which a caller chooses.
     */
    private static Supplier<String> publicUrl(AtomicInteger boundPort) {
        final Optional<String> configured = Optional.ofNullable(System.getenv("SETTLE_PUBLIC_URL"))
                .filter(url -> !url.isBlank())
                .map(url -> url.strip().replaceAll("/+$", ""));
        return () -> configured.orElse("http://localhost:" + boundPort.get());
    }

    private static WebServer started(WebServer web, AtomicInteger boundPort) {
        boundPort.set(web.port());
        return web;
    }

    /** Stops taking requests, then lets queued writes commit. */
    @Override
    public void close() {
        web.close();
        jobs.close();
        batcher.close();
        liveKeys.close();
    }
}

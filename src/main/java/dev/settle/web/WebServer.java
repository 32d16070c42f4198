package dev.settle.web;

import dev.settle.Problem;
import dev.settle.business.Role;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP: the whole route table in one place, and the one mapping from failures to problem+json.
 * {@code openapi.yaml} describes the same table; a test holds the two equal.
 */
public final class WebServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebServer.class);
    private static final long REQUEST_BYTES_MAX = 64 * 1024;
    /** Up to this, an oversized body is read (and dropped) before it is refused; see below. */
    private static final long OVERSIZED_BYTES_READ_MAX = 1024 * 1024;

    private static final int RESPONSE_COPY_BYTES = 8 * 1024;

    /** One row of the route table: which handler of {@link Handlers} serves a method and path. */
    public record Route(HandlerType method, String path, Function<Handlers, Handler> handler) {}

    private final Javalin javalin;

    private WebServer(Javalin javalin) {
        this.javalin = javalin;
    }

    /** Every route Settle serves; {@code /api/*} routes are behind {@link ApiAuth}. */
    public static List<Route> routes() {
        return List.of(
                new Route(HandlerType.GET, "/health", h -> h.health()::get),
                new Route(HandlerType.GET, "/api/v1/business", h -> h.business()::get),
                new Route(HandlerType.GET, "/api/v1/clients", h -> h.clients()::list),
                new Route(HandlerType.POST, "/api/v1/clients", h -> h.clients()::create),
                new Route(HandlerType.GET, "/api/v1/clients/{clientId}", h -> h.clients()::get),
                new Route(HandlerType.PATCH, "/api/v1/clients/{clientId}", h -> h.clients()::update),
                new Route(HandlerType.GET, "/api/v1/clients/{clientId}/balance", h -> h.clients()::balance),
                new Route(HandlerType.GET, "/api/v1/clients/{clientId}/history", h -> h.clients()::history),
                new Route(HandlerType.GET, "/api/v1/clients/{clientId}/statement", h -> h.statementsApi()::get),
                new Route(HandlerType.GET, "/api/v1/clients/{clientId}/statement.pdf", h -> h.statementsApi()::pdf),
                new Route(
                        HandlerType.POST, "/api/v1/clients/{clientId}/statement-emails", h -> h.statementsApi()::email),
                new Route(
                        HandlerType.POST,
                        "/api/v1/clients/{clientId}/open-payments",
                        h -> h.clientMoney()::receiveOpenPayment),
                new Route(
                        HandlerType.POST,
                        "/api/v1/clients/{clientId}/open-payments/refunds",
                        h -> h.clientMoney()::refundOpenPayment),
                new Route(HandlerType.POST, "/api/v1/clients/{clientId}/credits", h -> h.clientMoney()::issueCredit),
                new Route(
                        HandlerType.POST, "/api/v1/clients/{clientId}/payments", h -> h.clientMoney()::receivePayment),
                new Route(HandlerType.POST, "/api/v1/clients/{clientId}/charges", h -> h.clientMoney()::charge),
                new Route(HandlerType.POST, "/api/v1/clients/{clientId}/apply-funds", h -> h.clientMoney()::applyFunds),
                new Route(HandlerType.GET, "/api/v1/clients/{clientId}/household", h -> h.household()::get),
                new Route(HandlerType.POST, "/api/v1/clients/{clientId}/household", h -> h.household()::join),
                new Route(HandlerType.POST, "/api/v1/clients/{clientId}/household/leave", h -> h.household()::leave),
                new Route(HandlerType.POST, "/api/v1/gift-cards", h -> h.giftCards()::create),
                new Route(HandlerType.POST, "/api/v1/gift-cards/lookup", h -> h.giftCards()::lookup),
                new Route(HandlerType.GET, "/api/v1/gift-cards/{giftCardId}", h -> h.giftCards()::get),
                new Route(HandlerType.POST, "/api/v1/gift-cards/{giftCardId}/redemptions", h -> h.giftCards()::redeem),
                new Route(
                        HandlerType.POST,
                        "/api/v1/gift-cards/{giftCardId}/load-to-client",
                        h -> h.giftCards()::loadToClient),
                new Route(HandlerType.POST, "/api/v1/gift-cards/{giftCardId}/void", h -> h.giftCards()::voidCard),
                new Route(HandlerType.POST, "/api/v1/invoices", h -> h.invoices()::create),
                new Route(HandlerType.GET, "/api/v1/invoices/{invoiceId}", h -> h.invoices()::get),
                new Route(HandlerType.POST, "/api/v1/invoices/{invoiceId}/checkout", h -> h.invoices()::checkout),
                new Route(HandlerType.POST, "/api/v1/invoices/{invoiceId}/payments", h -> h.invoices()::pay),
                new Route(HandlerType.POST, "/api/v1/invoices/{invoiceId}/void", h -> h.invoices()::voidInvoice),
                new Route(
                        HandlerType.POST,
                        "/api/v1/invoices/{invoiceId}/card-charges",
                        h -> h.cardCharges()::chargeInvoice),
                new Route(HandlerType.GET, "/api/v1/clients/{clientId}/saved-cards", h -> h.cardCharges()::savedCards),
                new Route(
                        HandlerType.POST,
                        "/api/v1/clients/{clientId}/card-charges",
                        h -> h.cardCharges()::chargeClient),
                new Route(
                        HandlerType.POST,
                        "/api/v1/invoices/{invoiceId}/receipt-emails",
                        h -> h.invoices()::emailReceipt),
                new Route(HandlerType.POST, "/api/v1/invoices/{invoiceId}/move-funds", h -> h.invoices()::moveFunds),
                new Route(HandlerType.POST, "/api/v1/payments/{paymentId}/refunds", h -> h.invoices()::refund),
                new Route(HandlerType.POST, "/api/v1/invoices/{invoiceId}/apply-funds", h -> h.invoices()::applyFunds),
                new Route(HandlerType.GET, "/api/v1/accounts", h -> h.ledger()::listAccounts),
                new Route(HandlerType.GET, "/api/v1/accounts/{accountId}", h -> h.ledger()::getAccount),
                new Route(HandlerType.GET, "/api/v1/accounts/{accountId}/postings", h -> h.ledger()::accountHistory),
                new Route(HandlerType.POST, "/api/v1/entries", h -> h.ledger()::postEntry),
                new Route(HandlerType.GET, "/api/v1/entries/{entryId}", h -> h.ledger()::getEntry),
                new Route(HandlerType.POST, "/api/v1/entries/{entryId}/reversal", h -> h.ledger()::reverseEntry),
                new Route(HandlerType.GET, "/api/v1/webhook-endpoints", h -> h.webhooksApi()::list),
                new Route(HandlerType.POST, "/api/v1/webhook-endpoints", h -> h.webhooksApi()::create),
                new Route(
                        HandlerType.POST,
                        "/api/v1/webhook-endpoints/{endpointId}/disable",
                        h -> h.webhooksApi()::disable),
                new Route(
                        HandlerType.GET,
                        "/api/v1/webhook-endpoints/{endpointId}/deliveries",
                        h -> h.webhooksApi()::deliveries));
    }

    /** One row of the staff pages' route table: who may use it, and which handler serves it. */
    public record PageRoute(
            HandlerType method, String path, Optional<Role> least, Function<Handlers, Handler> handler) {
        static PageRoute open(HandlerType method, String path, Function<Handlers, Handler> handler) {
            return new PageRoute(method, path, Optional.empty(), handler);
        }

        static PageRoute staff(Role least, HandlerType method, String path, Function<Handlers, Handler> handler) {
            return new PageRoute(method, path, Optional.of(least), handler);
        }
    }

    /**
     * Every staff page. Each names the least role that may use it ({@link Role}: owner includes
     * manager includes front desk); more specific paths come before the {@code {id}} ones.
     */
    public static List<PageRoute> pageRoutes() {
        final Role desk = Role.FRONT_DESK;
        final Role owner = Role.OWNER;
        return List.of(
                PageRoute.open(HandlerType.GET, "/signin", h -> h.signIn()::form),
                PageRoute.open(HandlerType.POST, "/signin", h -> h.signIn()::signIn),
                PageRoute.open(HandlerType.GET, "/portal/{businessId}", h -> h.portalPages()::home),
                PageRoute.open(HandlerType.GET, "/portal/{businessId}/statement", h -> h.portalPages()::statement),
                PageRoute.open(
                        HandlerType.GET, "/portal/{businessId}/statement.pdf", h -> h.portalPages()::statementPdf),
                PageRoute.open(HandlerType.POST, "/portal/{businessId}/sign-in", h -> h.portalPages()::signIn),
                PageRoute.open(HandlerType.GET, "/portal/{businessId}/link/{token}", h -> h.portalPages()::link),
                PageRoute.open(
                        HandlerType.GET, "/portal/{businessId}/invoices/{invoiceId}", h -> h.portalPages()::invoice),
                PageRoute.open(
                        HandlerType.POST,
                        "/portal/{businessId}/invoices/{invoiceId}/apply-funds",
                        h -> h.portalPages()::applyFunds),
                PageRoute.open(HandlerType.POST, "/portal/{businessId}/sign-out", h -> h.portalPages()::signOut),
                PageRoute.open(
                        HandlerType.POST,
                        "/portal/{businessId}/invoices/{invoiceId}/pay-by-card",
                        h -> h.portalPages()::payByCard),
                PageRoute.open(HandlerType.GET, "/portal/{businessId}/card-return", h -> h.portalPages()::cardReturn),
                PageRoute.open(HandlerType.POST, "/portal/{businessId}/pay-balance", h -> h.portalPages()::payBalance),
                PageRoute.open(
                        HandlerType.GET, "/portal/{businessId}/buy-gift-card", h -> h.portalPages()::giftCardForm),
                PageRoute.open(
                        HandlerType.POST, "/portal/{businessId}/buy-gift-card", h -> h.portalPages()::buyGiftCard),
                PageRoute.open(
                        HandlerType.POST,
                        "/portal/{businessId}/saved-cards/{savedCardId}/remove",
                        h -> h.portalPages()::removeSavedCard),
                PageRoute.open(HandlerType.GET, "/test-processor/{intentId}", h -> h.testProcessorPages()::form),
                PageRoute.open(HandlerType.POST, "/test-processor/{intentId}", h -> h.testProcessorPages()::pay),
                PageRoute.open(
                        HandlerType.POST, "/test-processor/{intentId}/confirm", h -> h.testProcessorPages()::confirm),
                PageRoute.open(HandlerType.POST, "/webhooks/stripe/{businessId}", h -> h.stripeWebhooks()::receive),
                PageRoute.open(HandlerType.GET, "/portal/{businessId}/gift-cards", h -> h.giftCardBalancePages()::form),
                PageRoute.open(
                        HandlerType.POST, "/portal/{businessId}/gift-cards", h -> h.giftCardBalancePages()::check),
                PageRoute.staff(desk, HandlerType.POST, "/signout", h -> h.signIn()::signOut),
                PageRoute.staff(desk, HandlerType.GET, "/", h -> ctx -> ctx.redirect("/clients", HttpStatus.SEE_OTHER)),
                PageRoute.staff(desk, HandlerType.GET, "/clients", h -> h.clientPages()::list),
                PageRoute.staff(desk, HandlerType.POST, "/clients", h -> h.clientPages()::create),
                PageRoute.staff(desk, HandlerType.GET, "/clients/search", h -> h.clientPages()::search),
                PageRoute.staff(desk, HandlerType.GET, "/clients/new", h -> h.clientPages()::newForm),
                PageRoute.staff(desk, HandlerType.GET, "/clients/{clientId}", h -> h.clientPages()::show),
                PageRoute.staff(desk, HandlerType.POST, "/clients/{clientId}", h -> h.clientPages()::edit),
                PageRoute.staff(desk, HandlerType.GET, "/clients/{clientId}/edit", h -> h.clientPages()::editForm),
                PageRoute.staff(
                        desk,
                        HandlerType.POST,
                        "/clients/{clientId}/history/exports",
                        h -> h.clientPages()::historyExport),
                PageRoute.staff(desk, HandlerType.GET, "/exports/{exportId}", h -> h.exportPages()::show),
                PageRoute.staff(desk, HandlerType.GET, "/exports/{exportId}/file", h -> h.exportPages()::file),
                PageRoute.staff(desk, HandlerType.GET, "/clients/{clientId}/statement", h -> h.statementPages()::show),
                PageRoute.staff(
                        desk, HandlerType.GET, "/clients/{clientId}/statement.pdf", h -> h.statementPages()::pdf),
                PageRoute.staff(
                        desk, HandlerType.POST, "/clients/{clientId}/statement/email", h -> h.statementPages()::email),
                PageRoute.staff(
                        desk, HandlerType.GET, "/clients/{clientId}/payment", h -> h.clientMoneyPages()::paymentForm),
                PageRoute.staff(
                        desk,
                        HandlerType.POST,
                        "/clients/{clientId}/payment",
                        h -> h.clientMoneyPages()::receivePayment),
                PageRoute.staff(
                        desk,
                        HandlerType.POST,
                        "/clients/{clientId}/apply-funds",
                        h -> h.clientMoneyPages()::applyFunds),
                PageRoute.staff(
                        Role.MANAGER,
                        HandlerType.GET,
                        "/clients/{clientId}/charge",
                        h -> h.clientMoneyPages()::chargeForm),
                PageRoute.staff(
                        Role.MANAGER,
                        HandlerType.POST,
                        "/clients/{clientId}/charge",
                        h -> h.clientMoneyPages()::charge),
                PageRoute.staff(
                        desk,
                        HandlerType.GET,
                        "/clients/{clientId}/open-payment",
                        h -> h.clientMoneyPages()::openPaymentForm),
                PageRoute.staff(
                        desk,
                        HandlerType.POST,
                        "/clients/{clientId}/open-payment",
                        h -> h.clientMoneyPages()::receiveOpenPayment),
                PageRoute.staff(
                        Role.MANAGER,
                        HandlerType.GET,
                        "/clients/{clientId}/refund",
                        h -> h.clientMoneyPages()::refundForm),
                PageRoute.staff(
                        Role.MANAGER,
                        HandlerType.POST,
                        "/clients/{clientId}/refund",
                        h -> h.clientMoneyPages()::refundOpenPayment),
                PageRoute.staff(
                        Role.MANAGER,
                        HandlerType.GET,
                        "/clients/{clientId}/credit",
                        h -> h.clientMoneyPages()::creditForm),
                PageRoute.staff(
                        Role.MANAGER,
                        HandlerType.POST,
                        "/clients/{clientId}/credit",
                        h -> h.clientMoneyPages()::issueCredit),
                PageRoute.staff(
                        desk,
                        HandlerType.GET,
                        "/clients/{clientId}/household/candidates",
                        h -> h.householdPages()::candidates),
                PageRoute.staff(desk, HandlerType.POST, "/clients/{clientId}/household", h -> h.householdPages()::join),
                PageRoute.staff(
                        desk, HandlerType.POST, "/clients/{clientId}/household/leave", h -> h.householdPages()::leave),
                PageRoute.staff(
                        Role.MANAGER, HandlerType.POST, "/clients/{clientId}/archive", h -> h.clientPages()::archive),
                PageRoute.staff(
                        Role.MANAGER,
                        HandlerType.POST,
                        "/clients/{clientId}/unarchive",
                        h -> h.clientPages()::unarchive),
                PageRoute.staff(
                        desk,
                        HandlerType.POST,
                        "/clients/{clientId}/funds-reminder/dismiss",
                        h -> h.clientMoneyPages()::dismissReminder),
                PageRoute.staff(Role.MANAGER, HandlerType.GET, "/outbox", h -> h.outboxPages()::list),
                PageRoute.staff(
                        Role.MANAGER,
                        HandlerType.GET,
                        "/outbox/{emailId}/attachment",
                        h -> h.outboxPages()::attachment),
                PageRoute.staff(Role.MANAGER, HandlerType.GET, "/approvals", h -> h.approvalPages()::list),
                PageRoute.staff(
                        Role.MANAGER,
                        HandlerType.POST,
                        "/approvals/{approvalId}/approve",
                        h -> h.approvalPages()::approve),
                PageRoute.staff(
                        Role.MANAGER,
                        HandlerType.POST,
                        "/approvals/{approvalId}/reject",
                        h -> h.approvalPages()::reject),
                PageRoute.staff(desk, HandlerType.GET, "/gift-cards", h -> h.giftCardPages()::list),
                PageRoute.staff(desk, HandlerType.POST, "/gift-cards/check", h -> h.giftCardPages()::check),
                PageRoute.staff(Role.MANAGER, HandlerType.GET, "/gift-cards/new", h -> h.giftCardPages()::newForm),
                PageRoute.staff(Role.MANAGER, HandlerType.POST, "/gift-cards", h -> h.giftCardPages()::issue),
                PageRoute.staff(desk, HandlerType.GET, "/gift-cards/{giftCardId}", h -> h.giftCardPages()::show),
                PageRoute.staff(
                        Role.MANAGER,
                        HandlerType.POST,
                        "/gift-cards/{giftCardId}/void",
                        h -> h.giftCardPages()::voidCard),
                PageRoute.staff(
                        desk, HandlerType.POST, "/gift-cards/{giftCardId}/email", h -> h.giftCardPages()::email),
                PageRoute.staff(
                        desk,
                        HandlerType.POST,
                        "/clients/{clientId}/gift-card-load",
                        h -> h.giftCardPages()::loadOntoClient),
                PageRoute.staff(
                        desk,
                        HandlerType.POST,
                        "/clients/{clientId}/portal-link",
                        h -> h.portalPages()::sendLinkFromStaff),
                PageRoute.staff(desk, HandlerType.GET, "/invoices/new", h -> h.invoicePages()::newForm),
                PageRoute.staff(desk, HandlerType.POST, "/invoices", h -> h.invoicePages()::create),
                PageRoute.staff(desk, HandlerType.GET, "/invoices/{invoiceId}", h -> h.invoicePages()::show),
                PageRoute.staff(
                        desk,
                        HandlerType.POST,
                        "/invoices/{invoiceId}/charge-card",
                        h -> h.cardChargePages()::chargeInvoice),
                PageRoute.staff(
                        desk,
                        HandlerType.POST,
                        "/clients/{clientId}/charge-card",
                        h -> h.cardChargePages()::chargeClient),
                PageRoute.staff(
                        desk, HandlerType.GET, "/invoices/{invoiceId}/checkout", h -> h.invoicePages()::checkoutForm),
                PageRoute.staff(desk, HandlerType.POST, "/invoices/{invoiceId}/payments", h -> h.invoicePages()::pay),
                PageRoute.staff(
                        desk,
                        HandlerType.POST,
                        "/invoices/{invoiceId}/receipt-emails",
                        h -> h.invoicePages()::emailReceipt),
                PageRoute.staff(
                        Role.MANAGER,
                        HandlerType.POST,
                        "/invoices/{invoiceId}/void",
                        h -> h.invoicePages()::voidInvoice),
                PageRoute.staff(
                        Role.MANAGER,
                        HandlerType.POST,
                        "/invoices/{invoiceId}/move-funds",
                        h -> h.invoicePages()::moveFunds),
                PageRoute.staff(
                        Role.MANAGER,
                        HandlerType.POST,
                        "/invoices/{invoiceId}/payments/{paymentId}/refund",
                        h -> h.invoicePages()::refund),
                PageRoute.staff(
                        desk, HandlerType.POST, "/invoices/{invoiceId}/apply-funds", h -> h.invoicePages()::applyFunds),
                PageRoute.staff(
                        desk, HandlerType.POST, "/invoices/{invoiceId}/checkout", h -> h.invoicePages()::complete),
                PageRoute.staff(
                        desk,
                        HandlerType.POST,
                        "/invoices/{invoiceId}/checkout/summary",
                        h -> h.invoicePages()::summary),
                PageRoute.staff(desk, HandlerType.GET, "/account/password", h -> h.account()::passwordForm),
                PageRoute.staff(desk, HandlerType.POST, "/account/password", h -> h.account()::changePassword),
                PageRoute.staff(
                        Role.MANAGER, HandlerType.GET, "/reports/trial-balance", h -> h.reportPages()::trialBalance),
                PageRoute.staff(Role.MANAGER, HandlerType.GET, "/reports/aging", h -> h.reportPages()::aging),
                PageRoute.staff(Role.MANAGER, HandlerType.GET, "/reports/liability", h -> h.reportPages()::liability),
                PageRoute.staff(Role.MANAGER, HandlerType.GET, "/reports/tenders", h -> h.reportPages()::tenders),
                PageRoute.staff(Role.MANAGER, HandlerType.GET, "/reports/breakage", h -> h.reportPages()::breakage),
                PageRoute.staff(owner, HandlerType.GET, "/settings", h -> h.settingsPages()::show),
                PageRoute.staff(owner, HandlerType.POST, "/settings", h -> h.settingsPages()::save),
                PageRoute.staff(owner, HandlerType.POST, "/settings/stripe", h -> h.settingsPages()::connectStripe),
                PageRoute.staff(owner, HandlerType.GET, "/settings/webhooks", h -> h.webhookPages()::show),
                PageRoute.staff(owner, HandlerType.POST, "/settings/webhooks", h -> h.webhookPages()::create),
                PageRoute.staff(
                        owner,
                        HandlerType.POST,
                        "/settings/webhooks/{endpointId}/disable",
                        h -> h.webhookPages()::disable),
                PageRoute.staff(
                        owner,
                        HandlerType.POST,
                        "/settings/webhooks/{endpointId}/deliveries/{eventNumber}/retry",
                        h -> h.webhookPages()::retry),
                PageRoute.staff(
                        owner,
                        HandlerType.POST,
                        "/settings/stripe/disconnect",
                        h -> h.settingsPages()::disconnectStripe),
                PageRoute.staff(owner, HandlerType.GET, "/staff", h -> h.staffPages()::list),
                PageRoute.staff(owner, HandlerType.POST, "/staff", h -> h.staffPages()::add),
                PageRoute.staff(owner, HandlerType.POST, "/staff/{staffId}/role", h -> h.staffPages()::changeRole),
                PageRoute.staff(
                        owner, HandlerType.POST, "/staff/{staffId}/deactivate", h -> h.staffPages()::deactivate),
                PageRoute.staff(
                        owner, HandlerType.POST, "/staff/{staffId}/reactivate", h -> h.staffPages()::reactivate),
                PageRoute.staff(
                        owner, HandlerType.POST, "/staff/{staffId}/password-reset", h -> h.staffPages()::resetPassword),
                PageRoute.staff(owner, HandlerType.GET, "/api-keys", h -> h.apiKeyPages()::list),
                PageRoute.staff(owner, HandlerType.POST, "/api-keys", h -> h.apiKeyPages()::create),
                PageRoute.staff(owner, HandlerType.POST, "/api-keys/{keyId}/revoke", h -> h.apiKeyPages()::revoke));
    }

    /** The feature handlers the route tables point at. */
    public record Handlers(
            Health health,
            ApiAuth apiAuth,
            dev.settle.business.BusinessApi business,
            dev.settle.clients.ClientsApi clients,
            dev.settle.clients.ClientMoneyApi clientMoney,
            dev.settle.clients.HouseholdApi household,
            dev.settle.invoices.InvoicesApi invoices,
            dev.settle.giftcards.GiftCardsApi giftCards,
            dev.settle.ledger.LedgerApi ledger,
            Pages pages,
            StaffAuth staffAuth,
            SignInPages signIn,
            AccountPages account,
            dev.settle.clients.ClientPages clientPages,
            dev.settle.clients.ClientMoneyPages clientMoneyPages,
            dev.settle.clients.ApprovalPages approvalPages,
            dev.settle.clients.HouseholdPages householdPages,
            dev.settle.invoices.InvoicePages invoicePages,
            dev.settle.business.SettingsPages settingsPages,
            dev.settle.business.StaffPages staffPages,
            dev.settle.business.ApiKeyPages apiKeyPages,
            dev.settle.mail.OutboxPages outboxPages,
            dev.settle.giftcards.GiftCardPages giftCardPages,
            dev.settle.giftcards.GiftCardBalancePages giftCardBalancePages,
            dev.settle.portal.PortalPages portalPages,
            dev.settle.payments.TestProcessorPages testProcessorPages,
            dev.settle.payments.StripeWebhooks stripeWebhooks,
            dev.settle.payments.CardChargesApi cardCharges,
            dev.settle.payments.CardChargePages cardChargePages,
            dev.settle.reports.ReportPages reportPages,
            dev.settle.webhooks.WebhookPages webhookPages,
            dev.settle.webhooks.WebhooksApi webhooksApi,
            dev.settle.statements.StatementPages statementPages,
            dev.settle.statements.StatementsApi statementsApi,
            ExportPages exportPages) {}

    public static WebServer start(Handlers handlers, int port) {
        final Javalin javalin = Javalin.create(config -> {
            config.jsonMapper(new JavalinJackson(Json.mapper(), false));
            config.http.prefer405over404 = true;
            config.http.maxRequestSize = REQUEST_BYTES_MAX;
            // Javalin copies each answer into Jetty's through a buffer of this size, allocated per
            // response: its default (Jetty's 32 KB) was a quarter of what a history read allocated.
            config.http.responseBufferSize = RESPONSE_COPY_BYTES;
            config.startup.showJavalinBanner = false;
            // Requests Jetty refuses before Javalin sees them (a NUL in the path, say) still get
            // problem+json, not Jetty's HTML page.
            config.jetty.modifyServer(server -> server.setErrorHandler(WebServer::respondToJetty));
            StaticAssets.handlers().forEach(config.routes::get);
            config.routes.before(WebServer::readBody);
            config.routes.before("/api/*", handlers.apiAuth()::authenticate);
            config.routes.after(WebServer::pageHeaders);
            for (Route route : routes()) {
                config.routes.addHttpHandler(
                        route.method(), route.path(), route.handler().apply(handlers));
            }
            for (PageRoute route : pageRoutes()) {
                final Handler handler = route.handler().apply(handlers);
                config.routes.addHttpHandler(
                        route.method(),
                        route.path(),
                        route.least()
                                .map(least -> handlers.staffAuth().page(least, handler))
                                .orElse(handler));
            }
            final Pages pages = handlers.pages();
            config.routes.exception(Problem.class, (problem, ctx) -> respond(pages, ctx, problem));
            // The processor is down or refused; where a charge may have been made, the caller says so first.
            config.routes.exception(
                    dev.settle.payments.CardProcessor.Unavailable.class,
                    (e, ctx) -> respond(
                            pages,
                            ctx,
                            new Problem(
                                    Problem.Kind.UNAVAILABLE,
                                    "processor",
                                    e.getMessage() + ". Try again in a few minutes.")));
            config.routes.exception(
                    dev.settle.payments.CardProcessor.Refused.class,
                    (e, ctx) -> respond(pages, ctx, new Problem(Problem.Kind.CONFLICT, "processor", e.getMessage())));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> respondToJavalin(pages, e, ctx));
            config.routes.exception(Exception.class, (e, ctx) -> respondToBug(pages, e, ctx));
            config.routes.error(404, ctx -> notFoundUnlessAnswered(pages, ctx));
        });
        javalin.start(port);
        return new WebServer(javalin);
    }

    public int port() {
        return javalin.port();
    }

    /**
     * Reads every request's body before anything answers it, and refuses one over {@link
     * #REQUEST_BYTES_MAX} with 413 (reading that too, up to {@link #OVERSIZED_BYTES_READ_MAX}).
     * Answered while its body was still arriving (a 404 for a bad id, a 413), a request's connection
     * is closed under the client, and the next request sent down it gets no answer at all (the
     * fault harness's bad requests found this). Javalin keeps the body, so handlers read it again.
     */
    private static void readBody(Context ctx) throws java.io.IOException {
        final long length = ctx.contentLength();
        if (length > 0 && length <= REQUEST_BYTES_MAX) {
            ctx.bodyAsBytes();
        } else if (length > REQUEST_BYTES_MAX) {
            if (length <= OVERSIZED_BYTES_READ_MAX) {
                ctx.req().getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            }
            throw new Problem(Problem.Kind.PAYLOAD_TOO_LARGE, null, detailFor(Problem.Kind.PAYLOAD_TOO_LARGE, ctx));
        }
    }

    @Override
    public void close() {
        javalin.stop();
    }

    /** API callers get problem+json; people on staff pages get a page saying what went wrong. */
    private static void respond(Pages pages, Context ctx, Problem problem) {
        if (isApi(ctx)) {
            Problems.respond(ctx, problem);
        } else {
            final String title = problem.kind() == Problem.Kind.NOT_FOUND ? "Not found" : problem.kind().title;
            pages.refuse(ctx, HttpStatus.forStatus(problem.kind().status), title, problem.detail());
        }
    }

    private static boolean isApi(Context ctx) {
        return ctx.path().startsWith("/api/")
                || ctx.path().startsWith("/webhooks/")
                || ctx.path().equals("/health");
    }

    /**
     * Pages may not be framed (clickjacking), run only this site's scripts and styles (a name that
     * slipped past escaping still could not run), and are never cached.
     */
    private static void pageHeaders(Context ctx) {
        if (!isApi(ctx)) {
            ctx.header(
                    "Content-Security-Policy",
                    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none';"
                            + " form-action 'self'; base-uri 'none'");
            ctx.header("X-Content-Type-Options", "nosniff");
            ctx.header("Referrer-Policy", "same-origin");
            final String contentType = ctx.res().getContentType();
            if (contentType != null && contentType.startsWith("text/html")) {
                // Front desk computers are shared: after sign-out, Back must not show balances or
                // a password or key that was shown once.
                ctx.header("Cache-Control", "no-store");
            }
        }
    }

    private static void respondToJavalin(Pages pages, HttpResponseException e, Context ctx) {
        final Problem.Kind kind = switch (e.getStatus()) {
            case 404 -> Problem.Kind.NOT_FOUND;
            case 405 -> Problem.Kind.METHOD_NOT_ALLOWED;
            case 413 -> Problem.Kind.PAYLOAD_TOO_LARGE;
            case 415 -> Problem.Kind.UNSUPPORTED_MEDIA_TYPE;
            case 503 -> Problem.Kind.UNAVAILABLE;
            default -> Problem.Kind.VALIDATION;
        };
        if (kind == Problem.Kind.METHOD_NOT_ALLOWED) {
            ctx.header("Allow", String.join(", ", methodsAllowed(ctx.path())));
        }
        respond(pages, ctx, new Problem(kind, null, detailFor(kind, ctx)));
    }

    /**
     * Every database connection stayed busy past the pool's wait (a burst of slow requests): the
     * caller is told to come back, 503, rather than that Settle failed. A write sent again with its
     * idempotency key takes effect once, whichever of its steps had run.
     */
    static Optional<Problem> busy(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.sql.SQLTransientConnectionException) {
                return Optional.of(new Problem(
                        Problem.Kind.UNAVAILABLE,
                        null,
                        "Settle is too busy to answer just now; try again in a moment."));
            }
        }
        return Optional.empty();
    }

    /** The methods the route table serves on {@code path}, for a 405's {@code Allow} header. */
    static List<String> methodsAllowed(String path) {
        return Stream.concat(
                        routes().stream().map(route -> Map.entry(route.method(), route.path())),
                        pageRoutes().stream().map(route -> Map.entry(route.method(), route.path())))
                .filter(route -> path.matches(route.getValue().replaceAll("\\{[^/]+}", "[^/]+")))
                .map(route -> route.getKey().name())
                .distinct()
                .sorted()
                .toList();
    }

    private static boolean respondToJetty(
            org.eclipse.jetty.server.Request request,
            org.eclipse.jetty.server.Response response,
            org.eclipse.jetty.util.Callback callback) {
        final int status = request.getAttribute(ErrorHandler.ERROR_STATUS) instanceof Integer code ? code : 400;
        final Problem.Kind kind = switch (status) {
            case 404 -> Problem.Kind.NOT_FOUND;
            case 413, 431 -> Problem.Kind.PAYLOAD_TOO_LARGE;
            case 503 -> Problem.Kind.UNAVAILABLE;
            default -> Problem.Kind.VALIDATION;
        };
        final String body =
                Problems.toJson(new Problem(kind, null, "the HTTP request itself is malformed (" + status + ")"));
        response.setStatus(kind.status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
        // Jetty drops the connection after a request it could not parse; saying so keeps a client
        // from sending its next request down it and getting no answer (the fault harness found this).
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }

    private static void notFoundUnlessAnswered(Pages pages, Context ctx) {
        final String answered = ctx.res().getContentType();
        if (answered == null || !(answered.startsWith(Problems.CONTENT_TYPE) || answered.startsWith("text/html"))) {
            respond(pages, ctx, new Problem(Problem.Kind.NOT_FOUND, null, detailFor(Problem.Kind.NOT_FOUND, ctx)));
        }
    }

    private static String detailFor(Problem.Kind kind, Context ctx) {
        return switch (kind) {
            case NOT_FOUND ->
                isApi(ctx) ? "no route " + ctx.method() + " " + ctx.path() : "There is no page at " + ctx.path() + ".";
            case METHOD_NOT_ALLOWED -> ctx.method() + " is not allowed on " + ctx.path();
            case PAYLOAD_TOO_LARGE -> "request bodies are limited to " + REQUEST_BYTES_MAX + " bytes";
            default -> kind.title;
        };
    }

    private static void respondToBug(Pages pages, Exception e, Context ctx) {
        if (e instanceof Problem problem) {
            respond(pages, ctx, problem);
            return;
        }
        final Optional<Problem> busy = busy(e);
        if (busy.isPresent()) {
            log.warn("no database connection came free in time for {} {}", ctx.method(), ctx.path());
            ctx.header("Retry-After", "2");
            respond(pages, ctx, busy.get());
            return;
        }
        log.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
        if (!isApi(ctx)) {
            pages.refuse(
                    ctx,
                    HttpStatus.INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Settle failed unexpectedly and nothing was changed. Try again; if it happens again,"
                            + " tell whoever runs Settle for you.");
            return;
        }
        ctx.status(500)
                .contentType(Problems.CONTENT_TYPE)
                .result("{\"type\":\"https://settle.dev/problems/internal\",\"title\":\"Internal error\","
                        + "\"status\":500,\"detail\":\"Settle failed unexpectedly; nothing was changed\"}");
    }
}

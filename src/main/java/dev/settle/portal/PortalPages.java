package dev.settle.portal;

import dev.settle.Problem;
import dev.settle.business.BusinessSettings;
import dev.settle.business.TextInput;
import dev.settle.clients.ClientHistory;
import dev.settle.clients.ClientMoney;
import dev.settle.clients.Clients;
import dev.settle.clients.CreditGrants;
import dev.settle.clients.Households;
import dev.settle.invoices.Invoices;
import dev.settle.ledger.Actor;
import dev.settle.mail.Outbox;
import dev.settle.payments.CardPayments;
import dev.settle.payments.CardProcessor;
import dev.settle.statements.StatementPages;
import dev.settle.statements.Statements;
import dev.settle.web.Form;
import dev.settle.web.Formats;
import dev.settle.web.Pages;
import dev.settle.web.PathIds;
import dev.settle.web.StaffAuth;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The client portal, {@code /portal/{businessId}}: sign-in by an emailed link, then the client's
 * balance due, invoices (with lines and payments), balance history, and — only if the business
 * shows them — open payments and credits, which the client can apply to an open invoice.
 */
public final class PortalPages {
    static final String COOKIE = "settle_portal";
    static final int INVOICES_SHOWN = 50;
    static final int HISTORY_SHOWN = 25;

    private final Jdbi jdbi;
    private final Clients clients;
    private final Invoices invoices;
    private final ClientMoney money;
    private final ClientHistory history;
    private final Outbox outbox;
    private final Pages pages;
    private final java.util.function.Supplier<String> publicUrl;
    private final CardPayments cardPayments;
    private final PortalAccess access = new PortalAccess();
    private final Statements statements;
    private final BusinessSettings settings = new BusinessSettings();
    private final CreditGrants grants = new CreditGrants();

    public PortalPages(
            Jdbi jdbi,
            Clients clients,
            Invoices invoices,
            ClientMoney money,
            ClientHistory history,
            Outbox outbox,
            Pages pages,
            java.util.function.Supplier<String> publicUrl,
            CardPayments cardPayments,
            Statements statements) {
        this.jdbi = jdbi;
        this.statements = statements;
        this.cardPayments = cardPayments;
        this.publicUrl = publicUrl;
        this.clients = clients;
        this.invoices = invoices;
        this.money = money;
        this.history = history;
        this.outbox = outbox;
        this.pages = pages;
    }

    /** The client's account when signed in; else the sign-in form. */
    public void home(Context ctx) {
        final BusinessSettings.Settings business = business(ctx);
        final Optional<PortalAccess.Visitor> visitor = visitor(ctx, business);
        if (visitor.isEmpty()) {
            signInPage(ctx, HttpStatus.OK, business, Form.of(Map.of()), "");
            return;
        }
        jdbi.useHandle(handle -> {
            final Clients.Client client =
                    clients.require(handle, business.businessId(), visitor.get().clientId());
            final Map<String, Object> params = common(handle, business, visitor.get(), client);
            params.put("invoices", invoices.issuedTo(handle, business.businessId(), client.id(), INVOICES_SHOWN));
            params.put(
                    "history",
                    history.page(handle, client, Optional.empty(), HISTORY_SHOWN).rows().stream()
                            // With funds hidden, only what moved the balance due is shown.
                            .filter(row -> business.portalShowsFunds() || row.balanceDueChangeMinor() != 0)
                            .toList());
            params.put(
                    "credits",
                    business.portalShowsFunds() ? grants.live(handle, business.businessId(), client.id()) : List.of());
            final boolean cards = cardPayments.connected(handle, business.businessId());
            params.put("canPayByCard", cards);
            params.put("canBuyGiftCards", cards && business.giftCardsEnabled());
            params.put(
                    "savedCards",
                    cards ? cardPayments.savedCards(handle, business.businessId(), client.id()) : List.of());
            params.put("flash", flash(ctx));
            pages.renderPublic(ctx, HttpStatus.OK, "portal/account.jte", business.name(), params);
        });
    }

    /**
     * Emails a sign-in link to the client with this address. The answer is the same whether or not
     * one exists, so the form cannot be used to learn who is a client.
     */
    public void signIn(Context ctx) {
        final BusinessSettings.Settings business = business(ctx);
        final Form form = Form.of(ctx);
        final String email;
        try {
            email = TextInput.email(form.value("email"), "email");
        } catch (Problem problem) {
            signInPage(ctx, HttpStatus.UNPROCESSABLE_CONTENT, business, form.withError(problem), "");
            return;
        }

        jdbi.useTransaction(handle -> {
            for (long clientId : handle.createQuery("""
                            select id from clients
                            where business_id = :business_id and lower(email) = :email and archived_at is null
                            order by id
                            """)
                    .bind("business_id", business.businessId())
                    .bind("email", email)
                    .mapTo(Long.class)
                    .list()) {
                emailLink(handle, business, clientId, email, Optional.empty());
            }
        });
        signInPage(
                ctx,
                HttpStatus.OK,
                business,
                Form.of(Map.of("email", email)),
                "If " + email + " belongs to a client of " + business.name()
                        + ", a sign-in link is on its way. It works once, within "
                        + PortalAccess.LINK_TTL.toMinutes() + " minutes.");
    }

    /**
     * Emails the client a sign-in link, unless they were sent {@link PortalAccess#LINKS_MAX} lately;
     * whether one went. {@code staffId} when staff sent it from the client's page.
     */
    public boolean emailLink(
            Handle handle, BusinessSettings.Settings business, long clientId, String email, Optional<Long> staffId) {
        final String base = publicUrl.get() + "/portal/" + business.businessId();
        return access.newLink(handle, business.businessId(), clientId)
                .map(token -> outbox.queue(
                        handle,
                        business.businessId(),
                        Outbox.Kind.PORTAL_LINK,
                        email,
                        "Your sign-in link for " + business.name(),
                        "Open this link to see your account with " + business.name() + ":\n\n" + base + "/link/"
                                + token + "\n\nIt works once, within " + PortalAccess.LINK_TTL.toMinutes()
                                + " minutes. If you did not ask for it, ignore this email.\n",
                        Optional.empty(),
                        staffId))
                .isPresent();
    }

    /** From the client's page: staff send the client a sign-in link to the email on file. */
    public void sendLinkFromStaff(Context ctx) {
        final long clientId = PathIds.of(ctx, "clientId");
        pages.afterAction(
                ctx,
                "/clients/" + clientId,
                "No link sent",
                signedIn -> jdbi.inTransaction(handle -> {
                    final Clients.Client client = clients.require(handle, signedIn.businessId(), clientId);
                    final String email = client.email()
                            .orElseThrow(
                                    () -> Problem.validation("email", client.name() + " has no email address on file"));
                    if (client.archived()) {
                        throw Problem.validation("clientId", client.name() + " is archived");
                    }
                    return emailLink(
                                    handle,
                                    settings.find(handle, signedIn.businessId()),
                                    clientId,
                                    email,
                                    Optional.of(signedIn.staffId()))
                            ? "Portal sign-in link sent to " + email + "."
                            : PortalAccess.LINKS_MAX + " links went to " + email + " in the last "
                                    + PortalAccess.LINK_TTL.toMinutes() + " minutes; the newest still works.";
                }));
    }

    /** Opens the portal from an emailed link: once, while it is fresh. */
    public void link(Context ctx) {
        final BusinessSettings.Settings business = business(ctx);
        final Optional<String> session =
                jdbi.inTransaction(handle -> access.useLink(handle, business.businessId(), ctx.pathParam("token")));
        if (session.isEmpty()) {
            signInPage(
                    ctx,
                    HttpStatus.GONE,
                    business,
                    Form.of(Map.of()),
                    "That sign-in link has expired or was already used. Enter your email for a new one.");
            return;
        }
        ctx.cookie(StaffAuth.cookie(ctx, COOKIE, session.get(), -1));
        ctx.redirect("/portal/" + business.businessId(), HttpStatus.SEE_OTHER);
    }

    public void invoice(Context ctx) {
        final long invoiceId = PathIds.of(ctx, "invoiceId");
        asClient(
                ctx,
                (business, visitor) -> jdbi.useHandle(handle -> {
                    final Invoices.Invoice invoice = clientsInvoice(handle, visitor, invoiceId);
                    final Clients.Client client = clients.require(handle, business.businessId(), visitor.clientId());
                    final Map<String, Object> params = common(handle, business, visitor, client);
                    params.put("invoice", invoice);
                    params.put("lines", invoices.lines(handle, business.businessId(), invoiceId));
                    params.put("payments", invoices.payments(handle, business.businessId(), invoiceId));
                    params.put("flash", flash(ctx));
                    params.put(
                            "canPayByCard",
                            invoice.status() == Invoices.Status.OPEN
                                    && cardPayments.connected(handle, business.businessId()));
                    pages.renderPublic(ctx, HttpStatus.OK, "portal/invoice.jte", "Invoice " + invoiceId, params);
                }));
    }

    /** The client applies their own open payments or credits to one of their open invoices. */
    public void applyFunds(Context ctx) {
        final long invoiceId = PathIds.of(ctx, "invoiceId");
        asClient(ctx, (business, visitor) -> {
            if (!business.portalShowsFunds()) {
                throw Problem.notFound("invoiceId", "no invoice has id " + invoiceId);
            }
            final ClientMoney.Funds funds = ClientMoney.Funds.parse(Form.of(ctx).value("from"), "from");
            jdbi.useTransaction(handle -> {
                clientsInvoice(handle, visitor, invoiceId);
                money.applyFundsToInvoice(
                        handle, business.businessId(), invoiceId, funds, Optional.empty(), Actor.system());
            });
            ctx.redirect(
                    "/portal/" + business.businessId() + "/invoices/" + invoiceId + "?applied=1", HttpStatus.SEE_OTHER);
        });
    }

    /** Pays what the invoice owes by card, on the processor's page; the amount is never the form's. */
    public void payByCard(Context ctx) {
        final long invoiceId = PathIds.of(ctx, "invoiceId");
        asClient(
                ctx,
                (business, visitor) -> ctx.redirect(
                        cardPayments.startForInvoice(
                                business.businessId(),
                                visitor.clientId(),
                                invoiceId,
                                returnUrl(business),
                                "on".equals(ctx.formParam("saveCard"))),
                        HttpStatus.SEE_OTHER));
    }

    /** Pays the whole balance due by card: the amount is what is owed now, read here. */
    public void payBalance(Context ctx) {
        asClient(
                ctx,
                (business, visitor) -> ctx.redirect(
                        cardPayments.startForBalance(
                                business.businessId(),
                                visitor.clientId(),
                                returnUrl(business),
                                "on".equals(ctx.formParam("saveCard"))),
                        HttpStatus.SEE_OTHER));
    }

    /** Buying a gift card: offered only when the business sells them and takes cards. */
    public void giftCardForm(Context ctx) {
        asClient(ctx, (business, visitor) -> giftCardPage(ctx, HttpStatus.OK, business, visitor, Form.of(Map.of())));
    }

    public void buyGiftCard(Context ctx) {
        asClient(ctx, (business, visitor) -> {
            final Form form = Form.of(ctx);
            try {
                sellsGiftCards(business);
                final long amountMinor = dev.settle.money.MoneyInput.parse(
                        form.value("amount"), business.currency(), "amount", "Amount");
                final CardPayments.GiftPurchase purchase = CardPayments.GiftPurchase.of(
                        amountMinor, form.value("recipientName"), form.value("recipientEmail"), form.value("message"));
                ctx.redirect(
                        cardPayments.startGiftCard(
                                business.businessId(), visitor.clientId(), purchase, returnUrl(business)),
                        HttpStatus.SEE_OTHER);
            } catch (Problem problem) {
                if (problem.kind() == Problem.Kind.NOT_FOUND) {
                    throw problem;
                }
                giftCardPage(ctx, HttpStatus.UNPROCESSABLE_CONTENT, business, visitor, form.withError(problem));
            }
        });
    }

    /** The client no longer wants a card kept on file. */
    public void removeSavedCard(Context ctx) {
        final long savedCardId = PathIds.of(ctx, "savedCardId");
        asClient(ctx, (business, visitor) -> {
            jdbi.useTransaction(handle ->
                    cardPayments.removeSavedCard(handle, business.businessId(), visitor.clientId(), savedCardId));
            ctx.redirect("/portal/" + business.businessId() + "?removed=1", HttpStatus.SEE_OTHER);
        });
    }

    /** The client's statement for the days chosen (this month by default), with a PDF to download. */
    public void statement(Context ctx) {
        asClient(ctx, (business, visitor) -> {
            final Form form = Form.of(Map.of(
                    "from", Optional.ofNullable(ctx.queryParam("from")).orElse(""),
                    "to", Optional.ofNullable(ctx.queryParam("to")).orElse("")));
            jdbi.useTransaction(StatementPages.READ_ONE_SNAPSHOT, handle -> {
                final Clients.Client client = clients.require(handle, business.businessId(), visitor.clientId());
                final Statements.Chosen chosen =
                        Statements.Period.chosen(form.value("from"), form.value("to"), business.timeZone());
                final Map<String, Object> params = common(handle, business, visitor, client);
                params.put(
                        "form",
                        chosen.problem()
                                .map(form::withError)
                                .orElseGet(() -> Form.of(Map.of(
                                        "from", chosen.period().from().toString(),
                                        "to", chosen.period().to().toString()))));
                params.put(
                        "statement",
                        statements.build(handle, business, client, chosen.period(), business.portalShowsFunds()));
                params.put("kinds", ClientHistory.KINDS);
                pages.renderPublic(
                        ctx,
                        chosen.problem().isPresent() ? HttpStatus.UNPROCESSABLE_CONTENT : HttpStatus.OK,
                        "portal/statement.jte",
                        "Statement · " + business.name(),
                        params);
            });
        });
    }

    public void statementPdf(Context ctx) {
        asClient(ctx, (business, visitor) -> {
            final Statements.Statement statement = jdbi.inTransaction(
                    StatementPages.READ_ONE_SNAPSHOT,
                    handle -> statements.build(
                            handle,
                            business,
                            clients.require(handle, business.businessId(), visitor.clientId()),
                            Statements.Period.of(ctx.queryParam("from"), ctx.queryParam("to"), business.timeZone()),
                            business.portalShowsFunds()));
            StatementPages.send(ctx, statement);
        });
    }

    private interface ClientAction {
        void run(BusinessSettings.Settings business, PortalAccess.Visitor visitor);
    }

    /** Runs {@code action} for the signed-in client; anyone else is sent to sign in. */
    private void asClient(Context ctx, ClientAction action) {
        final BusinessSettings.Settings business = business(ctx);
        signedIn(ctx, business).ifPresent(visitor -> action.run(business, visitor));
    }

    private void giftCardPage(
            Context ctx,
            HttpStatus status,
            BusinessSettings.Settings business,
            PortalAccess.Visitor visitor,
            Form form) {
        sellsGiftCards(business);
        jdbi.useHandle(handle -> {
            final Clients.Client client = clients.require(handle, business.businessId(), visitor.clientId());
            final Map<String, Object> params = common(handle, business, visitor, client);
            params.put("form", form);
            pages.renderPublic(ctx, status, "portal/gift-card.jte", "Buy a gift card · " + business.name(), params);
        });
    }

    /** Not found unless gift cards are on and a processor takes the payment. */
    private void sellsGiftCards(BusinessSettings.Settings business) {
        if (!business.giftCardsEnabled()
                || !jdbi.withHandle(handle -> cardPayments.connected(handle, business.businessId()))) {
            throw Problem.notFound("businessId", business.name() + " does not sell gift cards online");
        }
    }

    private String returnUrl(BusinessSettings.Settings business) {
        return publicUrl.get() + "/portal/" + business.businessId() + "/card-return";
    }

    /** Where the processor sends the payer back: the payment is recorded (once) if it went through. */
    public void cardReturn(Context ctx) {
        final BusinessSettings.Settings business = business(ctx);
        final String intent = Optional.ofNullable(ctx.queryParam("intent"))
                .orElseThrow(() -> Problem.validation("intent", "intent is required"));
        final CardPayments.Settled settled = cardPayments.settleOrPending(business.businessId(), intent);
        final String state = settled.state().name().toLowerCase(java.util.Locale.ROOT);
        ctx.redirect(
                switch (settled.purpose()) {
                    case INVOICE ->
                        "/portal/" + business.businessId() + "/invoices/"
                                + settled.invoiceId().orElseThrow() + "?card=" + state;
                    case BALANCE, OPEN_PAYMENT -> "/portal/" + business.businessId() + "?card=" + state;
                    case GIFT_CARD ->
                        "/portal/" + business.businessId() + "?giftCard="
                                + (settled.state() == CardProcessor.State.SUCCEEDED
                                                && !cardPayments.giftCardMade(business.businessId(), intent)
                                        ? "kept"
                                        : state);
                },
                HttpStatus.SEE_OTHER);
    }

    private static Optional<String> flash(Context ctx) {
        if (ctx.queryParam("applied") != null) {
            return Optional.of("Applied.");
        }
        if (ctx.queryParam("removed") != null) {
            return Optional.of("The card is no longer kept.");
        }
        if (ctx.queryParam("giftCard") != null) {
            return Optional.of(
                    switch (ctx.queryParam("giftCard")) {
                        case "succeeded" ->
                            "Gift card bought. Its code is on its way to the recipient by email; the receipt is in your invoices.";
                        case "declined" -> "Your card was declined: nothing was charged and no gift card was made.";
                        case "kept" ->
                            "Your card was charged, but the gift card could not be made (the gift card settings changed"
                                    + " meanwhile): the money is on your account as a payment.";
                        default -> "Your card payment is still being processed; the gift card is sent once it is done.";
                    });
        }
        return Optional.ofNullable(ctx.queryParam("card")).map(card -> switch (card) {
            case "succeeded" -> "Paid by card. Thank you.";
            case "declined" -> "Your card was declined: nothing was charged, and the invoice is still open.";
            default -> "Your card payment is still being processed; this page will show it once it is done.";
        });
    }

    public void signOut(Context ctx) {
        final BusinessSettings.Settings business = business(ctx);
        visitor(ctx, business)
                .filter(visitor -> StaffAuth.sameSecret(ctx.formParam(StaffAuth.CSRF_FIELD), visitor.csrfToken()))
                .ifPresent(visitor -> jdbi.useHandle(handle -> access.end(handle, visitor.sessionHash())));
        ctx.cookie(StaffAuth.cookie(ctx, COOKIE, "", 0));
        ctx.redirect("/portal/" + business.businessId(), HttpStatus.SEE_OTHER);
    }

    private Map<String, Object> common(
            Handle handle, BusinessSettings.Settings business, PortalAccess.Visitor visitor, Clients.Client client) {
        final Map<String, Object> params = new HashMap<>();
        params.put("business", business);
        params.put("client", client);
        params.put("household", new Households(clients).of(handle, client));
        params.put("formats", new Formats(business.locale(), business.timeZone(), business.currency()));
        params.put("csrf", visitor.csrfToken());
        return params;
    }

    /** The invoice, if it is this client's and issued; anyone else's (or none) is not found. */
    private Invoices.Invoice clientsInvoice(Handle handle, PortalAccess.Visitor visitor, long invoiceId) {
        return invoices.find(handle, visitor.businessId(), invoiceId)
                .filter(found -> found.clientId().equals(Optional.of(visitor.clientId())))
                .filter(found -> found.status() != Invoices.Status.DRAFT)
                .orElseThrow(() -> Problem.notFound("invoiceId", "no invoice has id " + invoiceId));
    }

    private void signInPage(
            Context ctx, HttpStatus status, BusinessSettings.Settings business, Form form, String notice) {
        pages.renderPublic(
                ctx,
                status,
                "portal/signin.jte",
                "Sign in · " + business.name(),
                Map.of("business", business, "form", form, "notice", notice));
    }

    /**
     * The signed-in client, or empty after sending the visitor to sign in. A form they send must
     * carry their session's CSRF token.
     */
    private Optional<PortalAccess.Visitor> signedIn(Context ctx, BusinessSettings.Settings business) {
        final Optional<PortalAccess.Visitor> visitor = visitor(ctx, business);
        if (visitor.isEmpty()) {
            ctx.redirect("/portal/" + business.businessId(), HttpStatus.SEE_OTHER);
            return visitor;
        }
        if (ctx.method() == io.javalin.http.HandlerType.POST
                && !StaffAuth.sameSecret(
                        ctx.formParam(StaffAuth.CSRF_FIELD), visitor.get().csrfToken())) {
            throw Problem.validation(StaffAuth.CSRF_FIELD, "This form has expired: reload the page and try again");
        }
        return visitor;
    }

    private Optional<PortalAccess.Visitor> visitor(Context ctx, BusinessSettings.Settings business) {
        return jdbi.withHandle(handle -> access.visitor(handle, business.businessId(), ctx.cookie(COOKIE)));
    }

    private BusinessSettings.Settings business(Context ctx) {
        return jdbi.withHandle(handle -> settings.require(handle, PathIds.of(ctx, "businessId")));
    }
}

package dev.settle.giftcards;

import dev.settle.Problem;
import dev.settle.business.BusinessSettings;
import dev.settle.business.TextInput;
import dev.settle.clients.Clients;
import dev.settle.ledger.AccountKind;
import dev.settle.mail.Outbox;
import dev.settle.money.MoneyInput;
import dev.settle.web.Form;
import dev.settle.web.FormOnce;
import dev.settle.web.Pages;
import dev.settle.web.PathIds;
import dev.settle.web.Sessions;
import dev.settle.web.SignedIn;
import dev.settle.web.StaffAuth;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The gift card pages: the list with what is outstanding, a balance check by code, each card with
 * its history, issuing a promotional card (manager), voiding (manager), and loading a card onto a
 * client's account from their page.
 */
public final class GiftCardPages {
    /** Cards shown on the list, newest first. */
    static final int SHOWN = 200;

    private final Jdbi jdbi;
    private final GiftCards giftCards;
    private final GiftCardLookups lookups;
    private final Clients clients;
    private final Outbox outbox;
    private final Sessions sessions;
    private final Pages pages;
    private final BusinessSettings settings = new BusinessSettings();

    public GiftCardPages(
            Jdbi jdbi,
            GiftCards giftCards,
            GiftCardLookups lookups,
            Clients clients,
            Outbox outbox,
            Sessions sessions,
            Pages pages) {
        this.jdbi = jdbi;
        this.outbox = outbox;
        this.giftCards = giftCards;
        this.lookups = lookups;
        this.clients = clients;
        this.sessions = sessions;
        this.pages = pages;
    }

    public void list(Context ctx) {
        showList(ctx, HttpStatus.OK, Form.of(Map.of()));
    }

    /** A balance check at the desk: the card's page, or the reason beside the code field. */
    public void check(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Form form = Form.of(ctx);
        try {
            final GiftCards.Card card =
                    lookups.find(signedIn.businessId(), form.value("code"), "staff:" + signedIn.staffId());
            ctx.redirect("/gift-cards/" + card.id(), HttpStatus.SEE_OTHER);
        } catch (Problem problem) {
            showList(
                    ctx,
                    HttpStatus.UNPROCESSABLE_CONTENT,
                    form.withError(new Problem(Problem.Kind.VALIDATION, "code", problem.detail())));
        }
    }

    public void show(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final long cardId = PathIds.of(ctx, "giftCardId");
        jdbi.useHandle(handle -> {
            final GiftCards.Card card = giftCards.require(handle, signedIn.businessId(), cardId);
            pages.render(
                    ctx,
                    "giftcards/show.jte",
                    card.label(),
                    Pages.Section.GIFT_CARDS,
                    Map.of(
                            "card",
                            card,
                            "status",
                            card.status(LocalDate.now(signedIn.formats().zone())),
                            "history",
                            giftCards.history(handle, card),
                            "refundTenders",
                            GiftCards.REFUND_TENDERS));
        });
    }

    public void newForm(Context ctx) {
        showNew(ctx, HttpStatus.OK, Form.of(Map.of()));
    }

    /** Issues a promotional card and shows its code this once, ready to print. */
    public void issue(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Form form = Form.of(ctx);
        try {
            final long amount =
                    MoneyInput.parse(form.value("amount"), signedIn.formats().currency(), "amountMinor", "Amount");
            // Filled by the first send of the form only: a second send issues nothing more.
            final List<GiftCards.Issued> issued = new ArrayList<>();
            final String message = jdbi.inTransaction(handle ->
                    FormOnce.run(handle, signedIn.businessId(), form.value(FormOnce.FIELD), () -> {
                        final GiftCards.Issued made = giftCards.promote(
                                handle,
                                signedIn.businessId(),
                                amount,
                                form.value("reason"),
                                Optional.of(form.value("recipientName")).filter(name -> !name.isBlank()),
                                signedIn.actor());
                        issued.add(made);
                        return made.card().label() + " issued.";
                    }));
            if (issued.isEmpty()) {
                jdbi.useHandle(handle -> sessions.flash(handle, signedIn, message));
                ctx.redirect("/gift-cards", HttpStatus.SEE_OTHER);
                return;
            }
            showIssued(ctx, signedIn, issued, "/gift-cards");
        } catch (Problem problem) {
            showNew(
                    ctx,
                    HttpStatus.UNPROCESSABLE_CONTENT,
                    form.withError(new Problem(
                            problem.kind(),
                            "amountMinor".equals(problem.field().orElse(""))
                                    ? "amount"
                                    : problem.field().orElse(null),
                            problem.detail())));
        }
    }

    /** Shows new cards with their codes, printable: the only time a code is ever shown. */
    public void showIssued(Context ctx, SignedIn signedIn, List<GiftCards.Issued> issued, String next) {
        final BusinessSettings.Settings business =
                jdbi.withHandle(handle -> settings.find(handle, signedIn.businessId()));
        pages.render(
                ctx,
                HttpStatus.OK,
                "giftcards/issued.jte",
                issued.size() == 1 ? "Gift card issued" : "Gift cards issued",
                Pages.Section.GIFT_CARDS,
                Map.of("issued", issued, "next", next, "businessName", business.name(), "canEmail", outbox.canSend()));
    }

    /**
     * Emails a card just issued to its recipient. The form carries the code (it is on the page that
     * showed it): only the code of this very card is accepted, so the form cannot mail anything else.
     */
    public void email(Context ctx) {
        final long cardId = PathIds.of(ctx, "giftCardId");
        final Form form = Form.of(ctx);
        pages.afterAction(ctx, "/gift-cards/" + cardId, "Gift card not emailed", signedIn -> {
            if (!outbox.canSend()) {
                throw Problem.validation(
                        "to", "No mail server is set up, so the card cannot be emailed: print it instead");
            }
            final String to = TextInput.email(form.value("to"), "to");
            final String message = TextInput.optional(form.value("message"), "message", "Message", 500)
                    .orElse("");
            final String code = GiftCardCodes.normalize(form.value("code"))
                    .orElseThrow(() -> Problem.validation("code", "That is not this card's code"));
            jdbi.useTransaction(handle -> {
                final GiftCards.Card card = giftCards
                        .byCode(handle, signedIn.businessId(), code)
                        .filter(found -> found.id() == cardId)
                        .orElseThrow(() -> Problem.validation("code", "That is not this card's code"));
                final BusinessSettings.Settings business = settings.find(handle, signedIn.businessId());
                outbox.queue(
                        handle,
                        signedIn.businessId(),
                        Outbox.Kind.GIFT_CARD,
                        to,
                        "A gift card from " + business.name(),
                        GiftCards.emailText(business, card, GiftCardCodes.grouped(code), message),
                        Optional.empty(),
                        Optional.of(signedIn.staffId()));
            });
            return "Gift card emailed to " + to + ". Its code is not kept once sent.";
        });
    }

    public void voidCard(Context ctx) {
        final long cardId = PathIds.of(ctx, "giftCardId");
        final Form form = Form.of(ctx);
        pages.afterAction(ctx, "/gift-cards/" + cardId, "Not voided", signedIn -> {
            final Optional<AccountKind> refundTo = Optional.of(form.value("refundTo"))
                    .filter(text -> !text.isBlank())
                    .map(GiftCardsApi::tender);
            final GiftCards.Card card = jdbi.inTransaction(
                    handle -> giftCards.voidCard(handle, signedIn.businessId(), cardId, refundTo, signedIn.actor()));
            return card.label() + " is void" + (card.promotional() ? "." : "; refund what it held to the buyer.");
        });
    }

    /** From the client's page: a card handed over at the desk becomes the client's open payment. */
    public void loadOntoClient(Context ctx) {
        final long clientId = PathIds.of(ctx, "clientId");
        final Form form = Form.of(ctx);
        pages.afterAction(ctx, "/clients/" + clientId, "Gift card not loaded", signedIn -> {
            final GiftCards.Card card =
                    lookups.find(signedIn.businessId(), form.value("code"), "staff:" + signedIn.staffId());
            final GiftCards.Loaded loaded = jdbi.inTransaction(handle ->
                    giftCards.loadToClient(handle, signedIn.businessId(), card.id(), clientId, signedIn.actor()));
            return card.label() + " loaded: " + signedIn.formats().money(loaded.amountMinor())
                    + " is now "
                    + (card.promotional() ? "a credit" : "an open payment") + " of "
                    + loaded.client().name() + ".";
        });
    }

    private void showList(Context ctx, HttpStatus status, Form form) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Optional<GiftCards.Status> filter = GiftCards.Status.parse(ctx.queryParam("status"), "status");
        jdbi.useHandle(handle -> pages.render(
                ctx,
                status,
                "giftcards/list.jte",
                "Gift cards",
                Pages.Section.GIFT_CARDS,
                Map.of(
                        "cards",
                        giftCards.list(
                                handle,
                                signedIn.businessId(),
                                filter,
                                signedIn.formats().zone(),
                                SHOWN),
                        "filter",
                        filter,
                        "outstanding",
                        giftCards.outstandingMinor(handle, signedIn.businessId()),
                        "today",
                        LocalDate.now(signedIn.formats().zone()),
                        "form",
                        form,
                        "enabled",
                        settings.find(handle, signedIn.businessId()).giftCardsEnabled())));
    }

    private void showNew(Context ctx, HttpStatus status, Form form) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final BusinessSettings.Settings business =
                jdbi.withHandle(handle -> settings.find(handle, signedIn.businessId()));
        pages.render(
                ctx,
                status,
                "giftcards/new.jte",
                "Issue a gift card",
                Pages.Section.GIFT_CARDS,
                Map.of(
                        "form",
                        form,
                        "policy",
                        business.giftCards(),
                        "enabled",
                        business.giftCardsEnabled(),
                        "formToken",
                        FormOnce.tokenFor(form)));
    }
}

package dev.settle.giftcards;

import dev.settle.Problem;
import dev.settle.business.BusinessSettings;
import dev.settle.money.Money;
import dev.settle.web.Form;
import dev.settle.web.Formats;
import dev.settle.web.Pages;
import dev.settle.web.PathIds;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The public balance check, for whoever holds a card: {@code /portal/{businessId}/gift-cards}. No
 * sign-in; wrong codes are throttled per address and per code prefix, and a code of another business
 * gets the same answer as a wrong one.
 */
public final class GiftCardBalancePages {
    private final Jdbi jdbi;
    private final GiftCardLookups lookups;
    private final Pages pages;
    private final BusinessSettings settings = new BusinessSettings();

    public GiftCardBalancePages(Jdbi jdbi, GiftCardLookups lookups, Pages pages) {
        this.jdbi = jdbi;
        this.lookups = lookups;
        this.pages = pages;
    }

    /** What the holder is told about their card. */
    public record Answer(String label, String holds, String validity) {}

    public void form(Context ctx) {
        show(ctx, HttpStatus.OK, business(ctx), Form.of(Map.of()), Optional.empty());
    }

    public void check(Context ctx) {
        final BusinessSettings.Settings business = business(ctx);
        final Form form = Form.of(ctx);
        try {
            final GiftCards.Card card = lookups.find(business.businessId(), form.value("code"), "ip:" + ctx.ip());
            final Formats formats = new Formats(business.locale(), business.timeZone(), business.currency());
            final GiftCards.Status status = card.status(LocalDate.now(business.timeZone()));
            final String validity = switch (status) {
                case VOID -> "This card is no longer valid.";
                case EXPIRED ->
                    "This card expired on " + formats.day(card.expiresOn().orElseThrow()) + ".";
                default ->
                    card.expiresOn()
                            .map(last -> "Valid until " + formats.day(last) + ".")
                            .orElse("It never expires.");
            };
            show(
                    ctx,
                    HttpStatus.OK,
                    business,
                    Form.of(Map.of()),
                    Optional.of(new Answer(
                            card.label(),
                            status == GiftCards.Status.VOID
                                    ? new Money(0, business.currency()).format(business.locale())
                                    : formats.money(card.balanceMinor()),
                            validity)));
        } catch (Problem problem) {
            show(
                    ctx,
                    problem.kind() == Problem.Kind.TOO_MANY_REQUESTS
                            ? HttpStatus.TOO_MANY_REQUESTS
                            : HttpStatus.UNPROCESSABLE_CONTENT,
                    business,
                    form.withError(new Problem(Problem.Kind.VALIDATION, "code", problem.detail())),
                    Optional.empty());
        }
    }

    private BusinessSettings.Settings business(Context ctx) {
        return jdbi.withHandle(handle -> settings.require(handle, PathIds.of(ctx, "businessId")));
    }

    private void show(
            Context ctx, HttpStatus status, BusinessSettings.Settings business, Form form, Optional<Answer> answer) {
        pages.renderPublic(
                ctx,
                status,
                "giftcards/balance.jte",
                "Gift card balance · " + business.name(),
                Map.of("business", business, "form", form, "answer", answer));
    }
}

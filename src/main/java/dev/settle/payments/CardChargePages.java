package dev.settle.payments;

import dev.settle.Problem;
import dev.settle.business.BusinessSettings;
import dev.settle.money.Money;
import dev.settle.money.MoneyInput;
import dev.settle.web.Form;
import dev.settle.web.Pages;
import dev.settle.web.PathIds;
import io.javalin.http.Context;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * "Charge Client" at the desk: a card the client kept with the processor is charged towards an
 * open invoice, or (from the client's page) towards the balance due, the rest kept as an open
 * payment. The form carries a key made when it was shown, so a double click charges once.
 */
public final class CardChargePages {
    private final Jdbi jdbi;
    private final CardPayments payments;
    private final Pages pages;
    private final BusinessSettings settings = new BusinessSettings();

    public CardChargePages(Jdbi jdbi, CardPayments payments, Pages pages) {
        this.jdbi = jdbi;
        this.payments = payments;
        this.pages = pages;
    }

    public void chargeInvoice(Context ctx) {
        final long invoiceId = PathIds.of(ctx, "invoiceId");
        charge(ctx, "/invoices/" + invoiceId, Optional.empty(), Optional.of(invoiceId));
    }

    public void chargeClient(Context ctx) {
        final long clientId = PathIds.of(ctx, "clientId");
        charge(ctx, "/clients/" + clientId, Optional.of(clientId), Optional.empty());
    }

    /** From an invoice, towards it; from a client's payment screen, as the form's "as" says. */
    private void charge(Context ctx, String back, Optional<Long> clientId, Optional<Long> invoiceId) {
        final Form form = Form.of(ctx);
        pages.afterAction(ctx, back, "Not charged", signedIn -> {
            final BusinessSettings.Settings business =
                    jdbi.withHandle(handle -> settings.find(handle, signedIn.businessId()));
            final long amountMinor = MoneyInput.parse(form.value("amount"), business.currency(), "amount", "Amount");
            final long savedCardId = savedCardId(form);
            final CardPayments.Purpose purpose = invoiceId.isPresent()
                    ? CardPayments.Purpose.INVOICE
                    : CardPayments.Purpose.forClient(form.value("as"), "as");
            final String key = form.value("chargeKey");
            if (key.isBlank() || key.length() > 100) {
                throw Problem.validation("chargeKey", "This form has expired: reload the page and try again");
            }
            final CardPayments.Settled settled = payments.chargeSaved(
                    signedIn.businessId(),
                    clientId,
                    savedCardId,
                    purpose,
                    invoiceId,
                    amountMinor,
                    signedIn.actor(),
                    "staff-" + signedIn.staffId() + "-" + key);
            final String amount = new Money(amountMinor, business.currency()).format(business.locale());
            return switch (settled.state()) {
                case SUCCEEDED ->
                    "Charged " + amount + " to the card ending "
                            + settled.cardLast4().orElse("on file") + ".";
                case DECLINED ->
                    "Not charged: " + settled.declineReason().orElse("the card was declined") + " Nothing was taken.";
                case PENDING -> "The processor is still working on the " + amount + " charge; it shows here once done.";
            };
        });
    }

    private static long savedCardId(Form form) {
        try {
            return Long.parseLong(form.value("savedCardId"));
        } catch (NumberFormatException e) {
            throw Problem.validation("savedCardId", "Choose a saved card");
        }
    }

    /** A fresh key for one charge form, so submitting it twice charges once. */
    public static String chargeKey() {
        return dev.settle.business.Secrets.random256();
    }
}

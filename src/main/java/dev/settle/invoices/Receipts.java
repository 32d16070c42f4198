package dev.settle.invoices;

import dev.settle.Problem;
import dev.settle.business.BusinessSettings;
import dev.settle.business.TextInput;
import dev.settle.clients.Clients;
import dev.settle.mail.Outbox;
import dev.settle.web.ClientWords;
import dev.settle.web.Formats;
import java.util.List;
import java.util.Optional;
import java.util.ResourceBundle;
import org.jdbi.v3.core.Handle;

/** A checked-out invoice's receipt, emailed: the same lines, payments and figures as the printed one. */
public final class Receipts {
    private final Invoices invoices;
    private final Clients clients;
    private final Outbox outbox;
    private final BusinessSettings settings = new BusinessSettings();

    public Receipts(Invoices invoices, Clients clients, Outbox outbox) {
        this.invoices = invoices;
        this.clients = clients;
        this.outbox = outbox;
    }

    /** Whether a mail server is set up; without one, receipts wait in the outbox. */
    public boolean canSend() {
        return outbox.canSend();
    }

    /** An email waiting to go, or gone. */
    public record Queued(long emailId, String to, String status) {}

    /**
     * Queues the receipt to {@code to}, or to the client's email when none is given; sent by the
     * outbox job once this transaction commits.
     */
    public Queued email(Handle handle, long businessId, long invoiceId, Optional<String> to, Optional<Long> staffId) {
        final Invoices.Invoice invoice = invoices.find(handle, businessId, invoiceId)
                .orElseThrow(() -> Problem.notFound("invoiceId", "no invoice has id " + invoiceId));
        if (invoice.status() == Invoices.Status.DRAFT) {
            throw new Problem(
                    Problem.Kind.CONFLICT, "invoiceId", "Invoice " + invoiceId + " is not checked out yet: no receipt");
        }
        final Optional<Clients.Client> client = invoice.clientId().flatMap(id -> clients.find(handle, businessId, id));
        final String address = to.filter(typed -> !typed.isBlank())
                .map(typed -> TextInput.email(typed, "to"))
                .or(() -> client.flatMap(Clients.Client::email))
                .orElseThrow(() -> Problem.validation("to", "Enter the email address to send the receipt to"));
        final BusinessSettings.Settings business = settings.find(handle, businessId);
        final long emailId = outbox.queue(
                handle,
                businessId,
                Outbox.Kind.RECEIPT,
                address,
                ClientWords.format(
                        ClientWords.of(business.locale()),
                        "receipt.subject",
                        business.name(),
                        String.valueOf(invoiceId)),
                text(handle, business, invoice, client),
                Optional.of(invoiceId),
                staffId);
        return new Queued(emailId, address, "queued");
    }

    private String text(
            Handle handle,
            BusinessSettings.Settings business,
            Invoices.Invoice invoice,
            Optional<Clients.Client> client) {
        final Formats formats = new Formats(business.locale(), business.timeZone(), business.currency());
        final ResourceBundle words = ClientWords.of(business.locale());
        final StringBuilder text = new StringBuilder();
        text.append(business.name()).append('\n');
        text.append(ClientWords.format(
                        words,
                        "receipt.title",
                        String.valueOf(invoice.id()),
                        formats.dateTime(invoice.issuedAt().orElseThrow())))
                .append('\n');
        client.ifPresent(found -> text.append(ClientWords.format(words, "receipt.client", found.name()))
                .append('\n'));
        if (invoice.status() == Invoices.Status.VOID) {
            text.append(words.getString("receipt.void")).append('\n');
        }
        text.append('\n');
        final List<Invoices.Line> lines = invoices.lines(handle, invoice.businessId(), invoice.id());
        for (Invoices.Line line : lines) {
            row(
                    text,
                    line.description()
                            + (line.quantity() > 1
                                    ? " (" + line.quantity() + " × " + formats.money(line.unitMinor()) + ")"
                                    : ""),
                    formats.money(line.amountMinor()));
        }
        row(text, words.getString("receipt.total"), formats.money(invoice.totalMinor()));
        text.append('\n');
        for (Invoices.Payment payment : invoices.payments(handle, invoice.businessId(), invoice.id())) {
            row(
                    text,
                    ClientWords.format(words, "receipt.paid", payment.label(words)),
                    formats.money(payment.amountMinor()));
            payment.tenderedMinor()
                    .ifPresent(tendered ->
                            row(text, "  " + words.getString("receipt.cash_given"), formats.money(tendered)));
            if (payment.changeMinor() > 0) {
                row(text, "  " + words.getString("receipt.change"), formats.money(payment.changeMinor()));
            }
            if (payment.refundedMinor() > 0) {
                row(text, "  " + words.getString("receipt.refunded"), formats.money(payment.refundedMinor()));
            }
        }
        if (invoice.unpaidMinor() > 0) {
            row(text, words.getString("receipt.on_balance_due"), formats.money(invoice.unpaidMinor()));
        }
        text.append('\n').append(words.getString("receipt.thanks")).append('\n');
        return text.toString();
    }

    /** A line of the receipt: what on the left, the amount on the right, as a till prints it. */
    private static void row(StringBuilder text, String what, String amount) {
        final int width = 48;
        text.append(what);
        text.append(" ".repeat(Math.max(2, width - what.length() - amount.length())));
        text.append(amount).append('\n');
    }
}

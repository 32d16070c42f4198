package dev.settle.payments;

import dev.settle.Problem;
import dev.settle.business.BusinessSettings;
import dev.settle.business.Businesses;
import dev.settle.clients.Clients;
import dev.settle.invoices.Invoices;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.Actor;
import dev.settle.ledger.EntryRequest;
import dev.settle.ledger.Ledger;
import dev.settle.ledger.PostedEntry;
import dev.settle.ledger.PostingRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Card payments of an invoice through the business's processor. The amount is what the invoice
 * owes when the payment starts (never what a form says). The ledger entry is posted only when the
 * processor confirms, exactly once however often that is asked (the payer's return and the
 * processor's webhook both ask): the payment's row is locked and settled in one transaction.
 */
public final class CardPayments {

    /** Where a payment stands after asking the processor. */
    public record Settled(
            CardProcessor.State state, long invoiceId, Optional<String> cardLast4, Optional<String> declineReason) {}

    private final Jdbi jdbi;
    private final Ledger ledger;
    private final Businesses businesses;
    private final Clients clients;
    private final Invoices invoices;
    private final CardProcessor processor;
    private final BusinessSettings settings = new BusinessSettings();

    public CardPayments(
            Jdbi jdbi,
            Ledger ledger,
            Businesses businesses,
            Clients clients,
            Invoices invoices,
            CardProcessor processor) {
        this.jdbi = jdbi;
        this.ledger = ledger;
        this.businesses = businesses;
        this.clients = clients;
        this.invoices = invoices;
        this.processor = processor;
    }

    /** Whether the business has connected a processor. */
    public boolean connected(Handle handle, long businessId) {
        return !settings.find(handle, businessId).cardProcessor().equals("none");
    }

    /** Starts paying what the client's open invoice owes; returns where the payer enters their card. */
    public String startForInvoice(long businessId, long clientId, long invoiceId, String returnUrl) {
        final Invoices.Invoice invoice = jdbi.withHandle(handle -> {
            if (!connected(handle, businessId)) {
                throw new Problem(Problem.Kind.CONFLICT, "invoiceId", "Card payments are not set up here");
            }
            return invoices.find(handle, businessId, invoiceId)
                    .filter(found -> found.clientId().equals(Optional.of(clientId)))
                    .filter(found -> found.status() == Invoices.Status.OPEN)
                    .orElseThrow(() -> Problem.notFound("invoiceId", "no open invoice has id " + invoiceId));
        });
        final CardProcessor.Intent intent = processor.create(
                businessId,
                invoice.unpaidMinor(),
                jdbi.withHandle(handle -> settings.find(handle, businessId)).currency(),
                returnUrl);
        jdbi.useHandle(handle -> handle.createUpdate("""
                        insert into card_payments (business_id, processor, intent_id, client_id, invoice_id, amount_minor)
                        values (:business_id, :processor, :intent_id, :client_id, :invoice_id, :amount)
                        """)
                .bind("business_id", businessId)
                .bind("processor", processor.name())
                .bind("intent_id", intent.id())
                .bind("client_id", clientId)
                .bind("invoice_id", invoiceId)
                .bind("amount", invoice.unpaidMinor())
                .execute());
        return intent.payUrl();
    }

    /**
     * Asks the processor how the payment went and records it if it succeeded — once: a second call
     * (the webhook after the return, or a repeated webhook) finds it settled and changes nothing.
     * If the invoice was paid another way meanwhile, what it no longer owes is kept as an open payment.
     */
    public Settled settle(long businessId, String intentId) {
        return jdbi.inTransaction(handle -> {
            final Payment payment = handle.createQuery("""
                            select id, client_id, invoice_id, amount_minor, status, card_last4, decline_reason
                            from card_payments
                            where business_id = :business_id and processor = :processor and intent_id = :intent_id
                            for update
                            """)
                    .bind("business_id", businessId)
                    .bind("processor", processor.name())
                    .bind("intent_id", intentId)
                    .map((rs, ctx) -> new Payment(
                            rs.getLong("id"),
                            rs.getLong("client_id"),
                            rs.getLong("invoice_id"),
                            rs.getLong("amount_minor"),
                            rs.getString("status"),
                            Optional.ofNullable(rs.getString("card_last4")),
                            Optional.ofNullable(rs.getString("decline_reason"))))
                    .findOne()
                    .orElseThrow(() -> Problem.notFound("intent", "no card payment has that id"));
            if (!payment.status().equals("pending")) {
                return new Settled(
                        payment.status().equals("succeeded")
                                ? CardProcessor.State.SUCCEEDED
                                : CardProcessor.State.DECLINED,
                        payment.invoiceId(),
                        payment.cardLast4(),
                        payment.declineReason());
            }
            final CardProcessor.Outcome outcome = processor.outcome(businessId, intentId);
            switch (outcome.state()) {
                case PENDING -> {
                    return new Settled(
                            CardProcessor.State.PENDING, payment.invoiceId(), Optional.empty(), Optional.empty());
                }
                case DECLINED ->
                    handle.createUpdate("""
                                update card_payments set status = 'declined', decline_reason = :reason,
                                                         settled_at = clock_timestamp()
                                where business_id = :business_id and id = :id
                                """)
                            .bind("reason", outcome.declineReason().orElse("The card was declined"))
                            .bind("business_id", businessId)
                            .bind("id", payment.id())
                            .execute();
                case SUCCEEDED -> record(handle, businessId, payment, outcome.cardLast4());
            }
            return new Settled(outcome.state(), payment.invoiceId(), outcome.cardLast4(), outcome.declineReason());
        });
    }

    private record Payment(
            long id,
            long clientId,
            long invoiceId,
            long amountMinor,
            String status,
            Optional<String> cardLast4,
            Optional<String> declineReason) {}

    private void record(Handle handle, long businessId, Payment payment, Optional<String> last4) {
        final Clients.Client unlocked = clients.require(handle, businessId, payment.clientId());
        final long cardAccount = businesses.accountId(handle, businessId, AccountKind.CARD);
        ledger.lock(
                handle,
                businessId,
                List.of(
                        cardAccount,
                        unlocked.receivable().id(),
                        unlocked.openPayments().id()));
        final long owed = invoices.find(handle, businessId, payment.invoiceId())
                .filter(invoice -> invoice.status() == Invoices.Status.OPEN)
                .map(Invoices.Invoice::unpaidMinor)
                .orElse(0L);
        final long toInvoice = Math.min(owed, payment.amountMinor());
        final List<PostingRequest> postings = new ArrayList<>();
        postings.add(PostingRequest.debit(cardAccount, payment.amountMinor()));
        if (toInvoice > 0) {
            postings.add(
                    PostingRequest.credit(unlocked.receivable().id(), toInvoice).onInvoice(payment.invoiceId()));
        }
        if (payment.amountMinor() > toInvoice) {
            postings.add(PostingRequest.credit(unlocked.openPayments().id(), payment.amountMinor() - toInvoice));
        }
        final PostedEntry entry = ledger.post(
                handle,
                new EntryRequest(
                                businessId,
                                "card_payment",
                                Optional.of("Card payment"
                                        + last4.map(digits -> " ending " + digits)
                                                .orElse("") + " for invoice " + payment.invoiceId()
                                        + ", in the client portal"),
                                Actor.system(),
                                Optional.of(payment.clientId()),
                                Optional.empty(),
                                postings)
                        .aboutInvoice(payment.invoiceId()));
        if (toInvoice > 0) {
            invoices.recordPayment(
                    handle,
                    businessId,
                    payment.invoiceId(),
                    entry.id(),
                    new Invoices.Payment(
                            0,
                            entry.id(),
                            "card",
                            toInvoice,
                            Optional.empty(),
                            0,
                            Optional.empty(),
                            last4,
                            0,
                            Optional.empty()));
        }
        handle.createUpdate("""
                        update card_payments set status = 'succeeded', entry_id = :entry_id, card_last4 = :last4,
                                                 settled_at = clock_timestamp()
                        where business_id = :business_id and id = :id
                        """)
                .bind("entry_id", entry.id())
                .bind("last4", last4.orElse(null))
                .bind("business_id", businessId)
                .bind("id", payment.id())
                .execute();
    }
}

package dev.settle.clients;

import dev.settle.Problem;
import dev.settle.business.Businesses;
import dev.settle.business.TextInput;
import dev.settle.invoices.Invoices;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.Actor;
import dev.settle.ledger.EntryRequest;
import dev.settle.ledger.Ledger;
import dev.settle.ledger.PostedEntry;
import dev.settle.ledger.PostingRequest;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Money a client's account takes and gives outside a checkout: payments toward the balance due,
 * manual charges, open payments received and refunded, credits issued, funds applied to the
 * balance due. Each is one ledger entry plus a row saying how and why ({@code client_operations});
 * each is refused whole, with nothing written, if anything is wrong.
 */
public final class ClientMoney {
    /** No single movement is larger than this (ten billion in a two-decimal currency). */
    public static final long AMOUNT_MINOR_MAX = 1_000_000_000_000L;

    /** How money came in or went out. */
    public enum Tender {
        CASH("cash", "Cash", AccountKind.CASH),
        CHECK("check", "Check", AccountKind.CHECK),
        CARD("card", "Card (recorded by hand)", AccountKind.CARD),
        EXTERNAL("external", "Other (describe it)", AccountKind.EXTERNAL);

        public final String dbName;
        public final String label;
        final AccountKind account;

        Tender(String dbName, String label, AccountKind account) {
            this.dbName = dbName;
            this.label = label;
            this.account = account;
        }

        public static Tender parse(String text, String field) {
            return named(
                    values(), tender -> tender.dbName, text, field, "tender must be cash, check, card or external");
        }
    }

    /** Why the business gave a credit. */
    public enum CreditReason {
        REFERRAL("referral", "Referral"),
        GOODWILL("goodwill", "Goodwill"),
        PROMOTION("promotion", "Promotion"),
        REFUND_AS_CREDIT("refund_as_credit", "Refund as credit"),
        OTHER("other", "Other (say why)");

        public final String dbName;
        public final String label;

        CreditReason(String dbName, String label) {
            this.dbName = dbName;
            this.label = label;
        }

        public static CreditReason parse(String text, String field) {
            return named(
                    values(),
                    reason -> reason.dbName,
                    text,
                    field,
                    "reason must be referral, goodwill, promotion, refund_as_credit or other");
        }
    }

    /** Money received or paid back: how much, by what, with its check number or description. */
    public record Payment(long amountMinor, Tender tender, Optional<String> reference, Optional<String> note) {
        public static Payment of(long amountMinor, Tender tender, String reference, String note) {
            checkAmount(amountMinor);
            final Optional<String> checkedReference = TextInput.optional(reference, "reference", "Reference", 100);
            if (checkedReference.isEmpty() && tender == Tender.CHECK) {
                throw Problem.validation("reference", "Enter the check number");
            }
            if (checkedReference.isEmpty() && tender == Tender.EXTERNAL) {
                throw Problem.validation("reference", "Say how it was paid, e.g. bank transfer 4471");
            }
            return new Payment(amountMinor, tender, checkedReference, TextInput.optional(note, "note", "Note", 500));
        }

        /** The fields an approval needs to carry the refund out later (see {@link Approvals}). */
        Map<String, String> details() {
            final Map<String, String> details = new LinkedHashMap<>();
            details.put("tender", tender.dbName);
            reference.ifPresent(text -> details.put("reference", text));
            note.ifPresent(text -> details.put("note", text));
            return details;
        }

        String memo() {
            return switch (tender) {
                case CHECK -> "Check #" + reference.orElseThrow();
                case EXTERNAL -> reference.orElseThrow();
                default -> tender.label.replace(" (recorded by hand)", "");
            };
        }
    }

    /** Value the business gives: how much, why, until when. */
    public record Credit(long amountMinor, CreditReason reason, Optional<String> note, Optional<LocalDate> expiresOn) {
        public static Credit of(
                long amountMinor, CreditReason reason, String note, Optional<LocalDate> expiresOn, LocalDate today) {
            checkAmount(amountMinor);
            final Optional<String> checkedNote = TextInput.optional(note, "note", "Note", 500);
            if (checkedNote.isEmpty() && reason == CreditReason.OTHER) {
                throw Problem.validation("note", "Say why the credit is given");
            }
            if (expiresOn.isPresent() && !expiresOn.get().isAfter(today)) {
                throw Problem.validation("expiresOn", "A credit must expire after today, or not at all");
            }
            return new Credit(amountMinor, reason, checkedNote, expiresOn);
        }

        /** The fields an approval needs to issue the credit later (see {@link Approvals}). */
        Map<String, String> details() {
            final Map<String, String> details = new LinkedHashMap<>();
            details.put("reason", reason.dbName);
            note.ifPresent(text -> details.put("note", text));
            expiresOn.ifPresent(day -> details.put("expiresOn", day.toString()));
            return details;
        }
    }

    /** A manual charge onto the balance due ("Remove credit"): how much, and why. */
    public record Charge(long amountMinor, String reason) {
        public static Charge of(long amountMinor, String reason) {
            checkAmount(amountMinor);
            return new Charge(amountMinor, TextInput.required(reason, "reason", "Reason", 200));
        }

        /** The fields an approval needs to make the charge later (see {@link Approvals}). */
        Map<String, String> details() {
            return Map.of("reason", reason);
        }
    }

    /** Where funds applied to the balance due come from. */
    public enum Funds {
        OPEN_PAYMENTS("open_payments", "Open payments"),
        CREDITS("credits", "Credits");

        public final String dbName;
        public final String label;

        Funds(String dbName, String label) {
            this.dbName = dbName;
            this.label = label;
        }

        public static Funds parse(String text, String field) {
            return named(values(), funds -> funds.dbName, text, field, "from must be open_payments or credits");
        }
    }

    /**
     * What an operation did: its entry, the client with their balances after it, and for money
     * toward the balance due, which invoices it paid and how much was kept as an open payment.
     */
    public record Outcome(
            long entryId, Clients.Client client, List<Invoices.Allocation> paid, long keptAsOpenPaymentMinor) {
        Outcome(long entryId, Clients.Client client) {
            this(entryId, client, List.of(), 0);
        }
    }

    private final Ledger ledger;
    private final Clients clients;
    private final Businesses businesses;
    private final Invoices invoices;
    private final CreditGrants grants = new CreditGrants();
    private final Households households;

    public ClientMoney(Ledger ledger, Clients clients, Businesses businesses, Invoices invoices) {
        this.ledger = ledger;
        this.clients = clients;
        this.businesses = businesses;
        this.invoices = invoices;
        this.households = new Households(clients);
    }

    /**
     * An invoice for a visit, left open for the client to pay later (the Time To Pet way): its
     * lines become the client's balance due. Receivable → sales.
     */
    public Outcome openInvoice(Handle handle, long businessId, long clientId, List<Invoices.Line> lines, Actor actor) {
        final Clients.Client client = active(handle, businessId, clientId);
        final PostedEntry entry = invoiced(
                handle,
                client,
                lines,
                "invoice",
                invoiceId -> "Invoice " + invoiceId + ": "
                        + String.join(
                                ", ",
                                lines.stream().map(Invoices.Line::description).toList()),
                AccountKind.SALES,
                actor);
        return new Outcome(
                entry.id(), clients.find(handle, businessId, clientId).orElseThrow());
    }

    /**
     * A charge onto the balance due with no visit behind it ("Remove credit"): a one-line invoice,
     * so the balance due stays the sum of unpaid invoices. Receivable → adjustments.
     */
    public Outcome charge(Handle handle, long businessId, long clientId, Charge charge, Actor actor) {
        final Clients.Client client = active(handle, businessId, clientId);
        final PostedEntry entry = invoiced(
                handle,
                client,
                List.of(new Invoices.Line(Invoices.LineKind.CHARGE, charge.reason(), 1, charge.amountMinor())),
                "charge",
                invoiceId -> "Charge: " + charge.reason(),
                AccountKind.ADJUSTMENTS,
                actor);
        record(handle, client, entry, "charge", Optional.empty(), Optional.empty(), Optional.of(charge.reason()));
        return new Outcome(
                entry.id(), clients.find(handle, businessId, clientId).orElseThrow());
    }

    /**
     * Issues an invoice of {@code lines}, charges its total to the client's balance due, and applies
     * the client's funds to it if the business has auto-apply on.
     */
    private PostedEntry invoiced(
            Handle handle,
            Clients.Client client,
            List<Invoices.Line> lines,
            String kind,
            java.util.function.LongFunction<String> memo,
            AccountKind against,
            Actor actor) {
        final long total = lines.stream().mapToLong(Invoices.Line::amountMinor).reduce(0, Math::addExact);
        checkAmount(total);
        final long invoiceId = invoices.issue(handle, client.businessId(), Optional.of(client.id()), lines, actor);
        final PostedEntry entry = ledger.post(
                handle,
                entry(
                                client,
                                kind,
                                memo.apply(invoiceId),
                                actor,
                                List.of(
                                        PostingRequest.debit(client.receivable().id(), total)
                                                .onInvoice(invoiceId),
                                        PostingRequest.credit(
                                                businesses.accountId(handle, client.businessId(), against), total)))
                        .aboutInvoice(invoiceId));
        autoApply(handle, client.businessId(), invoiceId, actor);
        return entry;
    }

    /**
     * Money toward the balance due ("Add credit", "Receive payment"): pays the client's unpaid
     * invoices oldest first, and whatever is more than the balance due is kept as an open payment —
     * never lost, never silently a credit.
     */
    public Outcome receivePayment(Handle handle, long businessId, long clientId, Payment payment, Actor actor) {
        return receivePayment(handle, businessId, clientId, payment, actor, Optional.empty());
    }

    /** A payment on one open invoice (Time To Pet's "Add Payment"): never more than is unpaid on it. */
    public Outcome payInvoice(Handle handle, long businessId, long invoiceId, Payment payment, Actor actor) {
        final Invoices.Invoice invoice = payableInvoice(handle, businessId, invoiceId);
        final Outcome outcome = receivePayment(
                handle, businessId, invoice.clientId().orElseThrow(), payment, actor, Optional.of(invoiceId));
        invoices.recordPayments(
                handle,
                businessId,
                invoiceId,
                outcome.entryId(),
                List.of(new Invoices.Payment(
                        0,
                        outcome.entryId(),
                        payment.tender().dbName,
                        payment.amountMinor(),
                        Optional.empty(),
                        0,
                        payment.reference(),
                        Optional.empty(),
                        0,
                        Optional.empty())));
        return outcome;
    }

    private Outcome receivePayment(
            Handle handle, long businessId, long clientId, Payment payment, Actor actor, Optional<Long> invoiceId) {
        final Clients.Client unlocked = active(handle, businessId, clientId);
        final long tenderAccount = businesses.accountId(handle, businessId, payment.tender().account);
        ledger.lock(
                handle,
                businessId,
                List.of(
                        tenderAccount,
                        unlocked.receivable().id(),
                        unlocked.openPayments().id()));
        final Clients.Client client = clients.find(handle, businessId, clientId).orElseThrow();
        final List<Invoices.Allocation> paid = allocate(handle, businessId, clientId, payment.amountMinor(), invoiceId);
        final long kept = payment.amountMinor()
                - paid.stream().mapToLong(Invoices.Allocation::amountMinor).sum();
        final List<PostingRequest> postings = new ArrayList<>();
        postings.add(PostingRequest.debit(tenderAccount, payment.amountMinor()));
        postings.addAll(paying(client, paid));
        if (kept > 0) {
            postings.add(PostingRequest.credit(client.openPayments().id(), kept));
        }
        final PostedEntry entry =
                ledger.post(handle, entry(client, "payment", "Payment: " + payment.memo(), actor, postings));
        record(handle, client, entry, "payment", Optional.of(payment), Optional.empty(), payment.note());
        return new Outcome(
                entry.id(), clients.find(handle, businessId, clientId).orElseThrow(), paid, kept);
    }

    /**
     * Open payments or credits applied to the balance due, oldest invoice first: all that can be
     * (the smaller of the funds and the balance due), or {@code amountMinor} of it. The funds are the
     * household's (the client's own first); credits are spent soonest-expiring first.
     */
    public Outcome applyFunds(
            Handle handle, long businessId, long clientId, Funds funds, Optional<Long> amountMinor, Actor actor) {
        return applyFunds(handle, businessId, clientId, funds, amountMinor, actor, Optional.empty(), false);
    }

    /** Open payments or credits applied to one open invoice: all it can take, or {@code amountMinor}. */
    public Outcome applyFundsToInvoice(
            Handle handle, long businessId, long invoiceId, Funds funds, Optional<Long> amountMinor, Actor actor) {
        final Invoices.Invoice invoice = payableInvoice(handle, businessId, invoiceId);
        return applyFunds(
                handle,
                businessId,
                invoice.clientId().orElseThrow(),
                funds,
                amountMinor,
                actor,
                Optional.of(invoiceId),
                false);
    }

    /**
     * With the business's auto-apply setting on, a new unpaid invoice takes the client's (household's)
     * open payments, then credits, as far as they go; each is its own history row saying so.
     */
    public void autoApply(Handle handle, long businessId, long invoiceId, Actor actor) {
        final boolean on = handle.createQuery("select auto_apply_funds from businesses where id = :id")
                .bind("id", businessId)
                .mapTo(Boolean.class)
                .one();
        for (Funds funds : Funds.values()) {
            final Invoices.Invoice invoice =
                    invoices.find(handle, businessId, invoiceId).orElseThrow();
            if (!on || invoice.status() != Invoices.Status.OPEN) {
                return;
            }
            final long clientId = invoice.clientId().orElseThrow();
            final Households.Household household = households.of(handle, clients.require(handle, businessId, clientId));
            if ((funds == Funds.CREDITS ? household.creditsMinor() : household.openPaymentsMinor()) > 0) {
                applyFunds(handle, businessId, clientId, funds, Optional.empty(), actor, Optional.of(invoiceId), true);
            }
        }
    }

    private Outcome applyFunds(
            Handle handle,
            long businessId,
            long clientId,
            Funds funds,
            Optional<Long> amountMinor,
            Actor actor,
            Optional<Long> invoiceId,
            boolean automatically) {
        amountMinor.ifPresent(ClientMoney::checkAmount);
        final Clients.Client unlocked = active(handle, businessId, clientId);
        final List<Long> toLock = new ArrayList<>(fundAccounts(households.of(handle, unlocked), funds));
        toLock.add(unlocked.receivable().id());
        ledger.lock(handle, businessId, toLock);
        final Clients.Client client = clients.find(handle, businessId, clientId).orElseThrow();
        final Households.Household household = households.of(handle, client);
        final long held = funds == Funds.CREDITS ? household.creditsMinor() : household.openPaymentsMinor();
        final long due = invoiceId.isPresent()
                ? invoices.find(handle, businessId, invoiceId.get())
                        .orElseThrow()
                        .unpaidMinor()
                : client.receivable().balanceMinor();
        if (due == 0) {
            throw Problem.validation(
                    "amountMinor",
                    invoiceId.isPresent()
                            ? "Nothing is unpaid on invoice " + invoiceId.get()
                            : client.name() + " owes nothing: there is no balance due to pay");
        }
        if (held == 0) {
            throw new Problem(
                    Problem.Kind.INSUFFICIENT_FUNDS,
                    "from",
                    client.name() + " has no " + funds.label.toLowerCase(Locale.ROOT) + " to apply");
        }
        final long amount = amountMinor.orElse(Math.min(held, due));
        if (amount > held) {
            throw new Problem(
                    Problem.Kind.INSUFFICIENT_FUNDS,
                    "amountMinor",
                    "That is more than the client's " + funds.label.toLowerCase(Locale.ROOT));
        }
        if (amount > due) {
            throw Problem.validation("amountMinor", "That is more than the balance due");
        }
        final Draw draw = draw(handle, businessId, household, funds, amount);
        final List<PostingRequest> postings = new ArrayList<>(draw.postings());
        final List<Invoices.Allocation> paid = allocate(handle, businessId, clientId, amount, invoiceId);
        postings.addAll(paying(client, paid));
        final String kind = funds == Funds.CREDITS ? "credits_applied" : "open_payments_applied";
        final String memo = funds.label
                + (automatically
                        ? " applied automatically to invoice " + invoiceId.orElseThrow()
                        : " applied to the balance due")
                + (household.shared() ? " of " + client.name() + " (household funds)" : "");
        final PostedEntry entry = ledger.post(handle, entry(client, kind, memo, actor, postings));
        grants.record(handle, businessId, entry.id(), draw.takes());
        record(handle, client, entry, kind, Optional.empty(), Optional.empty(), Optional.empty());
        return new Outcome(
                entry.id(), clients.find(handle, businessId, clientId).orElseThrow(), paid, 0);
    }

    /**
     * What a payment of {@code amountMinor} pays: the client's unpaid invoices oldest first (the rest
     * is the caller's to keep), or all of it on one invoice, refused if that is more than is unpaid
     * there. The caller holds the client's balance-due lock.
     */
    private List<Invoices.Allocation> allocate(
            Handle handle, long businessId, long clientId, long amountMinor, Optional<Long> invoiceId) {
        if (invoiceId.isEmpty()) {
            return invoices.allocateOldestFirst(handle, businessId, clientId, amountMinor);
        }
        final Invoices.Invoice invoice =
                invoices.find(handle, businessId, invoiceId.get()).orElseThrow();
        if (amountMinor > invoice.unpaidMinor()) {
            throw new Problem(
                    Problem.Kind.OVERPAID,
                    "amountMinor",
                    "That is more than is unpaid on invoice " + invoice.id() + "; record the rest as a payment"
                            + " toward the balance due instead");
        }
        return List.of(new Invoices.Allocation(invoice.id(), amountMinor));
    }

    /** An invoice that can take a payment: it exists here, belongs to a client, and is open. */
    private Invoices.Invoice payableInvoice(Handle handle, long businessId, long invoiceId) {
        final Invoices.Invoice invoice = invoices.find(handle, businessId, invoiceId)
                .orElseThrow(() -> Problem.notFound("invoiceId", "no invoice has id " + invoiceId));
        if (invoice.status() != Invoices.Status.OPEN) {
            throw new Problem(
                    Problem.Kind.CONFLICT,
                    "invoiceId",
                    "Invoice " + invoiceId + " is " + invoice.status().label.toLowerCase(Locale.ROOT)
                            + ": only an open invoice takes a payment");
        }
        return invoice;
    }

    /** The balance-due lines that pay these invoices, one each. */
    private static List<PostingRequest> paying(Clients.Client client, List<Invoices.Allocation> paid) {
        return paid.stream()
                .map(allocation -> PostingRequest.credit(client.receivable().id(), allocation.amountMinor())
                        .onInvoice(allocation.invoiceId()))
                .toList();
    }

    /** The fund accounts of a household's members, in the order they are drawn on. */
    private static List<Long> fundAccounts(Households.Household household, Funds funds) {
        return household.members().stream()
                .map(member -> funds == Funds.CREDITS
                        ? member.credits().id()
                        : member.openPayments().id())
                .toList();
    }

    /** Funds drawn on a household: the lines that take them, and the credit grants they use. */
    public record Draw(List<PostingRequest> postings, List<CreditGrants.Take> takes) {}

    /**
     * Draws {@code amountMinor} of a household's funds, the caller holding their accounts' locks:
     * open payments from the client's own first (members come in that order), then each other
     * member's in turn; credits soonest-expiring first, whoever holds them. The caller posts the
     * lines, then records the takes against the entry.
     */
    public Draw draw(Handle handle, long businessId, Households.Household household, Funds funds, long amountMinor) {
        final List<CreditGrants.Take> takes = funds == Funds.CREDITS
                ? grants.plan(
                        handle,
                        businessId,
                        household.members().stream().map(Clients.Client::id).toList(),
                        amountMinor)
                : List.of();
        final List<PostingRequest> postings = new ArrayList<>();
        long left = amountMinor;
        for (Clients.Client member : household.members()) {
            final long given = funds == Funds.CREDITS
                    ? takes.stream()
                            .filter(take -> take.clientId() == member.id())
                            .mapToLong(CreditGrants.Take::amountMinor)
                            .sum()
                    : Math.min(left, member.openPayments().balanceMinor());
            if (given > 0) {
                postings.add(PostingRequest.debit(
                        funds == Funds.CREDITS
                                ? member.credits().id()
                                : member.openPayments().id(),
                        given));
                left -= given;
            }
        }
        return new Draw(postings, takes);
    }

    /** Money the client paid ahead, kept on account: tender → open payments. */
    public Outcome receiveOpenPayment(Handle handle, long businessId, long clientId, Payment payment, Actor actor) {
        final Clients.Client client = active(handle, businessId, clientId);
        final PostedEntry entry = ledger.post(
                handle,
                entry(
                        client,
                        "open_payment",
                        "Open payment: " + payment.memo(),
                        actor,
                        List.of(
                                PostingRequest.debit(
                                        businesses.accountId(handle, businessId, payment.tender().account),
                                        payment.amountMinor()),
                                PostingRequest.credit(client.openPayments().id(), payment.amountMinor()))));
        record(handle, client, entry, "open_payment", Optional.of(payment), Optional.empty(), payment.note());
        return new Outcome(
                entry.id(), clients.find(handle, businessId, clientId).orElseThrow());
    }

    /**
     * Open payments given back by a tender: never more than the client (with their household) has,
     * drawn on the client's own first.
     */
    public Outcome refundOpenPayment(Handle handle, long businessId, long clientId, Payment payment, Actor actor) {
        final Clients.Client unlocked = active(handle, businessId, clientId);
        final long tenderAccount = businesses.accountId(handle, businessId, payment.tender().account);
        final List<Long> toLock = new ArrayList<>(fundAccounts(households.of(handle, unlocked), Funds.OPEN_PAYMENTS));
        toLock.add(tenderAccount);
        ledger.lock(handle, businessId, toLock);
        final Clients.Client client = clients.find(handle, businessId, clientId).orElseThrow();
        final Households.Household household = households.of(handle, client);
        if (payment.amountMinor() > household.openPaymentsMinor()) {
            throw refundTooLarge();
        }
        final List<PostingRequest> postings =
                new ArrayList<>(draw(handle, businessId, household, Funds.OPEN_PAYMENTS, payment.amountMinor())
                        .postings());
        postings.add(PostingRequest.credit(tenderAccount, payment.amountMinor()));
        final PostedEntry entry = ledger.post(
                handle,
                entry(client, "open_payment_refund", "Refund of open payment: " + payment.memo(), actor, postings));
        record(handle, client, entry, "open_payment_refund", Optional.of(payment), Optional.empty(), payment.note());
        return new Outcome(
                entry.id(), clients.find(handle, businessId, clientId).orElseThrow());
    }

    /** Value given with no money received: promotions → credits, kept as a grant that may expire. */
    public Outcome issueCredit(Handle handle, long businessId, long clientId, Credit credit, Actor actor) {
        final Clients.Client client = active(handle, businessId, clientId);
        final String memo = "Credit: " + credit.reason().label.replace(" (say why)", "")
                + credit.note().map(note -> " — " + note).orElse("");
        final PostedEntry entry = ledger.post(
                handle,
                entry(
                        client,
                        "credit_issued",
                        memo,
                        actor,
                        List.of(
                                PostingRequest.debit(
                                        businesses.accountId(handle, businessId, AccountKind.PROMOTIONS),
                                        credit.amountMinor()),
                                PostingRequest.credit(client.credits().id(), credit.amountMinor()))));
        record(handle, client, entry, "credit_issued", Optional.empty(), Optional.of(credit), credit.note());
        grants.grant(handle, businessId, clientId, entry.id(), credit.amountMinor(), credit.expiresOn());
        return new Outcome(
                entry.id(), clients.find(handle, businessId, clientId).orElseThrow());
    }

    /** The client, if money may move for them: they exist in this business and are not archived. */
    public Clients.Client active(Handle handle, long businessId, long clientId) {
        return active(clients.require(handle, businessId, clientId));
    }

    /** The client, if money may move for them: they are not archived. */
    public static Clients.Client active(Clients.Client client) {
        if (client.archived()) {
            throw new Problem(
                    Problem.Kind.CLIENT_ARCHIVED,
                    "clientId",
                    client.name() + " is archived; bring them back before recording money for them");
        }
        return client;
    }

    private static EntryRequest entry(
            Clients.Client client, String kind, String memo, Actor actor, List<PostingRequest> postings) {
        return new EntryRequest(
                client.businessId(),
                kind,
                Optional.of(
                        memo.length() > EntryRequest.MEMO_LENGTH_MAX
                                ? memo.substring(0, EntryRequest.MEMO_LENGTH_MAX)
                                : memo),
                actor,
                Optional.of(client.id()),
                Optional.empty(),
                postings);
    }

    private static void record(
            Handle handle,
            Clients.Client client,
            PostedEntry entry,
            String kind,
            Optional<Payment> payment,
            Optional<Credit> credit,
            Optional<String> note) {
        handle.createUpdate("""
                insert into client_operations (business_id, entry_id, client_id, kind, tender, reference, reason, note)
                values (:business_id, :entry_id, :client_id, :kind, :tender, :reference, :reason, :note)
                """)
                .bind("business_id", client.businessId())
                .bind("entry_id", entry.id())
                .bind("client_id", client.id())
                .bind("kind", kind)
                .bind("tender", payment.map(p -> p.tender().dbName).orElse(null))
                .bind("reference", payment.flatMap(Payment::reference).orElse(null))
                .bind("reason", credit.map(c -> c.reason().dbName).orElse(null))
                .bind("note", note.orElse(null))
                .execute();
    }

    private static Problem refundTooLarge() {
        return new Problem(
                Problem.Kind.INSUFFICIENT_FUNDS, "amountMinor", "The refund is more than the client's open payments");
    }

    /** An amount an API body must carry: refused by name when it is missing. */
    public static long requiredAmount(Long amountMinor) {
        if (amountMinor == null) {
            throw Problem.validation("amountMinor", "amountMinor is required: an integer of minor units, e.g. 2500");
        }
        return amountMinor;
    }

    public static void checkAmount(long amountMinor) {
        if (amountMinor <= 0) {
            throw Problem.validation("amountMinor", "The amount must be more than zero");
        }
        if (amountMinor > AMOUNT_MINOR_MAX) {
            throw Problem.validation("amountMinor", "The amount is too large");
        }
    }

    /** The constant called {@code text} where it is stored and sent, or a problem with {@code field}. */
    static <E> E named(
            E[] values, java.util.function.Function<E, String> dbName, String text, String field, String message) {
        return Arrays.stream(values)
                .filter(value -> dbName.apply(value).equals(text))
                .findFirst()
                .orElseThrow(() -> Problem.validation(field, message));
    }

    /** The business's currency, checked against the one a request names. */
    public static void checkCurrency(String sent, String business) {
        if (sent == null || !sent.toUpperCase(Locale.ROOT).equals(business)) {
            throw Problem.validation(
                    "currency", "This business keeps money in " + business + "; send currency " + business);
        }
    }
}

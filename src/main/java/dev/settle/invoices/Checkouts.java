package dev.settle.invoices;

import dev.settle.Problem;
import dev.settle.business.Businesses;
import dev.settle.business.TextInput;
import dev.settle.clients.ClientMoney;
import dev.settle.clients.Clients;
import dev.settle.clients.CreditGrants;
import dev.settle.clients.Households;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.Actor;
import dev.settle.ledger.EntryRequest;
import dev.settle.ledger.Ledger;
import dev.settle.ledger.PostedEntry;
import dev.settle.ledger.PostingRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Checkout: a draft invoice settled in one ledger entry, all or nothing — its lines, a payment
 * towards the client's older balance due ("Paid Towards Balance Due"), any mix of tenders (cash with
 * change, check, card recorded by hand, other, the client's credits and open payments) and pay
 * later (the rest onto the balance due, as what is unpaid on this invoice).
 */
public final class Checkouts {

    /** How a checkout is paid. */
    public enum Tender {
        CASH("cash", Optional.of(AccountKind.CASH)),
        CHECK("check", Optional.of(AccountKind.CHECK)),
        CARD("card", Optional.of(AccountKind.CARD)),
        EXTERNAL("external", Optional.of(AccountKind.EXTERNAL)),
        CREDIT("credit", Optional.empty()),
        OPEN_PAYMENT("open_payment", Optional.empty());

        public final String dbName;
        final Optional<AccountKind> clearing;

        Tender(String dbName, Optional<AccountKind> clearing) {
            this.dbName = dbName;
            this.clearing = clearing;
        }

        static Tender parse(String text, String field) {
            return Arrays.stream(values())
                    .filter(tender -> tender.dbName.equals(text))
                    .findFirst()
                    .orElseThrow(() -> Problem.validation(
                            field, "tender must be cash, check, card, external, credit or open_payment"));
        }
    }

    /** One tender of a checkout: how much it pays, and for cash what was handed over. */
    public record Payment(
            Tender tender,
            long amountMinor,
            Optional<Long> tenderedMinor,
            Optional<String> reference,
            Optional<String> cardLast4) {

        public static Payment of(
                String tender, Long amountMinor, Long tenderedMinor, String reference, String cardLast4, String field) {
            final Tender parsed = Tender.parse(tender, field + ".tender");
            if (amountMinor == null) {
                throw Problem.validation(field + ".amountMinor", "amountMinor is required");
            }
            try {
                ClientMoney.checkAmount(amountMinor);
            } catch (Problem problem) {
                throw Problem.validation(field + ".amountMinor", problem.detail());
            }
            if (tenderedMinor != null && (parsed != Tender.CASH || tenderedMinor < amountMinor)) {
                throw Problem.validation(
                        field + ".tenderedMinor",
                        parsed == Tender.CASH
                                ? "Cash handed over must be at least the amount it pays"
                                : "Only cash is handed over with change");
            }
            final Optional<String> checkedReference =
                    TextInput.optional(reference, field + ".reference", "Reference", 100);
            if (checkedReference.isEmpty() && parsed == Tender.CHECK) {
                throw Problem.validation(field + ".reference", "Enter the check number");
            }
            if (checkedReference.isEmpty() && parsed == Tender.EXTERNAL) {
                throw Problem.validation(field + ".reference", "Say how it was paid, e.g. bank transfer 4471");
            }
            final Optional<String> last4 = Optional.ofNullable(cardLast4).filter(text -> !text.isBlank());
            if (last4.isPresent() && (parsed != Tender.CARD || !last4.get().matches("[0-9]{4}"))) {
                throw Problem.validation(field + ".cardLast4", "The card's last 4 digits, for a card only");
            }
            return new Payment(parsed, amountMinor, Optional.ofNullable(tenderedMinor), checkedReference, last4);
        }

        long changeMinor() {
            return tenderedMinor.map(tendered -> tendered - amountMinor).orElse(0L);
        }
    }

    /**
     * What the desk asks of a checkout: pay off part of the older balance due, the tenders, what
     * goes onto the balance due, and whether more than the invoice asks is kept as an open payment.
     */
    public record Request(
            long payOffMinor, List<Payment> tenders, long payLaterMinor, boolean keepOverpaymentAsOpenPayment) {}

    /** What a checkout did. */
    public record Result(
            Invoices.Invoice invoice,
            long entryId,
            long changeMinor,
            long keptAsOpenPaymentMinor,
            List<Invoices.Allocation> paidOff,
            Optional<Clients.Client> client) {}

    private final Ledger ledger;
    private final Clients clients;
    private final Businesses businesses;
    private final Invoices invoices;
    private final ClientMoney money;
    private final Households households;
    private final CreditGrants grants = new CreditGrants();

    public Checkouts(Ledger ledger, Clients clients, Businesses businesses, Invoices invoices, ClientMoney money) {
        this.ledger = ledger;
        this.clients = clients;
        this.businesses = businesses;
        this.invoices = invoices;
        this.money = money;
        this.households = new Households(clients);
    }

    /** A draft invoice: lines for a client (or a walk-in), nothing charged until checkout. */
    public Invoices.Invoice draft(
            Handle handle, long businessId, Optional<Long> clientId, List<Invoices.Line> lines, Actor actor) {
        if (lines.isEmpty() || lines.size() > Invoices.LINES_MAX) {
            throw Problem.validation("lines", "An invoice has 1 to " + Invoices.LINES_MAX + " lines");
        }
        clientId.ifPresent(id -> money.active(handle, businessId, id));
        final long net = lines.stream()
                .filter(line -> line.kind() == Invoices.LineKind.SERVICE
                        || line.kind() == Invoices.LineKind.PRODUCT
                        || line.kind() == Invoices.LineKind.DISCOUNT)
                .mapToLong(Invoices.Line::amountMinor)
                .reduce(0, Math::addExact);
        if (net < 0) {
            throw Problem.validation("lines", "The discounts are more than the services and products");
        }
        return invoices.find(handle, businessId, invoices.draft(handle, businessId, clientId, lines, actor))
                .orElseThrow();
    }

    /**
     * Settles a draft invoice in one entry. Refused whole, with nothing written, if anything does
     * not add up; of two checkouts of one invoice at once, exactly one wins.
     */
    public Result checkout(Handle handle, long businessId, long invoiceId, Request request, Actor actor) {
        final Invoices.Invoice invoice = lockDraft(handle, businessId, invoiceId);
        final java.util.function.LongFunction<String> shown = shown(handle, businessId);
        final Optional<Clients.Client> unlocked = invoice.clientId().map(id -> money.active(handle, businessId, id));
        refuseWithoutClient(unlocked, request);
        ledger.lock(handle, businessId, accountsToLock(handle, businessId, unlocked));
        final Optional<Clients.Client> client = unlocked.map(
                found -> clients.find(handle, businessId, found.id()).orElseThrow());
        final List<Invoices.Line> lines = new ArrayList<>(invoices.lines(handle, businessId, invoiceId));
        if (request.payOffMinor() > 0) {
            final long owed = client.orElseThrow().receivable().balanceMinor();
            if (request.payOffMinor() > owed) {
                throw Problem.validation(
                        "payOffMinor", "That is more than the balance due (" + shown.apply(owed) + ")");
            }
            lines.add(new Invoices.Line(
                    Invoices.LineKind.BALANCE_PAYMENT, "Paid Towards Balance Due", 1, request.payOffMinor()));
        }
        final long due = lines.stream().mapToLong(Invoices.Line::amountMinor).reduce(0, Math::addExact);
        final long tendered =
                request.tenders().stream().mapToLong(Payment::amountMinor).reduce(0, Math::addExact);
        final long covered = Math.addExact(tendered, request.payLaterMinor());
        if (covered < due) {
            throw Problem.validation(
                    "tenders",
                    "The payments cover " + shown.apply(covered) + " of " + shown.apply(due)
                            + ": add a tender, or put the rest on pay later");
        }
        final long overpaid = covered - due;
        if (overpaid > 0 && request.payLaterMinor() > 0) {
            throw Problem.validation("payLaterMinor", "Pay later can only cover what the tenders do not");
        }
        if (overpaid > 0 && !request.keepOverpaymentAsOpenPayment()) {
            throw Problem.validation(
                    "tenders",
                    "That is " + shown.apply(overpaid) + " more than the invoice: take less, give cash change, or keep"
                            + " the rest as an open payment");
        }
        if (overpaid > 0 && client.isEmpty()) {
            throw Problem.validation("tenders", "Only a client's overpayment can be kept as an open payment");
        }
        if (due == 0 && tendered == 0) {
            throw Problem.validation("lines", "There is nothing to check out");
        }

        final List<PostingRequest> postings = new ArrayList<>();
        final List<CreditGrants.Take> takes = new ArrayList<>();
        for (Payment payment : request.tenders()) {
            if (payment.tender().clearing.isPresent()) {
                postings.add(PostingRequest.debit(
                        businesses.accountId(
                                handle, businessId, payment.tender().clearing.get()),
                        payment.amountMinor()));
            }
        }
        final Optional<Households.Household> household = client.map(found -> households.of(handle, found));
        for (ClientMoney.Funds funds : ClientMoney.Funds.values()) {
            final Tender tender = funds == ClientMoney.Funds.CREDITS ? Tender.CREDIT : Tender.OPEN_PAYMENT;
            final long wanted = request.tenders().stream()
                    .filter(payment -> payment.tender() == tender)
                    .mapToLong(Payment::amountMinor)
                    .sum();
            if (wanted == 0) {
                continue;
            }
            final long held = funds == ClientMoney.Funds.CREDITS
                    ? household.orElseThrow().creditsMinor()
                    : household.orElseThrow().openPaymentsMinor();
            if (wanted > held) {
                throw new Problem(
                        Problem.Kind.INSUFFICIENT_FUNDS,
                        "tenders",
                        "The client has " + shown.apply(held) + " of " + funds.label.toLowerCase(java.util.Locale.ROOT)
                                + ", not " + shown.apply(wanted));
            }
            final ClientMoney.Draw draw = money.draw(handle, businessId, household.orElseThrow(), funds, wanted);
            postings.addAll(draw.postings());
            takes.addAll(draw.takes());
        }
        if (request.payLaterMinor() > 0) {
            postings.add(PostingRequest.debit(client.orElseThrow().receivable().id(), request.payLaterMinor())
                    .onInvoice(invoiceId));
        }
        credit(
                postings,
                handle,
                businessId,
                AccountKind.SALES,
                sum(lines, Invoices.LineKind.SERVICE, Invoices.LineKind.PRODUCT, Invoices.LineKind.DISCOUNT));
        credit(postings, handle, businessId, AccountKind.TIPS, sum(lines, Invoices.LineKind.TIP));
        credit(postings, handle, businessId, AccountKind.TAX, sum(lines, Invoices.LineKind.TAX));
        final List<Invoices.Allocation> paidOff = request.payOffMinor() > 0
                ? invoices.allocateOldestFirst(
                        handle, businessId, client.orElseThrow().id(), request.payOffMinor())
                : List.of();
        paidOff.forEach(allocation -> postings.add(
                PostingRequest.credit(client.orElseThrow().receivable().id(), allocation.amountMinor())
                        .onInvoice(allocation.invoiceId())));
        if (overpaid > 0) {
            postings.add(
                    PostingRequest.credit(client.orElseThrow().openPayments().id(), overpaid));
        }

        issue(handle, businessId, invoiceId, lines, request.payOffMinor());
        final String summary = String.join(
                ", ", lines.stream().map(Invoices.Line::description).distinct().toList());
        final PostedEntry entry = ledger.post(
                handle,
                new EntryRequest(
                                businessId,
                                "checkout",
                                Optional.of(memo("Checkout, invoice " + invoiceId + ": " + summary)),
                                actor,
                                client.map(Clients.Client::id),
                                Optional.empty(),
                                postings)
                        .aboutInvoice(invoiceId));
        grants.record(handle, businessId, entry.id(), takes);
        recordPayments(handle, businessId, invoiceId, entry.id(), request.tenders());
        return new Result(
                invoices.find(handle, businessId, invoiceId).orElseThrow(),
                entry.id(),
                request.tenders().stream().mapToLong(Payment::changeMinor).sum(),
                overpaid,
                paidOff,
                client.map(found -> clients.find(handle, businessId, found.id()).orElseThrow()));
    }

    /**
     * Voids an invoice that nothing has paid: a draft at once; an issued one by reversing the entry
     * that charged it (nothing is edited or deleted). An invoice with payments on it is refused:
     * refund them first.
     */
    public Invoices.Invoice voidInvoice(Handle handle, long businessId, long invoiceId, Actor actor) {
        final Invoices.Invoice invoice = lock(handle, businessId, invoiceId);
        if (invoice.status() == Invoices.Status.VOID) {
            throw new Problem(Problem.Kind.CONFLICT, "invoiceId", "Invoice " + invoiceId + " is already void");
        }
        if (invoice.status() != Invoices.Status.DRAFT) {
            // The one entry that charged it, if that is all that ever moved it.
            final Optional<Long> charged = handle.createQuery("""
                    select e.id from journal_entries e
                    where e.business_id = :business_id and e.invoice_id = :invoice_id and e.reverses_entry_id is null
                      and not exists (select 1 from invoice_payments p
                                      where p.business_id = e.business_id and p.invoice_id = :invoice_id)
                      and not exists (select 1 from postings p
                                      where p.business_id = e.business_id and p.entry_id = e.id
                                        and p.invoice_id is not null and p.invoice_id <> :invoice_id)
                    order by e.id
                    limit 1
                    """)
                    .bind("business_id", businessId)
                    .bind("invoice_id", invoiceId)
                    .mapTo(Long.class)
                    .findOne()
                    .filter(entry -> invoice.unpaidMinor() == invoice.totalMinor());
            if (charged.isEmpty()) {
                throw new Problem(
                        Problem.Kind.CONFLICT,
                        "invoiceId",
                        "Invoice " + invoiceId + " has payments on it; refund them before voiding it");
            }
            ledger.reverse(
                    handle,
                    businessId,
                    charged.get(),
                    actor,
                    Optional.of("Void of invoice " + invoiceId),
                    Optional.empty());
        }
        handle.createUpdate("""
                update invoices set voided_at = clock_timestamp(), issued_at = coalesce(issued_at, clock_timestamp())
                where business_id = :business_id and id = :id
                """)
                .bind("business_id", businessId)
                .bind("id", invoiceId)
                .execute();
        return invoices.find(handle, businessId, invoiceId).orElseThrow();
    }

    /** Amounts in messages as the business's people read them: "$45.00". */
    private static java.util.function.LongFunction<String> shown(Handle handle, long businessId) {
        return handle.createQuery("select currency, locale from businesses where id = :id")
                .bind("id", businessId)
                .map((rs, ctx) -> {
                    final java.util.Currency currency = java.util.Currency.getInstance(rs.getString("currency"));
                    final java.util.Locale locale = java.util.Locale.forLanguageTag(rs.getString("locale"));
                    return (java.util.function.LongFunction<String>)
                            amount -> new dev.settle.money.Money(amount, currency).format(locale);
                })
                .one();
    }

    /** The invoice, locked: a second checkout or void of it waits, then finds what the first did. */
    private Invoices.Invoice lock(Handle handle, long businessId, long invoiceId) {
        final boolean exists = handle.createQuery(
                        "select 1 from invoices where business_id = :business_id and id = :id for update")
                .bind("business_id", businessId)
                .bind("id", invoiceId)
                .mapTo(Integer.class)
                .findOne()
                .isPresent();
        if (!exists) {
            throw Problem.notFound("invoiceId", "no invoice has id " + invoiceId);
        }
        return invoices.find(handle, businessId, invoiceId).orElseThrow();
    }

    /** The draft, locked so a second checkout of it waits, then finds it checked out. */
    private Invoices.Invoice lockDraft(Handle handle, long businessId, long invoiceId) {
        final Invoices.Invoice invoice = lock(handle, businessId, invoiceId);
        if (invoice.status() != Invoices.Status.DRAFT) {
            throw new Problem(
                    Problem.Kind.CONFLICT,
                    "invoiceId",
                    "Invoice " + invoiceId + " is " + invoice.status().label.toLowerCase(java.util.Locale.ROOT)
                            + ": it was already checked out");
        }
        return invoice;
    }

    private static void refuseWithoutClient(Optional<Clients.Client> client, Request request) {
        if (client.isPresent()) {
            return;
        }
        if (request.payOffMinor() > 0) {
            throw Problem.validation("payOffMinor", "A walk-in sale has no balance due to pay off");
        }
        if (request.payLaterMinor() > 0) {
            throw Problem.validation("payLaterMinor", "Pay later needs a client: a walk-in sale is paid in full");
        }
        for (int index = 0; index < request.tenders().size(); index++) {
            final Tender tender = request.tenders().get(index).tender();
            if (tender == Tender.CREDIT || tender == Tender.OPEN_PAYMENT) {
                throw Problem.validation(
                        "tenders[" + index + "].tender", "A walk-in sale has no credits or open payments");
            }
        }
    }

    /** Every account a checkout may move, locked in id order before anything is read. */
    private List<Long> accountsToLock(Handle handle, long businessId, Optional<Clients.Client> client) {
        final Set<Long> accounts = new LinkedHashSet<>();
        for (AccountKind kind : List.of(
                AccountKind.CASH,
                AccountKind.CHECK,
                AccountKind.CARD,
                AccountKind.EXTERNAL,
                AccountKind.SALES,
                AccountKind.TIPS,
                AccountKind.TAX)) {
            accounts.add(businesses.accountId(handle, businessId, kind));
        }
        client.ifPresent(found -> households.of(handle, found).members().forEach(member -> {
            accounts.add(member.receivable().id());
            accounts.add(member.openPayments().id());
            accounts.add(member.credits().id());
        }));
        return List.copyOf(accounts);
    }

    private void credit(
            List<PostingRequest> postings, Handle handle, long businessId, AccountKind kind, long amountMinor) {
        if (amountMinor != 0) {
            postings.add(new PostingRequest(businesses.accountId(handle, businessId, kind), -amountMinor));
        }
    }

    private static long sum(List<Invoices.Line> lines, Invoices.LineKind... kinds) {
        final List<Invoices.LineKind> wanted = List.of(kinds);
        return lines.stream()
                .filter(line -> wanted.contains(line.kind()))
                .mapToLong(Invoices.Line::amountMinor)
                .reduce(0, Math::addExact);
    }

    /** Marks the draft issued with its final total, adding the pay-off line if there is one. */
    private void issue(Handle handle, long businessId, long invoiceId, List<Invoices.Line> lines, long payOffMinor) {
        if (payOffMinor > 0) {
            invoices.addLines(handle, businessId, invoiceId, lines.size(), List.of(lines.getLast()));
        }
        handle.createUpdate("""
                update invoices
                set issued_at = coalesce(nullif(current_setting('settle.effective_at', true), '')::timestamptz,
                                         clock_timestamp()),
                    total_minor = :total
                where business_id = :business_id and id = :id
                """)
                .bind(
                        "total",
                        lines.stream().mapToLong(Invoices.Line::amountMinor).reduce(0, Math::addExact))
                .bind("business_id", businessId)
                .bind("id", invoiceId)
                .execute();
    }

    private static void recordPayments(
            Handle handle, long businessId, long invoiceId, long entryId, List<Payment> tenders) {
        final var batch = handle.prepareBatch("""
                insert into invoice_payments (business_id, invoice_id, entry_id, tender, amount_minor, tendered_minor,
                                              change_minor, reference, card_last4)
                values (:business_id, :invoice_id, :entry_id, :tender, :amount, :tendered, :change, :reference, :last4)
                """);
        for (Payment payment : tenders) {
            batch.bind("business_id", businessId)
                    .bind("invoice_id", invoiceId)
                    .bind("entry_id", entryId)
                    .bind("tender", payment.tender().dbName)
                    .bind("amount", payment.amountMinor())
                    .bind("tendered", payment.tenderedMinor().orElse(null))
                    .bind("change", payment.changeMinor())
                    .bind("reference", payment.reference().orElse(null))
                    .bind("last4", payment.cardLast4().orElse(null))
                    .add();
        }
        if (!tenders.isEmpty()) {
            batch.execute();
        }
    }

    private static String memo(String text) {
        return text.length() > EntryRequest.MEMO_LENGTH_MAX ? text.substring(0, EntryRequest.MEMO_LENGTH_MAX) : text;
    }
}

package dev.settle.invoices;

import dev.settle.Problem;
import dev.settle.business.BusinessSettings;
import dev.settle.business.Businesses;
import dev.settle.business.TextInput;
import dev.settle.clients.ClientMoney;
import dev.settle.clients.Clients;
import dev.settle.clients.CreditGrants;
import dev.settle.clients.Households;
import dev.settle.giftcards.GiftCards;
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
        OPEN_PAYMENT("open_payment", Optional.empty()),
        GIFT_CARD("gift_card", Optional.empty());

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
                            field, "tender must be cash, check, card, external, credit, open_payment or gift_card"));
        }
    }

    /** One tender of a checkout: how much it pays, and for cash what was handed over. */
    public record Payment(
            Tender tender,
            long amountMinor,
            Optional<Long> tenderedMinor,
            Optional<String> reference,
            Optional<String> cardLast4,
            Optional<String> giftCardCode) {

        public static Payment of(
                String tender,
                Long amountMinor,
                Long tenderedMinor,
                String reference,
                String cardLast4,
                String giftCardCode,
                String field) {
            final Tender parsed = Tender.parse(tender, field + ".tender");
            final boolean codeGiven = giftCardCode != null && !giftCardCode.isBlank();
            if (codeGiven != (parsed == Tender.GIFT_CARD)) {
                throw Problem.validation(
                        field + ".code",
                        codeGiven ? "A code is given with a gift card only" : "Enter the gift card's code");
            }
            final Optional<String> code =
                    codeGiven ? dev.settle.giftcards.GiftCardCodes.normalize(giftCardCode) : Optional.empty();
            if (codeGiven && code.isEmpty()) {
                throw Problem.validation(
                        field + ".code", "A gift card code is 16 letters and digits, as printed on the card");
            }
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
            return new Payment(parsed, amountMinor, Optional.ofNullable(tenderedMinor), checkedReference, last4, code);
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
            Invoices.Detail invoice,
            long entryId,
            long changeMinor,
            long keptAsOpenPaymentMinor,
            List<Invoices.Allocation> paidOff,
            Optional<Clients.Client> client,
            List<GiftCards.Issued> giftCardsSold) {}

    private final Ledger ledger;
    private final Clients clients;
    private final Businesses businesses;
    private final Invoices invoices;
    private final ClientMoney money;
    private final Households households;
    private final CreditGrants grants = new CreditGrants();
    private final GiftCards giftCards;
    private final BusinessSettings settings;

    public Checkouts(
            Ledger ledger,
            Clients clients,
            Businesses businesses,
            Invoices invoices,
            ClientMoney money,
            GiftCards giftCards) {
        this.ledger = ledger;
        this.giftCards = giftCards;
        this.clients = clients;
        this.businesses = businesses;
        this.invoices = invoices;
        this.money = money;
        this.households = new Households(clients);
        this.settings = new BusinessSettings();
    }

    /** A draft invoice: lines for a client (or a walk-in), nothing charged until checkout. */
    public Invoices.Detail draft(
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
        for (int index = 0; index < lines.size(); index++) {
            if (lines.get(index).kind() == Invoices.LineKind.GIFT_CARD) {
                giftCards.checkSale(handle, businessId, lines.get(index).unitMinor(), "lines[" + index + "].unitMinor");
            }
        }
        final TaxRates rates = settings.find(handle, businessId).taxRates();
        final List<Invoices.Line> taxed = new ArrayList<>(lines);
        if (rates.any()) {
            for (int index = 0; index < lines.size(); index++) {
                if (lines.get(index).kind() == Invoices.LineKind.TAX) {
                    throw Problem.validation(
                            "lines[" + index + "].kind",
                            "Tax is added from the rates in Settings; leave tax lines out");
                }
            }
            taxed.addAll(rates.linesFor(lines));
        }
        return invoices.detail(handle, businessId, invoices.draft(handle, businessId, clientId, taxed, actor))
                .orElseThrow();
    }

    /**
     * Settles a draft invoice in one entry. Refused whole, with nothing written, if anything does
     * not add up; of two checkouts of one invoice at once, exactly one wins.
     */
    public Result checkout(Handle handle, long businessId, long invoiceId, Request request, Actor actor) {
        final Invoices.Detail draft = lockDraft(handle, businessId, invoiceId);
        final java.util.function.LongFunction<String> shown = shown(handle, businessId);
        // The client with their household: whose funds may pay, and whose accounts to lock.
        Optional<Households.Household> household =
                draft.invoice().clientId().map(id -> activeHousehold(handle, businessId, id));
        refuseWithoutClient(household, request);
        final java.util.Map<Integer, GiftCards.Card> cardsByTender = cardsByTender(handle, businessId, request);
        final List<Long> toLock = new ArrayList<>(accountsToLock(handle, businessId, household));
        cardsByTender.values().forEach(card -> toLock.add(card.accountId()));
        if (ledger.lock(handle, businessId, toLock)) {
            // read before the lock: another write may have moved their money since
            household = household.map(read -> activeHousehold(
                    handle, businessId, read.members().getFirst().id()));
        }
        final Optional<Clients.Client> client =
                household.map(read -> read.members().getFirst());
        final List<Invoices.Line> lines = new ArrayList<>(draft.lines());
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
        if (overpaid > 0 && !cardsByTender.isEmpty()) {
            throw Problem.validation(
                    "tenders",
                    "A gift card gives only what the ticket needs: take " + shown.apply(overpaid) + " less from it");
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
        if (lines.stream().anyMatch(line -> line.kind() == Invoices.LineKind.GIFT_CARD)) {
            refuseNonMoneyForGiftCards(request, lines);
        }
        final java.util.Map<Long, Long> fromCards = new java.util.TreeMap<>();
        cardsByTender.forEach((index, card) ->
                fromCards.merge(card.id(), request.tenders().get(index).amountMinor(), Math::addExact));
        for (var taken : fromCards.entrySet()) {
            final GiftCards.Card card = giftCards.spendable(
                    handle, giftCards.require(handle, businessId, taken.getKey()), taken.getValue(), "tenders");
            postings.add(PostingRequest.debit(card.accountId(), taken.getValue()));
        }
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
        // Each gift card sold on the ticket is made now, its value a liability until redeemed.
        final List<GiftCards.Issued> sold = new ArrayList<>();
        for (Invoices.Line line : lines) {
            if (line.kind() == Invoices.LineKind.GIFT_CARD) {
                for (int count = 0; count < line.quantity(); count++) {
                    final GiftCards.Issued issued = giftCards.create(
                            handle,
                            businessId,
                            line.unitMinor(),
                            Optional.of(invoiceId),
                            Optional.empty(),
                            Optional.empty(),
                            actor);
                    sold.add(issued);
                    postings.add(PostingRequest.credit(issued.card().accountId(), line.unitMinor()));
                }
            }
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
        recordPayments(handle, businessId, invoiceId, entry.id(), request.tenders(), cardsByTender);
        return new Result(
                invoices.detail(handle, businessId, invoiceId).orElseThrow(),
                entry.id(),
                request.tenders().stream().mapToLong(Payment::changeMinor).sum(),
                overpaid,
                paidOff,
                client.map(found -> found.after(entry)),
                sold.stream()
                        .map(issued -> new GiftCards.Issued(
                                giftCards.require(
                                        handle, businessId, issued.card().id()),
                                issued.code()))
                        .toList());
    }

    /** Gift cards one ticket may sell: each is a card, an account and a row written in the checkout. */
    static final int GIFT_CARDS_PER_TICKET_MAX = 20;

    /**
     * A gift card is bought with money: its value can come back as money when it is voided, so
     * credit, another gift card or pay later cannot pay for it (they would turn into cash).
     */
    private static void refuseNonMoneyForGiftCards(Request request, List<Invoices.Line> lines) {
        if (lines.stream()
                        .filter(line -> line.kind() == Invoices.LineKind.GIFT_CARD)
                        .mapToInt(Invoices.Line::quantity)
                        .sum()
                > GIFT_CARDS_PER_TICKET_MAX) {
            throw Problem.validation("lines", "A ticket sells at most " + GIFT_CARDS_PER_TICKET_MAX + " gift cards");
        }
        if (request.payLaterMinor() > 0) {
            throw Problem.validation("payLaterMinor", "A ticket that sells gift cards is paid in full, not later");
        }
        for (int index = 0; index < request.tenders().size(); index++) {
            final Tender tender = request.tenders().get(index).tender();
            if (tender == Tender.CREDIT || tender == Tender.GIFT_CARD) {
                throw Problem.validation(
                        "tenders[" + index + "].tender",
                        "Gift cards are bought with money: not with client credit or another gift card");
            }
        }
    }

    /** The business's card for each gift card tender, by the tender's index; a code not found is refused. */
    private java.util.Map<Integer, GiftCards.Card> cardsByTender(Handle handle, long businessId, Request request) {
        final java.util.Map<Integer, GiftCards.Card> cards = new java.util.TreeMap<>();
        for (int index = 0; index < request.tenders().size(); index++) {
            final Payment payment = request.tenders().get(index);
            if (payment.tender() == Tender.GIFT_CARD) {
                final int at = index;
                cards.put(
                        index,
                        giftCards
                                .byCode(
                                        handle,
                                        businessId,
                                        payment.giftCardCode().orElseThrow())
                                .orElseThrow(() -> Problem.validation(
                                        "tenders[" + at + "].code", "No gift card here has that code")));
            }
        }
        return cards;
    }

    /**
     * Voids an invoice that nothing has paid: a draft at once; an issued one by reversing the entry
     * that charged it (nothing is edited or deleted). An invoice with payments on it is refused:
     * refund them first.
     */
    public Invoices.Invoice voidInvoice(Handle handle, long businessId, long invoiceId, Actor actor) {
        // A draft moves no account: its row alone is locked, first, as a checkout of it locks it.
        final boolean draft = invoices.find(handle, businessId, invoiceId)
                        .orElseThrow(() -> Problem.notFound("invoiceId", "no invoice has id " + invoiceId))
                        .status()
                == Invoices.Status.DRAFT;
        final Invoices.Invoice invoice =
                draft ? lock(handle, businessId, invoiceId) : lockAccountsThen(handle, businessId, invoiceId);
        if (draft && invoice.status() != Invoices.Status.DRAFT) {
            throw new Problem(
                    Problem.Kind.CONFLICT,
                    "invoiceId",
                    "Invoice " + invoiceId + " was checked out meanwhile: try again");
        }
        if (invoice.status() == Invoices.Status.VOID) {
            throw new Problem(Problem.Kind.CONFLICT, "invoiceId", "Invoice " + invoiceId + " is already void");
        }
        if (invoice.status() != Invoices.Status.DRAFT) {
            final List<Invoices.Line> lines = invoices.lines(handle, businessId, invoiceId);
            final boolean paymentsLeft = invoices.payments(handle, businessId, invoiceId).stream()
                    .anyMatch(payment -> payment.refundableMinor() > 0);
            if (invoice.clientId().isEmpty() || paymentsLeft || invoice.unpaidMinor() != invoice.totalMinor()) {
                throw new Problem(
                        Problem.Kind.CONFLICT,
                        "invoiceId",
                        invoice.clientId().isEmpty()
                                ? "Invoice " + invoiceId
                                        + " was a walk-in sale, paid in full: refund its payments instead"
                                : "Invoice " + invoiceId
                                        + " has payments or funds on it; refund them before voiding it");
            }
            if (lines.stream().anyMatch(line -> line.kind() == Invoices.LineKind.GIFT_CARD)) {
                throw new Problem(
                        Problem.Kind.CONFLICT,
                        "invoiceId",
                        "Invoice " + invoiceId
                                + " sold gift cards: void each card instead (what it holds goes back to the buyer)");
            }
            // The mirror of what charged it: its lines come off the income they went to, and off the
            // client's balance due (the one entry that voids it; nothing is edited or deleted). What
            // the ticket paid towards older invoices, they owe again.
            final long receivable = clients.require(
                            handle, businessId, invoice.clientId().get())
                    .receivable()
                    .id();
            final List<PostingRequest> postings = new ArrayList<>();
            postings.add(PostingRequest.credit(receivable, invoice.totalMinor()).onInvoice(invoiceId));
            for (Invoices.Allocation paidOff : paidOff(handle, businessId, invoiceId)) {
                if (invoices.find(handle, businessId, paidOff.invoiceId())
                        .orElseThrow()
                        .voidedAt()
                        .isPresent()) {
                    throw new Problem(
                            Problem.Kind.CONFLICT,
                            "invoiceId",
                            "Invoice " + invoiceId + " paid towards invoice " + paidOff.invoiceId()
                                    + ", which is void now; move that payment before voiding this one");
                }
                if (invoices.find(handle, businessId, paidOff.invoiceId())
                                .orElseThrow()
                                .paidMinor()
                        < paidOff.amountMinor()) {
                    throw new Problem(
                            Problem.Kind.CONFLICT,
                            "invoiceId",
                            "What invoice " + invoiceId + " paid towards invoice " + paidOff.invoiceId()
                                    + " was moved or refunded since; it cannot be voided");
                }
                postings.add(
                        PostingRequest.debit(receivable, paidOff.amountMinor()).onInvoice(paidOff.invoiceId()));
            }
            debit(
                    postings,
                    handle,
                    businessId,
                    AccountKind.SALES,
                    sum(lines, Invoices.LineKind.SERVICE, Invoices.LineKind.PRODUCT, Invoices.LineKind.DISCOUNT));
            debit(postings, handle, businessId, AccountKind.TIPS, sum(lines, Invoices.LineKind.TIP));
            debit(postings, handle, businessId, AccountKind.TAX, sum(lines, Invoices.LineKind.TAX));
            debit(postings, handle, businessId, AccountKind.ADJUSTMENTS, sum(lines, Invoices.LineKind.CHARGE));
            ledger.post(
                    handle,
                    new EntryRequest(
                                    businessId,
                                    "invoice_void",
                                    Optional.of("Void of invoice " + invoiceId),
                                    actor,
                                    invoice.clientId(),
                                    Optional.empty(),
                                    postings)
                            .aboutInvoice(invoiceId));
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

    /**
     * Moves {@code amountMinor} of what was paid on one invoice to another open invoice of the same
     * client, in one entry, without voiding either: the first owes that much again, the second that
     * much less.
     */
    public Invoices.Invoice moveFunds(
            Handle handle, long businessId, long fromInvoiceId, long toInvoiceId, long amountMinor, Actor actor) {
        ClientMoney.checkAmount(amountMinor);
        if (fromInvoiceId == toInvoiceId) {
            throw Problem.validation("toInvoiceId", "Choose another invoice to move the payment to");
        }
        final Invoices.Invoice from = lockAccountsThen(handle, businessId, fromInvoiceId);
        final Invoices.Invoice to = invoices.find(handle, businessId, toInvoiceId)
                .filter(found ->
                        found.clientId().isPresent() && found.clientId().equals(from.clientId()))
                .orElseThrow(() -> Problem.validation(
                        "toInvoiceId", "Choose another invoice of the same client; " + toInvoiceId + " is not one"));
        final java.util.function.LongFunction<String> shown = shown(handle, businessId);
        if (to.status() != Invoices.Status.OPEN) {
            throw new Problem(
                    Problem.Kind.CONFLICT,
                    "toInvoiceId",
                    "Invoice " + toInvoiceId + " is " + to.status().label.toLowerCase(java.util.Locale.ROOT)
                            + ": only an open invoice can take a payment");
        }
        if (from.status() == Invoices.Status.VOID || amountMinor > from.paidMinor()) {
            throw Problem.validation(
                    "amountMinor",
                    "Only " + shown.apply(Math.max(0, from.paidMinor())) + " is paid on invoice " + fromInvoiceId);
        }
        if (amountMinor > to.unpaidMinor()) {
            throw new Problem(
                    Problem.Kind.OVERPAID,
                    "amountMinor",
                    "Invoice " + toInvoiceId + " has only " + shown.apply(to.unpaidMinor()) + " unpaid");
        }
        final long receivable = clients.require(
                        handle, businessId, from.clientId().orElseThrow())
                .receivable()
                .id();
        ledger.post(
                handle,
                new EntryRequest(
                                businessId,
                                "funds_moved",
                                Optional.of("Moved " + shown.apply(amountMinor) + " paid on invoice " + fromInvoiceId
                                        + " to invoice " + toInvoiceId),
                                actor,
                                from.clientId(),
                                Optional.empty(),
                                List.of(
                                        PostingRequest.debit(receivable, amountMinor)
                                                .onInvoice(fromInvoiceId),
                                        PostingRequest.credit(receivable, amountMinor)
                                                .onInvoice(toInvoiceId)))
                        .aboutInvoice(fromInvoiceId));
        return invoices.find(handle, businessId, fromInvoiceId).orElseThrow();
    }

    /** Where a refunded payment goes. */
    public enum RefundTo {
        TENDER("tender"),
        OPEN_PAYMENT("open_payment"),
        CREDIT("credit");

        public final String dbName;

        RefundTo(String dbName) {
            this.dbName = dbName;
        }

        public static RefundTo parse(String text, String field) {
            return Arrays.stream(values())
                    .filter(to -> to.dbName.equals(text))
                    .findFirst()
                    .orElseThrow(() -> Problem.validation(field, "to must be tender, open_payment or credit"));
        }
    }

    /** What a refund did: its entry, the invoice and the client after it. */
    public record Refund(long entryId, Invoices.Invoice invoice, Optional<Clients.Client> client) {}

    /**
     * Gives back some or all of a payment, by a reversing entry: a client's invoice owes that much
     * again (void it, or let it be paid another way), and the money goes back to the tender it came
     * by, or stays with the client as an open payment or a credit; a walk-in sale's payment goes back
     * to its tender as a return of the sale. Never more than is left of the payment.
     */
    public Refund refund(
            Handle handle, long businessId, long paymentId, Optional<Long> amountMinor, RefundTo to, Actor actor) {
        final long invoiceId = invoiceOfPayment(handle, businessId, paymentId);
        // A gift card payment goes back onto its card: that account is locked with the others.
        final Optional<GiftCards.Card> card = invoices.payments(handle, businessId, invoiceId).stream()
                .filter(candidate -> candidate.id() == paymentId)
                .findFirst()
                .flatMap(Invoices.Payment::giftCardId)
                .map(cardId -> giftCards.require(handle, businessId, cardId));
        lockAccountsThen(
                handle,
                businessId,
                invoiceId,
                card.map(GiftCards.Card::accountId).stream().toList());
        final Invoices.Payment payment =
                invoices.paymentForUpdate(handle, businessId, paymentId).orElseThrow();
        final Invoices.Invoice invoice =
                invoices.find(handle, businessId, invoiceId).orElseThrow();
        final long amount = amountMinor.orElse(payment.refundableMinor());
        ClientMoney.checkAmount(amount);
        final java.util.function.LongFunction<String> shown = shown(handle, businessId);
        if (amount > payment.refundableMinor()) {
            throw new Problem(
                    Problem.Kind.INSUFFICIENT_FUNDS,
                    "amountMinor",
                    "Only " + shown.apply(payment.refundableMinor()) + " of this payment is left to refund");
        }
        final Optional<Clients.Client> client = invoice.clientId().map(id -> money.active(handle, businessId, id));
        if (client.isEmpty()) {
            // A walk-in refund is a return of the sale; gift cards it sold are returned by voiding
            // them (what they hold goes back to the buyer), never by refunding their price here.
            final long cards = sum(invoices.lines(handle, businessId, invoiceId), Invoices.LineKind.GIFT_CARD);
            final long refundedSoFar = invoices.payments(handle, businessId, invoiceId).stream()
                    .mapToLong(Invoices.Payment::refundedMinor)
                    .sum();
            final long returnable = invoice.totalMinor() - cards - refundedSoFar;
            if (amount > returnable) {
                throw new Problem(
                        Problem.Kind.CONFLICT,
                        "amountMinor",
                        returnable <= 0
                                ? "What is left of this sale is gift cards: void the cards to give their value back"
                                : "Only " + shown.apply(returnable)
                                        + " of this sale can be refunded; void its gift cards to return those");
            }
        }
        if (client.isEmpty() && to != RefundTo.TENDER) {
            throw Problem.validation("to", "A walk-in sale's payment goes back the way it came");
        }
        final Tender tender = Tender.parse(payment.tender(), "tender");
        if (tender == Tender.CREDIT && to == RefundTo.OPEN_PAYMENT) {
            throw Problem.validation("to", "A payment made with credit goes back as credit, never as money");
        }
        final List<PostingRequest> postings = new ArrayList<>();
        postings.add(
                client.isPresent()
                        ? PostingRequest.debit(client.get().receivable().id(), amount)
                                .onInvoice(invoiceId)
                        : PostingRequest.debit(businesses.accountId(handle, businessId, AccountKind.SALES), amount));
        final RefundTo landing = to == RefundTo.TENDER && tender == Tender.CREDIT
                ? RefundTo.CREDIT
                : to == RefundTo.TENDER && tender == Tender.OPEN_PAYMENT ? RefundTo.OPEN_PAYMENT : to;
        if (landing == RefundTo.TENDER
                && card.isPresent()
                && giftCards
                        .require(handle, businessId, card.get().id())
                        .voidedAt()
                        .isPresent()) {
            throw Problem.validation(
                    "to", card.get().label() + " is void: refund to an open payment or a credit instead");
        }
        postings.add(PostingRequest.credit(
                switch (landing) {
                    case TENDER ->
                        card.map(GiftCards.Card::accountId)
                                .orElseGet(
                                        () -> businesses.accountId(handle, businessId, tender.clearing.orElseThrow()));
                    case OPEN_PAYMENT -> client.orElseThrow().openPayments().id();
                    case CREDIT -> client.orElseThrow().credits().id();
                },
                amount));
        final String where = switch (landing) {
            case TENDER -> "back to " + payment.label();
            case OPEN_PAYMENT -> "kept as an open payment";
            case CREDIT -> "kept as a credit";
        };
        final PostedEntry entry = ledger.post(
                handle,
                new EntryRequest(
                                businessId,
                                "payment_refund",
                                Optional.of(memo(
                                        "Refund of " + payment.label() + " on invoice " + invoiceId + ", " + where)),
                                actor,
                                client.map(Clients.Client::id),
                                Optional.empty(),
                                postings)
                        .aboutInvoice(invoiceId));
        if (landing == RefundTo.CREDIT) {
            grants.grant(handle, businessId, client.orElseThrow().id(), entry.id(), amount, Optional.empty());
        }
        invoices.refunded(handle, businessId, paymentId, amount);
        return new Refund(
                entry.id(),
                invoices.find(handle, businessId, invoiceId).orElseThrow(),
                client.map(found -> clients.find(handle, businessId, found.id()).orElseThrow()));
    }

    private static long invoiceOfPayment(Handle handle, long businessId, long paymentId) {
        return handle.createQuery(
                        "select invoice_id from invoice_payments where business_id = :business_id and id = :id")
                .bind("business_id", businessId)
                .bind("id", paymentId)
                .mapTo(Long.class)
                .findOne()
                .orElseThrow(() -> Problem.notFound("paymentId", "no payment has id " + paymentId));
    }

    /**
     * Amounts in messages as the business's people read them: "$45.00". Only refusals use it, so the
     * business's currency and locale are read when the first amount is shown, not on every checkout.
     */
    private static java.util.function.LongFunction<String> shown(Handle handle, long businessId) {
        final java.util.concurrent.atomic.AtomicReference<java.util.function.LongFunction<String>> format =
                new java.util.concurrent.atomic.AtomicReference<>();
        return amount -> format.updateAndGet(loaded -> loaded != null ? loaded : moneyFormat(handle, businessId))
                .apply(amount);
    }

    private static java.util.function.LongFunction<String> moneyFormat(Handle handle, long businessId) {
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

    /**
     * Locks every account a void or refund of this invoice may move, then the invoice: accounts
     * before invoice rows, the order a payment takes them in (it updates the invoice while posting),
     * so the two cannot deadlock.
     */
    private Invoices.Invoice lockAccountsThen(Handle handle, long businessId, long invoiceId) {
        return lockAccountsThen(handle, businessId, invoiceId, List.of());
    }

    private Invoices.Invoice lockAccountsThen(Handle handle, long businessId, long invoiceId, List<Long> alsoLock) {
        final Invoices.Invoice unlocked = invoices.find(handle, businessId, invoiceId)
                .orElseThrow(() -> Problem.notFound("invoiceId", "no invoice has id " + invoiceId));
        final List<Long> accounts = new ArrayList<>(accountsToLock(
                handle,
                businessId,
                unlocked.clientId()
                        .map(id -> households.current(handle, businessId, id).orElseThrow())));
        accounts.addAll(alsoLock);
        ledger.lock(handle, businessId, accounts);
        return lock(handle, businessId, invoiceId);
    }

    /** The invoice, locked: a second checkout or void of it waits, then finds what the first did. */
    private Invoices.Invoice lock(Handle handle, long businessId, long invoiceId) {
        return invoices.findForUpdate(handle, businessId, invoiceId)
                .orElseThrow(() -> Problem.notFound("invoiceId", "no invoice has id " + invoiceId));
    }

    /** What a ticket's checkout paid towards the client's older invoices, by invoice. */
    private static List<Invoices.Allocation> paidOff(Handle handle, long businessId, long invoiceId) {
        return handle.createQuery("""
                select p.invoice_id, -sum(p.amount_minor) as amount_minor
                from journal_entries e
                join postings p on p.business_id = e.business_id and p.entry_id = e.id
                where e.business_id = :business_id and e.invoice_id = :invoice_id and e.kind = 'checkout'
                  and p.invoice_id <> :invoice_id
                group by p.invoice_id
                order by p.invoice_id
                """)
                .bind("business_id", businessId)
                .bind("invoice_id", invoiceId)
                .map((rs, ctx) -> new Invoices.Allocation(rs.getLong("invoice_id"), rs.getLong("amount_minor")))
                .list();
    }

    /** The draft, locked so a second checkout of it waits, then finds it checked out. */
    private Invoices.Detail lockDraft(Handle handle, long businessId, long invoiceId) {
        final Invoices.Detail draft = invoices.detailForUpdate(handle, businessId, invoiceId)
                .orElseThrow(() -> Problem.notFound("invoiceId", "no invoice has id " + invoiceId));
        final Invoices.Invoice invoice = draft.invoice();
        if (invoice.status() != Invoices.Status.DRAFT) {
            throw new Problem(
                    Problem.Kind.CONFLICT,
                    "invoiceId",
                    "Invoice " + invoiceId + " is " + invoice.status().label.toLowerCase(java.util.Locale.ROOT)
                            + ": it was already checked out");
        }
        return draft;
    }

    /** The client with their household, read now; refused if there is no such client or they are archived. */
    private Households.Household activeHousehold(Handle handle, long businessId, long clientId) {
        final Households.Household household = households
                .current(handle, businessId, clientId)
                .orElseThrow(() -> Problem.notFound("clientId", "No client has id " + clientId));
        ClientMoney.active(household.members().getFirst());
        return household;
    }

    private static void refuseWithoutClient(Optional<Households.Household> household, Request request) {
        if (household.isPresent()) {
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
    private List<Long> accountsToLock(Handle handle, long businessId, Optional<Households.Household> household) {
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
        household.ifPresent(found -> found.members().forEach(member -> {
            accounts.add(member.receivable().id());
            accounts.add(member.openPayments().id());
            accounts.add(member.credits().id());
        }));
        return List.copyOf(accounts);
    }

    /**
     * The accounts a checkout of this invoice may lock: the business's own (tenders, income,
     * promotions), known to this instance once read, and those of the invoice's client and their
     * household, member by member: an "or" of the two sets read every account of the business, or
     * of every business, whatever the planner knew, and an "or" of the client and their household
     * read every client of the business where it guessed businesses small.
     */
    public List<Long> accountsItMayLock(Handle handle, long businessId, long invoiceId) {
        final List<Long> accountIds = new ArrayList<>();
        for (AccountKind kind : AccountKind.values()) {
            if (kind.scope == AccountKind.Scope.BUSINESS) {
                accountIds.add(businesses.accountId(handle, businessId, kind));
            }
        }
        accountIds.addAll(handle.createQuery("""
                        with client as (
                            select c.id, c.household_id from invoices i
                            cross join lateral (select c.id, c.household_id from clients c
                                                where c.business_id = i.business_id and c.id = i.client_id
                                                offset 0) c
                            where i.business_id = :business_id and i.id = :invoice_id),
                        members as (
                            select client.id from client
                            union
                            select m.id from client
                            cross join lateral (select m.id from clients m
                                                where m.business_id = :business_id
                                                  and m.household_id = client.household_id
                                                offset 0) m)
                        select a.id from members
                        cross join lateral (select a.id from accounts a
                                            where a.business_id = :business_id and a.client_id = members.id
                                            offset 0) a
                        """)
                .bind("business_id", businessId)
                .bind("invoice_id", invoiceId)
                .mapTo(Long.class)
                .list());
        return accountIds;
    }

    private void debit(
            List<PostingRequest> postings, Handle handle, long businessId, AccountKind kind, long amountMinor) {
        credit(postings, handle, businessId, kind, -amountMinor);
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

    private void recordPayments(
            Handle handle,
            long businessId,
            long invoiceId,
            long entryId,
            List<Payment> tenders,
            java.util.Map<Integer, GiftCards.Card> cardsByTender) {
        final List<Invoices.Payment> payments = new ArrayList<>(tenders.size());
        for (int index = 0; index < tenders.size(); index++) {
            final Payment payment = tenders.get(index);
            final Optional<GiftCards.Card> card = Optional.ofNullable(cardsByTender.get(index));
            payments.add(new Invoices.Payment(
                    0,
                    entryId,
                    payment.tender().dbName,
                    payment.amountMinor(),
                    payment.tenderedMinor(),
                    payment.changeMinor(),
                    card.map(GiftCards.Card::last4).or(payment::reference),
                    payment.cardLast4(),
                    0,
                    card.map(GiftCards.Card::id)));
        }
        invoices.recordPayments(handle, businessId, invoiceId, entryId, payments);
    }

    private static String memo(String text) {
        return text.length() > EntryRequest.MEMO_LENGTH_MAX ? text.substring(0, EntryRequest.MEMO_LENGTH_MAX) : text;
    }
}

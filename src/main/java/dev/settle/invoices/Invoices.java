package dev.settle.invoices;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.settle.ledger.Actor;
import dev.settle.web.ClientWords;
import dev.settle.web.Json;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ResourceBundle;
import org.jdbi.v3.core.Handle;

/**
 * Invoices: what a client is charged, line by line, and what is still unpaid on each. The unpaid
 * amount moves only with the ledger (decision 0009): every posting to a client's balance due
 * names one of their invoices, so the balance due is the sum of what is unpaid on them.
 */
public final class Invoices {

    /** What an invoice line is for. */
    public enum LineKind {
        SERVICE("service"),
        PRODUCT("product"),
        GIFT_CARD("gift_card"),
        TIP("tip"),
        DISCOUNT("discount"),
        TAX("tax"),
        BALANCE_PAYMENT("balance_payment"),
        CHARGE("charge");

        public final String dbName;

        LineKind(String dbName) {
            this.dbName = dbName;
        }
    }

    public enum Status {
        DRAFT("Draft"),
        OPEN("Open"),
        PAID("Paid"),
        VOID("Void");

        public final String label;

        Status(String label) {
            this.label = label;
        }
    }

    public record Line(LineKind kind, String description, int quantity, long unitMinor) {
        public long amountMinor() {
            return Math.multiplyExact(quantity, unitMinor);
        }

        /**
         * A line as staff or an API caller gives it: a service, product, tip, tax or discount, the
         * unit price a positive amount (a discount is stored negative). Lines Settle adds itself
         * (paid towards balance due, charges, gift cards) cannot be typed in.
         */
        public static Line typed(String kind, String description, Integer quantity, Long unitMinor, String field) {
            final LineKind parsed = java.util.Arrays.stream(TYPED)
                    .filter(candidate -> candidate.dbName.equals(kind))
                    .findFirst()
                    .orElseThrow(() -> dev.settle.Problem.validation(
                            field + ".kind", "kind must be service, product, gift_card, tip, tax or discount"));
            final String checked =
                    dev.settle.business.TextInput.required(description, field + ".description", "Description", 200);
            final int count = quantity == null ? 1 : quantity;
            if (count < 1 || count > 10_000) {
                throw dev.settle.Problem.validation(field + ".quantity", "quantity must be 1 to 10000");
            }
            if (unitMinor == null || unitMinor <= 0 || unitMinor > UNIT_MINOR_MAX) {
                throw dev.settle.Problem.validation(
                        field + ".unitMinor",
                        "unitMinor must be a whole number of minor units, 1 to " + UNIT_MINOR_MAX);
            }
            return new Line(parsed, checked, count, parsed == LineKind.DISCOUNT ? -unitMinor : unitMinor);
        }
    }

    /** The line kinds people type; the others Settle writes. */
    private static final LineKind[] TYPED = {
        LineKind.SERVICE, LineKind.PRODUCT, LineKind.GIFT_CARD, LineKind.TIP, LineKind.TAX, LineKind.DISCOUNT
    };

    /** One line's unit price at most (a hundred million in a two-decimal currency). */
    public static final long UNIT_MINOR_MAX = 10_000_000_000L;

    /** Lines on one invoice at most (the table allows 200; a checkout adds one of its own). */
    public static final int LINES_MAX = 100;

    public record Invoice(
            long businessId,
            long id,
            Optional<Long> clientId,
            long totalMinor,
            long unpaidMinor,
            Optional<OffsetDateTime> issuedAt,
            Optional<OffsetDateTime> voidedAt,
            String summary) {

        public Status status() {
            if (voidedAt.isPresent()) {
                return Status.VOID;
            }
            if (issuedAt.isEmpty()) {
                return Status.DRAFT;
            }
            return unpaidMinor == 0 ? Status.PAID : Status.OPEN;
        }

        public long paidMinor() {
            return totalMinor - unpaidMinor;
        }
    }

    /** How much of a payment goes to one invoice. */
    public record Allocation(long invoiceId, long amountMinor) {}

    /**
     * Writes an issued invoice with its lines; the caller posts the entry that charges it (until then
     * nothing is unpaid on it). Issued now, or at the date the transaction's entries carry.
     */
    public long issue(Handle handle, long businessId, Optional<Long> clientId, List<Line> lines, Actor actor) {
        return insert(handle, businessId, clientId, lines, actor, true);
    }

    /** Writes a draft: lines that nothing charges yet, for a checkout to settle. */
    public long draft(Handle handle, long businessId, Optional<Long> clientId, List<Line> lines, Actor actor) {
        return insert(handle, businessId, clientId, lines, actor, false);
    }

    private long insert(
            Handle handle, long businessId, Optional<Long> clientId, List<Line> lines, Actor actor, boolean issued) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("an invoice has at least one line");
        }
        final long total = lines.stream().mapToLong(Line::amountMinor).reduce(0, Math::addExact);
        final long invoiceId = handle.createQuery("""
                insert into invoices (business_id, client_id, total_minor, issued_at,
                                      created_by_staff_id, created_by_api_key_id)
                values (:business_id, :client_id, :total,
                        case when :issued then coalesce(nullif(current_setting('settle.effective_at', true), '')::timestamptz,
                                                        clock_timestamp()) end,
                        :staff_id, :api_key_id)
                returning id
                """)
                .bind("business_id", businessId)
                .bind("client_id", clientId.orElse(null))
                .bind("total", total)
                .bind("issued", issued)
                .bind("staff_id", actor.staffUserId().orElse(null))
                .bind("api_key_id", actor.apiKeyId().orElse(null))
                .mapTo(Long.class)
                .one();
        addLines(handle, businessId, invoiceId, 1, lines);
        return invoiceId;
    }

    /** Adds lines numbered from {@code firstLineNo}. */
    void addLines(Handle handle, long businessId, long invoiceId, int firstLineNo, List<Line> lines) {
        final var batch = handle.prepareBatch("""
                insert into invoice_lines (business_id, invoice_id, line_no, kind, description, quantity,
                                           unit_minor, amount_minor)
                values (:business_id, :invoice_id, :line_no, :kind, :description, :quantity, :unit, :amount)
                """);
        for (int index = 0; index < lines.size(); index++) {
            final Line line = lines.get(index);
            batch.bind("business_id", businessId)
                    .bind("invoice_id", invoiceId)
                    .bind("line_no", firstLineNo + index)
                    .bind("kind", line.kind().dbName)
                    .bind("description", line.description())
                    .bind("quantity", line.quantity())
                    .bind("unit", line.unitMinor())
                    .bind("amount", line.amountMinor())
                    .add();
        }
        batch.execute();
    }

    /** One tender that paid an invoice, at checkout or later, and how much of it was given back. */
    public record Payment(
            long id,
            long entryId,
            String tender,
            long amountMinor,
            Optional<Long> tenderedMinor,
            long changeMinor,
            Optional<String> reference,
            Optional<String> cardLast4,
            long refundedMinor,
            Optional<Long> giftCardId) {

        public long refundableMinor() {
            return amountMinor - refundedMinor;
        }

        /** How staff and the portal name it: "Check #1043", "Card ending 4242". */
        public String label() {
            return label(ClientWords.of(Locale.ROOT));
        }

        /** How a receipt in the business's language names it. */
        public String label(ResourceBundle words) {
            return switch (tender) {
                case "cash" -> words.getString("tender.cash");
                case "check" -> ClientWords.format(words, "tender.check", reference.orElse(""));
                case "card" ->
                    cardLast4
                            .map(last4 -> ClientWords.format(words, "tender.card_ending", last4))
                            .orElse(words.getString("tender.card"));
                case "external" -> reference.orElse(words.getString("tender.other"));
                case "credit" -> words.getString("tender.credit");
                case "gift_card" -> ClientWords.format(words, "tender.gift_card", reference.orElse(""));
                default -> words.getString("tender.open_payment");
            };
        }
    }

    /** Records how one tender paid an invoice; the entry that moved the money is already posted. */
    /** Records the tenders that paid an invoice in entry {@code entryId}, in one round trip. */
    public void recordPayments(Handle handle, long businessId, long invoiceId, long entryId, List<Payment> payments) {
        if (payments.isEmpty()) {
            return;
        }
        final var batch = handle.prepareBatch("""
                insert into invoice_payments (business_id, invoice_id, entry_id, tender, amount_minor, tendered_minor,
                                              change_minor, reference, card_last4, gift_card_id)
                values (:business_id, :invoice_id, :entry_id, :tender, :amount, :tendered, :change, :reference, :last4,
                        :gift_card_id)
                """);
        for (Payment payment : payments) {
            batch.bind("business_id", businessId)
                    .bind("invoice_id", invoiceId)
                    .bind("entry_id", entryId)
                    .bind("tender", payment.tender())
                    .bind("amount", payment.amountMinor())
                    .bind("tendered", payment.tenderedMinor().orElse(null))
                    .bind("change", payment.changeMinor())
                    .bind("reference", payment.reference().orElse(null))
                    .bind("last4", payment.cardLast4().orElse(null))
                    .bind("gift_card_id", payment.giftCardId().orElse(null))
                    .add();
        }
        batch.execute();
    }

    public List<Payment> payments(Handle handle, long businessId, long invoiceId) {
        return handle.createQuery(
                        PAYMENTS + "where p.invoice_id = :invoice_id and p.business_id = :business_id order by p.id")
                .bind("business_id", businessId)
                .bind("invoice_id", invoiceId)
                .map(Invoices::payment)
                .list();
    }

    /** The payment, locked until the caller's transaction ends (a refund of it waits its turn). */
    public Optional<Payment> paymentForUpdate(Handle handle, long businessId, long paymentId) {
        return handle.createQuery(PAYMENTS + "where p.business_id = :business_id and p.id = :id for update")
                .bind("business_id", businessId)
                .bind("id", paymentId)
                .map(Invoices::payment)
                .findOne();
    }

    /** Notes {@code amountMinor} more of a payment given back, in the refund's transaction. */
    public void refunded(Handle handle, long businessId, long paymentId, long amountMinor) {
        handle.createUpdate("""
                update invoice_payments set refunded_minor = refunded_minor + :amount
                where business_id = :business_id and id = :id
                """)
                .bind("amount", amountMinor)
                .bind("business_id", businessId)
                .bind("id", paymentId)
                .execute();
    }

    /**
     * A payment as a JSON array, read by {@link #paymentOf(JsonNode)}: one column order for a lone
     * payment, an invoice's payments, and those {@link #detail} aggregates with the invoice.
     */
    private static final String PAYMENT_ARRAY = """
            json_build_array(p.id, p.entry_id, p.tender, p.amount_minor, p.tendered_minor, p.change_minor, p.reference,
                             p.card_last4, p.refunded_minor, p.gift_card_id)""";

    private static final String PAYMENTS = "select " + PAYMENT_ARRAY + " from invoice_payments p ";

    private static Payment paymentOf(JsonNode payment) {
        return new Payment(
                payment.get(0).asLong(),
                payment.get(1).asLong(),
                payment.get(2).asText(),
                payment.get(3).asLong(),
                optionalLong(payment.get(4)),
                payment.get(5).asLong(),
                optionalText(payment.get(6)),
                optionalText(payment.get(7)),
                payment.get(8).asLong(),
                optionalLong(payment.get(9)));
    }

    private static Payment payment(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        return paymentOf(json(rs.getString(1)));
    }

    /** An invoice's lines in order. */
    public List<Line> lines(Handle handle, long businessId, long invoiceId) {
        return handle.createQuery("""
                select kind, description, quantity, unit_minor from invoice_lines
                where business_id = :business_id and invoice_id = :invoice_id
                order by line_no
                """)
                .bind("business_id", businessId)
                .bind("invoice_id", invoiceId)
                .map((rs, ctx) -> new Line(
                        lineKind(rs.getString("kind")),
                        rs.getString("description"),
                        rs.getInt("quantity"),
                        rs.getLong("unit_minor")))
                .list();
    }

    /**
     * Spreads {@code amountMinor} over the client's unpaid invoices, oldest first, never more than
     * each owes; whatever is left over is the caller's to keep (as an open payment, say). The caller
     * holds the client's balance-due lock, so the amounts cannot change before it posts.
     */
    public List<Allocation> allocateOldestFirst(Handle handle, long businessId, long clientId, long amountMinor) {
        final List<Allocation> allocations = new ArrayList<>();
        long left = amountMinor;
        for (Invoice invoice : unpaid(handle, businessId, clientId)) {
            if (left == 0) {
                break;
            }
            final long paid = Math.min(left, invoice.unpaidMinor());
            allocations.add(new Allocation(invoice.id(), paid));
            left -= paid;
        }
        return allocations;
    }

    /** The client's invoices with something unpaid, oldest first. */
    public List<Invoice> unpaid(Handle handle, long businessId, long clientId) {
        return handle.createQuery(SELECT + """
                where i.business_id = :business_id and i.client_id = :client_id and i.unpaid_minor > 0
                order by i.issued_at, i.id
                """)
                .bind("business_id", businessId)
                .bind("client_id", clientId)
                .map(Invoices::invoice)
                .list();
    }

    /** The client's invoices that were issued (open, paid or void), newest first; at most {@code limit}. */
    public List<Invoice> issuedTo(Handle handle, long businessId, long clientId, int limit) {
        return handle.createQuery(SELECT + """
                where i.business_id = :business_id and i.client_id = :client_id and i.issued_at is not null
                order by i.issued_at desc, i.id desc
                limit :limit
                """)
                .bind("business_id", businessId)
                .bind("client_id", clientId)
                .bind("limit", limit)
                .map(Invoices::invoice)
                .list();
    }

    public Optional<Invoice> find(Handle handle, long businessId, long invoiceId) {
        return findOne(handle, businessId, invoiceId, "");
    }

    /**
     * The invoice, locked until the caller's transaction ends. Its own figures are the latest (a
     * writer before us committed, we get its row); the lines summary is as of the statement's start.
     */
    public Optional<Invoice> findForUpdate(Handle handle, long businessId, long invoiceId) {
        return findOne(handle, businessId, invoiceId, " for update of i");
    }

    private static Optional<Invoice> findOne(Handle handle, long businessId, long invoiceId, String lock) {
        return handle.createQuery(SELECT + "where i.business_id = :business_id and i.id = :id" + lock)
                .bind("business_id", businessId)
                .bind("id", invoiceId)
                .map(Invoices::invoice)
                .findOne();
    }

    /** An invoice with its lines and the tenders that paid it, as an answer shows it whole. */
    public record Detail(Invoice invoice, List<Line> lines, List<Payment> payments) {}

    /** The invoice with its lines and payments in one round trip: a desk's checkout answers with all three. */
    public Optional<Detail> detail(Handle handle, long businessId, long invoiceId) {
        return detailOne(handle, businessId, invoiceId, "");
    }

    /**
     * As {@link #detail}, the invoice locked. Its lines and payments are as of the statement's
     * start, not the lock's: for a draft that is the same, as only its checkout, holding this lock,
     * adds to them (and leaves it no longer a draft).
     */
    public Optional<Detail> detailForUpdate(Handle handle, long businessId, long invoiceId) {
        return detailOne(handle, businessId, invoiceId, " for update of i");
    }

    private static Optional<Detail> detailOne(Handle handle, long businessId, long invoiceId, String lock) {
        return handle.createQuery("""
                select i.business_id, i.id, i.client_id, i.total_minor, i.unpaid_minor, i.issued_at, i.voided_at,
                       (select json_agg(json_build_array(l.kind, l.description, l.quantity, l.unit_minor)
                                        order by l.line_no)
                        from invoice_lines l
                        where l.business_id = i.business_id and l.invoice_id = i.id) as lines,
                       (select json_agg(""" + PAYMENT_ARRAY + """
                                        order by p.id)
                        from invoice_payments p
                        where p.business_id = i.business_id and p.invoice_id = i.id) as payments
                from invoices i
                where i.business_id = :business_id and i.id = :id
                """ + lock)
                .bind("business_id", businessId)
                .bind("id", invoiceId)
                .map((rs, ctx) -> {
                    final List<Line> lines = new ArrayList<>();
                    for (JsonNode line : jsonArray(rs.getString("lines"))) {
                        lines.add(new Line(
                                lineKind(line.get(0).asText()),
                                line.get(1).asText(),
                                line.get(2).asInt(),
                                line.get(3).asLong()));
                    }
                    final List<Payment> payments = new ArrayList<>();
                    for (JsonNode payment : jsonArray(rs.getString("payments"))) {
                        payments.add(paymentOf(payment));
                    }
                    final Invoice invoice = invoice(
                            rs,
                            String.join(
                                    ", ", lines.stream().map(Line::description).toList()));
                    return new Detail(invoice, List.copyOf(lines), List.copyOf(payments));
                })
                .findOne();
    }

    /** An aggregate's JSON array; PostgreSQL's json_agg of no rows is null. */
    private static JsonNode jsonArray(String text) {
        return text == null ? JsonNodeFactory.instance.arrayNode() : json(text);
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("PostgreSQL wrote JSON Jackson cannot read", e);
        }
    }

    private static Optional<Long> optionalLong(JsonNode node) {
        return node.isNull() ? Optional.empty() : Optional.of(node.asLong());
    }

    private static Optional<String> optionalText(JsonNode node) {
        return node.isNull() ? Optional.empty() : Optional.of(node.asText());
    }

    private static LineKind lineKind(String dbName) {
        return java.util.Arrays.stream(LineKind.values())
                .filter(candidate -> candidate.dbName.equals(dbName))
                .findFirst()
                .orElseThrow();
    }

    // Each invoice with its lines in one phrase, for lists: "Cut & colour, Tip".
    private static final String SELECT = """
            select i.business_id, i.id, i.client_id, i.total_minor, i.unpaid_minor, i.issued_at, i.voided_at,
                   (select string_agg(l.description, ', ' order by l.line_no)
                    from invoice_lines l where l.business_id = i.business_id and l.invoice_id = i.id) as summary
            from invoices i
            """;

    private static Invoice invoice(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        return invoice(rs, rs.getString("summary") == null ? "" : rs.getString("summary"));
    }

    private static Invoice invoice(java.sql.ResultSet rs, String summary) throws java.sql.SQLException {
        return new Invoice(
                rs.getLong("business_id"),
                rs.getLong("id"),
                Optional.ofNullable(rs.getObject("client_id", Long.class)),
                rs.getLong("total_minor"),
                rs.getLong("unpaid_minor"),
                Optional.ofNullable(rs.getObject("issued_at", OffsetDateTime.class)),
                Optional.ofNullable(rs.getObject("voided_at", OffsetDateTime.class)),
                summary);
    }
}

package dev.settle.invoices;

import dev.settle.ledger.Actor;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
    }

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
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("an invoice has at least one line");
        }
        final long total = lines.stream().mapToLong(Line::amountMinor).reduce(0, Math::addExact);
        final long invoiceId = handle.createQuery("""
                insert into invoices (business_id, client_id, total_minor, issued_at,
                                      created_by_staff_id, created_by_api_key_id)
                values (:business_id, :client_id, :total,
                        coalesce(nullif(current_setting('settle.effective_at', true), '')::timestamptz,
                                 clock_timestamp()),
                        :staff_id, :api_key_id)
                returning id
                """)
                .bind("business_id", businessId)
                .bind("client_id", clientId.orElse(null))
                .bind("total", total)
                .bind("staff_id", actor.staffUserId().orElse(null))
                .bind("api_key_id", actor.apiKeyId().orElse(null))
                .mapTo(Long.class)
                .one();
        final var batch = handle.prepareBatch("""
                insert into invoice_lines (business_id, invoice_id, line_no, kind, description, quantity,
                                           unit_minor, amount_minor)
                values (:business_id, :invoice_id, :line_no, :kind, :description, :quantity, :unit, :amount)
                """);
        for (int index = 0; index < lines.size(); index++) {
            final Line line = lines.get(index);
            batch.bind("business_id", businessId)
                    .bind("invoice_id", invoiceId)
                    .bind("line_no", index + 1)
                    .bind("kind", line.kind().dbName)
                    .bind("description", line.description())
                    .bind("quantity", line.quantity())
                    .bind("unit", line.unitMinor())
                    .bind("amount", line.amountMinor())
                    .add();
        }
        batch.execute();
        return invoiceId;
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

    public Optional<Invoice> find(Handle handle, long businessId, long invoiceId) {
        return handle.createQuery(SELECT + "where i.business_id = :business_id and i.id = :id")
                .bind("business_id", businessId)
                .bind("id", invoiceId)
                .map(Invoices::invoice)
                .findOne();
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
        return new Invoice(
                rs.getLong("business_id"),
                rs.getLong("id"),
                Optional.ofNullable(rs.getObject("client_id", Long.class)),
                rs.getLong("total_minor"),
                rs.getLong("unpaid_minor"),
                Optional.ofNullable(rs.getObject("issued_at", OffsetDateTime.class)),
                Optional.ofNullable(rs.getObject("voided_at", OffsetDateTime.class)),
                rs.getString("summary") == null ? "" : rs.getString("summary"));
    }
}

package dev.settle.clients;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.settle.Problem;
import dev.settle.business.DateInput;
import dev.settle.ledger.Actor;
import dev.settle.web.Json;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;

/**
 * Manual changes above the business's approval limit (charges onto a balance due, credits given,
 * open payments refunded) wait until a different manager approves them; nothing moves before.
 * Approval carries the change out as its requester asked, in the approver's transaction; the
 * history then names both.
 */
public final class Approvals {

    /** What waits for approval, as the requester typed it. */
    public enum Kind {
        CHARGE("charge", "Charge onto the balance due"),
        CREDIT("credit", "Credit"),
        REFUND("open_payment_refund", "Refund of open payments");

        public final String dbName;
        public final String label;

        Kind(String dbName, String label) {
            this.dbName = dbName;
            this.label = label;
        }

        static Kind of(String dbName) {
            return ClientMoney.named(values(), kind -> kind.dbName, dbName, "kind", "unknown approval kind " + dbName);
        }
    }

    public record Pending(
            long id,
            long clientId,
            String clientName,
            Kind kind,
            long amountMinor,
            Map<String, String> details,
            Optional<Long> requestedByStaffId,
            String requestedBy,
            OffsetDateTime requestedAt) {

        /** Why, as the requester gave it: the reason and the note. */
        public String why() {
            final String reason = kind == Kind.CREDIT && details.containsKey("reason")
                    ? ClientMoney.CreditReason.parse(details.get("reason"), "reason")
                            .label
                            .replace(" (say why)", "")
                    : details.get("reason");
            return java.util.stream.Stream.of(reason, details.get("note"))
                    .filter(text -> text != null && !text.isBlank())
                    .collect(java.util.stream.Collectors.joining(" — "));
        }
    }

    /** What a submitted change became: carried out at once, or waiting for a second manager. */
    public sealed interface Result {
        record Done(ClientMoney.Outcome outcome) implements Result {}

        record Waiting(Pending pending) implements Result {}
    }

    private final ClientMoney money;

    public Approvals(ClientMoney money) {
        this.money = money;
    }

    /**
     * Carries {@code change} out now if {@code amountMinor} is within the business's limit (or it has
     * none); otherwise records it as waiting for approval and changes nothing else. {@code details}
     * are the fields {@link #approve} needs to carry it out later.
     */
    public Result submit(
            Handle handle,
            long businessId,
            long clientId,
            Kind kind,
            long amountMinor,
            Map<String, String> details,
            Actor requester,
            Supplier<ClientMoney.Outcome> change) {
        final Optional<Long> limit = handle.createQuery(
                        "select adjustment_approval_limit_minor from businesses where id = :id")
                .bind("id", businessId)
                .mapTo(Long.class)
                .findOne();
        if (limit.isEmpty() || amountMinor <= limit.get()) {
            return new Result.Done(change.get());
        }
        final long id = handle.createQuery("""
                insert into pending_approvals (business_id, client_id, kind, amount_minor, details,
                                               requested_by_staff_id, requested_by_api_key_id)
                values (:business_id, :client_id, :kind, :amount, cast(:details as jsonb), :staff_id, :api_key_id)
                returning id
                """)
                .bind("business_id", businessId)
                .bind("client_id", clientId)
                .bind("kind", kind.dbName)
                .bind("amount", amountMinor)
                .bind("details", Json.write(details))
                .bind("staff_id", requester.staffUserId().orElse(null))
                .bind("api_key_id", requester.apiKeyId().orElse(null))
                .mapTo(Long.class)
                .one();
        return new Result.Waiting(find(handle, businessId, id).orElseThrow());
    }

    /**
     * Carries out a waiting change as its requester asked. The approver must be someone else; the
     * change is checked again as of now (a credit's expiry, the client's open payments), and if it
     * no longer stands it stays waiting, to be rejected.
     */
    public ClientMoney.Outcome approve(
            Handle handle, long businessId, long approvalId, long approverStaffId, LocalDate today) {
        final Pending pending = waitingForUpdate(handle, businessId, approvalId);
        if (pending.requestedByStaffId().equals(Optional.of(approverStaffId))) {
            throw Problem.validation("approvalId", "A different manager must approve this: you asked for it yourself");
        }
        final Actor requester = pending.requestedByStaffId()
                .map(Actor::staff)
                .orElseGet(() -> Actor.apiKey(requestedByApiKey(handle, businessId, approvalId)));
        final Map<String, String> details = pending.details();
        final long amount = pending.amountMinor();
        final ClientMoney.Outcome outcome = switch (pending.kind()) {
            case CHARGE ->
                money.charge(
                        handle,
                        businessId,
                        pending.clientId(),
                        ClientMoney.Charge.of(amount, details.get("reason")),
                        requester);
            case CREDIT ->
                money.issueCredit(
                        handle,
                        businessId,
                        pending.clientId(),
                        ClientMoney.Credit.of(
                                amount,
                                ClientMoney.CreditReason.parse(details.get("reason"), "reason"),
                                details.get("note"),
                                Optional.ofNullable(details.get("expiresOn"))
                                        .map(text -> DateInput.parse(text, "expiresOn")),
                                today),
                        requester);
            case REFUND ->
                money.refundOpenPayment(
                        handle,
                        businessId,
                        pending.clientId(),
                        ClientMoney.Payment.of(
                                amount,
                                ClientMoney.Tender.parse(details.get("tender"), "tender"),
                                details.get("reference"),
                                details.get("note")),
                        requester);
        };
        handle.createUpdate("""
                update pending_approvals
                set decision = 'approved', decided_by_staff_id = :approver, decided_at = now(), entry_id = :entry_id
                where business_id = :business_id and id = :id
                """)
                .bind("approver", approverStaffId)
                .bind("entry_id", outcome.entryId())
                .bind("business_id", businessId)
                .bind("id", approvalId)
                .execute();
        handle.createUpdate("""
                update client_operations set approved_by_staff_id = :approver
                where business_id = :business_id and entry_id = :entry_id
                """)
                .bind("approver", approverStaffId)
                .bind("business_id", businessId)
                .bind("entry_id", outcome.entryId())
                .execute();
        return outcome;
    }

    /** Turns a waiting change down; nothing moves. Anyone who may approve may reject, even their own. */
    public Pending reject(Handle handle, long businessId, long approvalId, long deciderStaffId) {
        final Pending pending = waitingForUpdate(handle, businessId, approvalId);
        handle.createUpdate("""
                update pending_approvals
                set decision = 'rejected', decided_by_staff_id = :decider, decided_at = now()
                where business_id = :business_id and id = :id
                """)
                .bind("decider", deciderStaffId)
                .bind("business_id", businessId)
                .bind("id", approvalId)
                .execute();
        return pending;
    }

    /** Changes waiting for approval, oldest first: the business's, or one client's. */
    public List<Pending> waiting(Handle handle, long businessId, Optional<Long> clientId) {
        return handle.createQuery(SELECT + """
                where p.business_id = :business_id and p.decision is null
                  and (cast(:client_id as bigint) is null or p.client_id = :client_id)
                order by p.requested_at, p.id
                limit 200
                """)
                .bind("business_id", businessId)
                .bind("client_id", clientId.orElse(null))
                .map(Approvals::pending)
                .list();
    }

    private Optional<Pending> find(Handle handle, long businessId, long approvalId) {
        return handle.createQuery(SELECT + "where p.business_id = :business_id and p.id = :id")
                .bind("business_id", businessId)
                .bind("id", approvalId)
                .map(Approvals::pending)
                .findOne();
    }

    /** The waiting change, locked so two managers cannot both decide it. */
    private Pending waitingForUpdate(Handle handle, long businessId, long approvalId) {
        final Optional<String> decision = handle.createQuery("""
                select coalesce(decision, 'waiting') from pending_approvals
                where business_id = :business_id and id = :id
                for update
                """)
                .bind("business_id", businessId)
                .bind("id", approvalId)
                .mapTo(String.class)
                .findOne();
        if (decision.isEmpty()) {
            throw Problem.notFound("approvalId", "no change waiting for approval has id " + approvalId);
        }
        if (!decision.get().equals("waiting")) {
            throw new Problem(
                    Problem.Kind.CONFLICT,
                    "approvalId",
                    "This change was already " + decision.get() + " by someone else");
        }
        return find(handle, businessId, approvalId).orElseThrow();
    }

    private static long requestedByApiKey(Handle handle, long businessId, long approvalId) {
        return handle.createQuery(
                        "select requested_by_api_key_id from pending_approvals where business_id = :business_id and id = :id")
                .bind("business_id", businessId)
                .bind("id", approvalId)
                .mapTo(Long.class)
                .one();
    }

    private static final String SELECT = """
            select p.id, p.client_id, c.name as client_name, p.kind, p.amount_minor, p.details::text as details,
                   p.requested_by_staff_id, p.requested_at,
                   coalesce(s.display_name, 'API key ' || k.label) as requested_by
            from pending_approvals p
            join clients c on c.business_id = p.business_id and c.id = p.client_id
            left join staff_users s on s.business_id = p.business_id and s.id = p.requested_by_staff_id
            left join api_keys k on k.business_id = p.business_id and k.id = p.requested_by_api_key_id
            """;

    private static Pending pending(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        try {
            return new Pending(
                    rs.getLong("id"),
                    rs.getLong("client_id"),
                    rs.getString("client_name"),
                    Kind.of(rs.getString("kind")),
                    rs.getLong("amount_minor"),
                    Json.mapper().readValue(rs.getString("details"), new TypeReference<Map<String, String>>() {}),
                    Optional.ofNullable(rs.getObject("requested_by_staff_id", Long.class)),
                    rs.getString("requested_by"),
                    rs.getObject("requested_at", OffsetDateTime.class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("pending approval " + rs.getLong("id") + " has unreadable details", e);
        }
    }
}

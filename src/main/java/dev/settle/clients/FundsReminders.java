package dev.settle.clients;

import dev.settle.business.BusinessSettings;
import dev.settle.mail.Outbox;
import dev.settle.web.Formats;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Reminders that a client holds funds (open payments or credits, their household's pool) while
 * owing a balance due: the banner on their page, and a daily digest to the business's managers
 * and owners. Both repeat until the funds are applied, or staff dismiss the reminder; a dismissed
 * reminder comes back when the balance due or the funds change.
 */
public final class FundsReminders {

    /** The local hour from which a business's daily digest goes out. */
    public static final LocalTime DIGEST_FROM = LocalTime.of(8, 0);

    /** A client to remind about, with the figures the reminder shows. */
    public record Due(long clientId, String name, long balanceDueMinor, long openPaymentsMinor, long creditsMinor) {
        public long fundsMinor() {
            return openPaymentsMinor + creditsMinor;
        }
    }

    private final Outbox outbox;
    private final BusinessSettings settings = new BusinessSettings();

    public FundsReminders(Outbox outbox) {
        this.outbox = outbox;
    }

    /** The clients to remind about, by name: funds and a balance due, and not dismissed at these figures. */
    public List<Due> due(Handle handle, long businessId) {
        return handle.createQuery("""
                with balances as (
                    select c.id, c.name, coalesce(c.household_id, -c.id) as pool, c.archived_at,
                           sum(a.balance_minor) filter (where a.kind = 'receivable') as due,
                           sum(a.balance_minor) filter (where a.kind = 'open_payments') as open_payments,
                           sum(a.balance_minor) filter (where a.kind = 'credits') as credits
                    from clients c
                    join accounts a on a.business_id = c.business_id and a.client_id = c.id
                    where c.business_id = :business_id
                    group by c.business_id, c.id
                ), pools as (
                    select pool, sum(open_payments) as open_payments, sum(credits) as credits
                    from balances group by pool
                )
                select b.id, b.name, b.due, p.open_payments, p.credits
                from balances b
                join pools p on p.pool = b.pool
                left join funds_reminder_dismissals d on d.business_id = :business_id and d.client_id = b.id
                where b.archived_at is null and b.due > 0 and p.open_payments + p.credits > 0
                  and (d.client_id is null or d.balance_due_minor <> b.due
                       or d.funds_minor <> p.open_payments + p.credits)
                order by lower(b.name), b.id
                """)
                .bind("business_id", businessId)
                .map((rs, ctx) -> new Due(
                        rs.getLong("id"),
                        rs.getString("name"),
                        rs.getLong("due"),
                        rs.getLong("open_payments"),
                        rs.getLong("credits")))
                .list();
    }

    /** Whether staff dismissed the client's reminder at exactly these figures. */
    public boolean dismissed(Handle handle, long businessId, long clientId, long balanceDueMinor, long fundsMinor) {
        return handle.createQuery("""
                select exists (select 1 from funds_reminder_dismissals
                               where business_id = :business_id and client_id = :client_id
                                 and balance_due_minor = :due and funds_minor = :funds)
                """)
                .bind("business_id", businessId)
                .bind("client_id", clientId)
                .bind("due", balanceDueMinor)
                .bind("funds", fundsMinor)
                .mapTo(Boolean.class)
                .one();
    }

    /** Hides the client's reminder (banner and digest) until their balance due or funds change. */
    public void dismiss(Handle handle, Clients.Client client, Households.Household household, long staffId) {
        handle.createUpdate("""
                insert into funds_reminder_dismissals (business_id, client_id, balance_due_minor, funds_minor,
                                                       dismissed_by_staff_id)
                values (:business_id, :client_id, :due, :funds, :staff_id)
                on conflict (business_id, client_id) do update
                set balance_due_minor = excluded.balance_due_minor, funds_minor = excluded.funds_minor,
                    dismissed_at = clock_timestamp(), dismissed_by_staff_id = excluded.dismissed_by_staff_id
                """)
                .bind("business_id", client.businessId())
                .bind("client_id", client.id())
                .bind("due", client.receivable().balanceMinor())
                .bind("funds", household.openPaymentsMinor() + household.creditsMinor())
                .bind("staff_id", staffId)
                .execute();
    }

    /**
     * Sends each business whose local time is past {@link #DIGEST_FROM} today's digest, once per
     * local day, to its active owners and managers; a business with nobody to remind about gets
     * none. Returns how many businesses were sent one.
     */
    public int sendDigests(Jdbi jdbi, Instant now) {
        final List<Long> businesses =
                jdbi.withHandle(handle -> handle.createQuery("select id from businesses order by id")
                        .mapTo(Long.class)
                        .list());
        int sent = 0;
        for (long businessId : businesses) {
            if (jdbi.inTransaction(handle -> sendDigest(handle, businessId, now))) {
                sent++;
            }
        }
        return sent;
    }

    /** One business's digest, if it is due at {@code now}; whether it was sent to anyone. */
    public boolean sendDigest(Handle handle, long businessId, Instant now) {
        final BusinessSettings.Settings business = settings.find(handle, businessId);
        final var local = now.atZone(business.timeZone());
        if (local.toLocalTime().isBefore(DIGEST_FROM)) {
            return false;
        }
        final List<Due> due = due(handle, businessId);
        // The row is the once-a-day guard: a second instance (or a second run) finds it and stops.
        final boolean first = handle.createUpdate("""
                        insert into funds_digests (business_id, local_date, clients)
                        values (:business_id, :local_date, :clients)
                        on conflict do nothing
                        """)
                        .bind("business_id", businessId)
                        .bind("local_date", local.toLocalDate())
                        .bind("clients", due.size())
                        .execute()
                == 1;
        if (!first || due.isEmpty()) {
            return false;
        }
        final Formats formats = new Formats(business.locale(), business.timeZone(), business.currency());
        final String body = digest(business.name(), local.toLocalDate(), due, formats);
        final List<String> recipients = handle.createQuery("""
                select email from staff_users
                where business_id = :business_id and active and role in ('owner', 'manager')
                order by id
                """)
                .bind("business_id", businessId)
                .mapTo(String.class)
                .list();
        for (String to : recipients) {
            outbox.queue(
                    handle,
                    businessId,
                    Outbox.Kind.FUNDS_DIGEST,
                    to,
                    due.size() + (due.size() == 1 ? " client has" : " clients have")
                            + " funds to apply to what they owe",
                    body,
                    Optional.empty(),
                    Optional.empty());
        }
        return !recipients.isEmpty();
    }

    private static String digest(String businessName, LocalDate day, List<Due> due, Formats formats) {
        final StringBuilder text = new StringBuilder();
        text.append(businessName)
                .append(", ")
                .append(formats.day(day))
                .append("\n\nThese clients hold open payments or credits and also owe a balance due.")
                .append(" Apply their funds from their page in Settle, or dismiss the reminder there.\n\n");
        for (Due client : due) {
            text.append("- ")
                    .append(client.name())
                    .append(": owes ")
                    .append(formats.money(client.balanceDueMinor()))
                    .append("; open payments ")
                    .append(formats.money(client.openPaymentsMinor()))
                    .append(", credits ")
                    .append(formats.money(client.creditsMinor()))
                    .append(" (client ")
                    .append(client.clientId())
                    .append(")\n");
        }
        text.append("\nThis reminder comes every day until the funds are applied or the reminder is dismissed.\n");
        return text.toString();
    }
}

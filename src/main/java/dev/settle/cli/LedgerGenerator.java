package dev.settle.cli;

import dev.settle.business.ApiKeys;
import dev.settle.business.Businesses;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.Ledger;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Fills one business with years of appointment traffic, millions of postings in minutes, for
 * benchmarks that need a big ledger. It writes the tables set by set in SQL (not entry by entry
 * through {@code ledger_post}, which would take hours), with the database's triggers off for the
 * load, and leaves every stored figure as {@code ledger_post} would have: balances and versions,
 * running balances, invoices' unpaid amounts, credit grants and their uses. {@code verify} holds.
 *
 * <p>Each visit is an invoice and, mostly, a checkout paying it (card, cash or check, half with a
 * tip). Of every hundred visits: two pay 20 days later, one never pays, one is paid from an open
 * payment received just before, one gets a credit (half spent at the checkout, half expiring after
 * 90 days), and one buys a gift card (half of them half-redeemed a month later).
 */
final class LedgerGenerator {
    /** Postings per hundred visits on average, to size a run by postings. */
    private static final long POSTINGS_PER_100_VISITS = 456;

    private static final int VISITS_PER_CLIENT = 36;
    private static final Duration SPAN = Duration.ofDays(3 * 365);

    private final Businesses businesses = new Businesses(new Ledger(), new ApiKeys());

    record Generated(long businessId, long visits, long clients, long entries, long postings, Duration took) {}

    /** A new business named {@code name} holding about {@code postings} postings, ending an hour ago. */
    Generated generate(Jdbi jdbi, String name, long postings) {
        final long started = System.nanoTime();
        final long visits = Math.max(100, postings * 100 / POSTINGS_PER_100_VISITS);
        final long clients = Math.max(10, visits / VISITS_PER_CLIENT);
        // Named as loading until the load commits, so a failed one is never taken for a full business.
        final long businessId = jdbi.inTransaction(handle -> businesses
                .create(handle, name + " (loading)", "USD", "America/New_York", "owner@bench.example")
                .business()
                .id());
        jdbi.useTransaction(handle -> {
            // Triggers (foreign keys, webhooks, notices) off for this load: what it writes is
            // consistent by construction, and `verify` checks it after.
            handle.execute("set local session_replication_role = replica");
            handle.execute("set local work_mem = '1GB'");
            final OffsetDateTime end = OffsetDateTime.now(ZoneOffset.UTC).minusHours(1);
            handle.execute("""
                    create temp table gen_params (
                        business_id bigint, clients bigint, visits bigint, start_at timestamptz, end_at timestamptz,
                        span_seconds bigint, cash bigint, card bigint, check_account bigint, sales bigint,
                        tips bigint, promotions bigint) on commit drop
                    """);
            handle.createUpdate("""
                            insert into gen_params values (:business_id, :clients, :visits, :start_at, :end_at,
                                :span_seconds, :cash, :card, :check, :sales, :tips, :promotions)
                            """)
                    .bind("business_id", businessId)
                    .bind("clients", clients)
                    .bind("visits", visits)
                    .bind("start_at", end.minus(SPAN))
                    .bind("end_at", end)
                    .bind("span_seconds", SPAN.toSeconds())
                    .bind("cash", account(handle, businessId, AccountKind.CASH))
                    .bind("card", account(handle, businessId, AccountKind.CARD))
                    .bind("check", account(handle, businessId, AccountKind.CHECK))
                    .bind("sales", account(handle, businessId, AccountKind.SALES))
                    .bind("tips", account(handle, businessId, AccountKind.TIPS))
                    .bind("promotions", account(handle, businessId, AccountKind.PROMOTIONS))
                    .execute();
            for (String statement : STATEMENTS) {
                handle.execute(statement);
            }
            handle.createUpdate("update businesses set name = :name where id = :id")
                    .bind("name", name)
                    .bind("id", businessId)
                    .execute();
        });
        return jdbi.withHandle(handle -> {
            for (String table : List.of(
                    "journal_entries",
                    "postings",
                    "accounts",
                    "invoices",
                    "clients",
                    "credit_grants",
                    "credit_grant_uses",
                    "gift_cards",
                    "client_operations",
                    "tender_quarters")) {
                handle.execute("vacuum analyze " + table);
            }
            return new Generated(
                    businessId,
                    visits,
                    clients,
                    count(handle, "journal_entries", businessId),
                    count(handle, "postings", businessId),
                    Duration.ofNanos(System.nanoTime() - started));
        });
    }

    private long account(Handle handle, long businessId, AccountKind kind) {
        return businesses.accountId(handle, businessId, kind);
    }

    private static long count(Handle handle, String table, long businessId) {
        return handle.createQuery("select count(*) from " + table + " where business_id = :business_id")
                .bind("business_id", businessId)
                .mapTo(Long.class)
                .one();
    }

    /**
     * The load, in order. Entries get ids in time order (an account's postings are in entry order
     * along its versions, which the history pages rely on); ids start past any already used.
     * Postings are written in entry order, so an entry's lie together on disk as {@code ledger_post}
     * leaves them.
     */
    private static final List<String> STATEMENTS = List.of(
            """
            insert into clients (business_id, name, email)
            select p.business_id, 'Client ' || lpad(i::text, 6, '0'), 'client' || i || '@bench.example'
            from gen_params p, generate_series(1, p.clients) i
            """,
            """
            insert into accounts (business_id, kind, client_id)
            select c.business_id, k.kind, c.id
            from gen_params p
            join clients c on c.business_id = p.business_id
            cross join (values ('receivable'), ('open_payments'), ('credits')) k (kind)
            """,
            """
            create temp table gen_clients on commit drop as
            select row_number() over (order by c.id) - 1 as ci, c.id as client_id,
                   max(a.id) filter (where a.kind = 'receivable') as receivable,
                   max(a.id) filter (where a.kind = 'open_payments') as open_payments,
                   max(a.id) filter (where a.kind = 'credits') as credits
            from gen_params p
            join clients c on c.business_id = p.business_id
            join accounts a on a.business_id = c.business_id and a.client_id = c.id
            group by c.id
            """,
            """
            create temp table gen_visits on commit drop as
            select v.v, v.v % 100 as m, v.t, v.amount, case when v.v % 2 = 0 then v.amount / 10 else 0 end as tip,
                   c.client_id, c.receivable, c.open_payments, c.credits,
                   case when v.v % 10 < 3 then p.cash when v.v % 10 = 3 then p.check_account else p.card end as tender,
                   (select coalesce(max(id), 0) from invoices) + v.v + 1 as invoice_id
            from gen_params p
            cross join lateral (
                select g as v, p.start_at + (g * p.span_seconds / p.visits) * interval '1 second' as t,
                       2000 + (g * 7907) % 16000 as amount
                from generate_series(0::bigint, p.visits - 1) g) v
            join gen_clients c on c.ci = (v.v * 7919) % p.clients
            """,
            """
            insert into invoices (business_id, id, client_id, total_minor, unpaid_minor, issued_at, created_at)
            overriding system value
            select p.business_id, v.invoice_id, v.client_id, v.amount, 0, v.t, v.t
            from gen_params p, gen_visits v
            """,
            """
            insert into gift_cards (business_id, id, code_hash, last4, amount_minor, funded_by, invoice_id, created_at)
            overriding system value
            select p.business_id, (select coalesce(max(id), 0) from gift_cards) + row_number() over (order by v.v),
                   sha256(convert_to('bench ' || p.business_id || ' ' || v.v, 'UTF8')),
                   upper(substr(md5(v.v::text), 1, 4)), 5000, 'sale', v.invoice_id, v.t
            from gen_params p, gen_visits v
            where v.m = 50
            """,
            """
            insert into accounts (business_id, kind, gift_card_id)
            select g.business_id, 'gift_card', g.id
            from gen_params p join gift_cards g on g.business_id = p.business_id
            """,
            """
            create temp table gen_gift_cards on commit drop as
            select v.v, a.id as account_id
            from gen_params p
            join gen_visits v on v.m = 50
            join gift_cards g on g.business_id = p.business_id and g.invoice_id = v.invoice_id
            join accounts a on a.business_id = g.business_id and a.gift_card_id = g.id
            """,
            // One row per entry: seq orders a visit's entries (0 before, 1 invoice, 2 checkout, 3 later).
            """
            create temp table gen_entries on commit drop as
            select v.v * 4 + e.sub as seq, v.v, e.sub, e.kind, v.t + e.offset_by as t, v.client_id,
                   case when e.names_invoice then v.invoice_id end as invoice_id
            from gen_params p
            join gen_visits v on true
            cross join lateral (values
                (0, 'open_payment', interval '-1 hour', false, v.m = 98),
                (0, 'credit_issued', interval '-1 day', false, v.m = 99),
                (0, 'gift_card_sale', interval '-10 minutes', true, v.m = 50),
                (1, 'invoice', interval '0', true, true),
                (2, 'checkout', interval '30 minutes', true, v.m not in (95, 96, 97)),
                (3, 'payment', interval '20 days', true, v.m in (95, 96)),
                (3, 'credit_expired', interval '90 days', false, v.v % 200 = 199),
                (3, 'gift_card_redemption', interval '30 days', false, v.v % 200 = 50))
                as e (sub, kind, offset_by, names_invoice, happens)
            where e.happens and v.t + e.offset_by <= p.end_at
            """,
            """
            create temp table gen_entry_ids on commit drop as
            select seq, (select coalesce(max(id), 0) from journal_entries) + row_number() over (order by t, seq) as id
            from gen_entries
            """,
            """
            insert into journal_entries (business_id, id, kind, effective_at, client_id, invoice_id)
            overriding system value
            select p.business_id, i.id, e.kind, e.t, e.client_id, e.invoice_id
            from gen_params p, gen_entries e join gen_entry_ids i using (seq)
            """,
            // Each entry's lines: positive is a debit. K = 1000 is a credit, G = 5000 a gift card.
            """
            create temp table gen_postings on commit drop as
            select e.seq, l.account_id, l.amount, l.invoice_id
            from gen_params p
            join gen_entries e on true
            join gen_visits v on v.v = e.v
            left join gen_gift_cards g on g.v = v.v
            cross join lateral (values
                ('invoice', v.receivable, v.amount, v.invoice_id),
                ('invoice', p.sales, -v.amount, null),
                ('checkout', case when v.m = 98 then v.open_payments else v.tender end,
                    case when v.m = 98 then v.amount
                         when v.m = 99 and v.v % 200 = 99 then v.amount - 1000 + v.tip
                         else v.amount + v.tip end, null),
                ('checkout', case when v.m = 99 and v.v % 200 = 99 then v.credits end, 1000, null),
                ('checkout', case when v.m <> 98 and v.tip > 0 then p.tips end, -v.tip, null),
                ('checkout', v.receivable, -v.amount, v.invoice_id),
                ('payment', p.card, v.amount, null),
                ('payment', v.receivable, -v.amount, v.invoice_id),
                ('open_payment', p.cash, v.amount + case when v.v % 1000 = 98 then 500 else 0 end, null),
                ('open_payment', v.open_payments, -v.amount - case when v.v % 1000 = 98 then 500 else 0 end, null),
                ('credit_issued', p.promotions, 1000, null),
                ('credit_issued', v.credits, -1000, null),
                ('credit_expired', v.credits, 1000, null),
                ('credit_expired', p.promotions, -1000, null),
                ('gift_card_sale', p.card, 5000, null),
                ('gift_card_sale', g.account_id, -5000, null),
                ('gift_card_redemption', g.account_id, 2500, null),
                ('gift_card_redemption', p.sales, -2500, null))
                as l (kind, account_id, amount, invoice_id)
            where l.kind = e.kind and l.account_id is not null and l.amount <> 0
            """,
            """
            insert into postings (business_id, account_id, account_version, entry_id, amount_minor,
                                  balance_after_minor, posted_at, invoice_id)
            select p.business_id, l.account_id, a.version + row_number() over running, i.id, l.amount,
                   a.balance_minor + a.normal_side * sum(l.amount) over running, e.t, l.invoice_id
            from gen_params p
            join gen_postings l on true
            join gen_entries e using (seq)
            join gen_entry_ids i using (seq)
            join accounts a on a.business_id = p.business_id and a.id = l.account_id
            window running as (partition by l.account_id order by i.id rows between unbounded preceding and current row)
            order by i.id
            """,
            // Summed by quarter hour, as the tender quarters job would have.
            """
            insert into tender_quarters (business_id, quarter, account_id, taken_minor, refunded_minor)
            select p.business_id, date_bin('15 minutes', e.t, timestamptz '2000-01-01 00:00:00+00'), l.account_id,
                   sum(greatest(l.amount, 0)), sum(greatest(-l.amount, 0))
            from gen_params p
            join gen_postings l on l.account_id in (p.cash, p.card, p.check_account)
            join gen_entries e using (seq)
            group by 1, 2, 3
            """,
            """
            insert into tender_quarters_through (business_id, account_id, through_version)
            select p.business_id, l.account_id, count(*)
            from gen_params p
            join gen_postings l on l.account_id in (p.cash, p.card, p.check_account)
            group by 1, 2
            """,
            """
            update accounts a
            set balance_minor = a.balance_minor + a.normal_side * t.amount, version = a.version + t.lines
            from gen_params p,
                 (select account_id, sum(amount) as amount, count(*) as lines from gen_postings group by account_id) t
            where a.business_id = p.business_id and a.id = t.account_id
            """,
            // What is left unpaid: never paid, paid later than now, or a checkout still to come.
            """
            update invoices i
            set unpaid_minor = u.amount
            from gen_params p,
                 (select invoice_id, sum(amount) as amount from gen_postings
                  where invoice_id is not null group by invoice_id having sum(amount) <> 0) u
            where i.business_id = p.business_id and i.id = u.invoice_id
            """,
            """
            insert into client_operations (business_id, entry_id, client_id, kind, tender, reason)
            select p.business_id, i.id, e.client_id, e.kind,
                   case when e.kind = 'open_payment' then 'cash' end,
                   case when e.kind = 'credit_issued'
                        then (array['referral', 'goodwill', 'promotion'])[1 + e.v % 3] end
            from gen_params p, gen_entries e join gen_entry_ids i using (seq)
            where e.kind in ('open_payment', 'credit_issued', 'credit_expired')
            """,
            """
            insert into credit_grants (business_id, client_id, entry_id, amount_minor, remaining_minor, expires_on)
            select p.business_id, e.client_id, i.id, 1000, case when u.v is null then 1000 else 0 end,
                   case when e.v % 200 = 199 then (e.t + interval '90 days')::date end
            from gen_params p, gen_entries e
            join gen_entry_ids i using (seq)
            left join (select v from gen_entries
                       where kind = 'credit_expired' or (kind = 'checkout' and v % 200 = 99)) u on u.v = e.v
            where e.kind = 'credit_issued'
            """,
            """
            insert into credit_grant_uses (business_id, entry_id, grant_id, amount_minor)
            select p.business_id, ui.id, g.id, 1000
            from gen_params p
            join gen_entries e on e.kind = 'credit_issued'
            join gen_entry_ids ei on ei.seq = e.seq
            join credit_grants g on g.business_id = p.business_id and g.entry_id = ei.id
            join gen_entries u on u.v = e.v
                              and (u.kind = 'credit_expired' or (u.kind = 'checkout' and e.v % 200 = 99))
            join gen_entry_ids ui on ui.seq = u.seq
            """,
            """
            select setval(pg_get_serial_sequence('journal_entries', 'id'), (select max(id) from journal_entries)),
                   setval(pg_get_serial_sequence('invoices', 'id'), (select max(id) from invoices)),
                   setval(pg_get_serial_sequence('gift_cards', 'id'), greatest(1, (select max(id) from gift_cards)))
            """);
}

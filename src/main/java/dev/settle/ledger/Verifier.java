package dev.settle.ledger;

import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Checks the whole ledger against its invariants, from the raw rows: it trusts no stored total.
 * Each check lists at most {@link #EXAMPLES_MAX} offending rows and counts all of them.
 */
public final class Verifier {
    private static final int EXAMPLES_MAX = 10;

    public record Report(long entries, long postings, long accounts, List<String> violations) {
        public boolean ok() {
            return violations.isEmpty();
        }

        public String summary() {
            return "%d entries, %d postings, %d accounts: %s"
                    .formatted(
                            entries,
                            postings,
                            accounts,
                            ok() ? "all invariants hold" : violations.size() + " violation(s)");
        }
    }

    private record Check(String name, String sql) {}

    private static final List<Check> CHECKS = List.of(
            new Check("entry whose postings do not sum to zero, or with fewer than two postings", """
              select 'entry ' || e.business_id || '/' || e.id || ': ' || count(p.*) || ' postings, sum '
                     || coalesce(sum(p.amount_minor), 0)
              from journal_entries e
              left join postings p on p.business_id = e.business_id and p.entry_id = e.id
              group by e.business_id, e.id
              having count(p.*) < 2 or coalesce(sum(p.amount_minor), 0) <> 0
              """),
            new Check("account whose stored balance or version differs from its postings", """
              select 'account ' || a.business_id || '/' || a.id || ' (' || a.kind || '): stored '
                     || a.balance_minor || ' v' || a.version || ', postings say '
                     || a.normal_side * coalesce(p.total, 0) || ' v' || coalesce(p.versions, 0)
              from accounts a
              left join (select business_id, account_id, sum(amount_minor) as total, count(*) as versions,
                                max(account_version) as last_version
                         from postings group by business_id, account_id) p
                on p.business_id = a.business_id and p.account_id = a.id
              where a.balance_minor <> a.normal_side * coalesce(p.total, 0)
                 or a.version <> coalesce(p.versions, 0)
                 or a.version <> coalesce(p.last_version, 0)
              """),
            new Check("posting whose running balance does not follow from the one before it", """
              select 'posting ' || business_id || '/' || account_id || ' v' || account_version
                     || ': balance after ' || balance_after_minor || ', expected ' || expected
              from (select p.*, a.normal_side * sum(p.amount_minor) over (
                                    partition by p.business_id, p.account_id order by p.account_version) as expected
                    from postings p
                    join accounts a on a.business_id = p.business_id and a.id = p.account_id) running
              where balance_after_minor <> expected
              """),
            new Check("stored-value account below zero", """
              select 'account ' || business_id || '/' || id || ' (' || kind || ') holds ' || balance_minor
              from accounts
              where kind in ('open_payments', 'credits', 'gift_card') and balance_minor < 0
              """),
            new Check("posting without its entry or account", """
              select 'posting ' || p.business_id || '/' || p.account_id || ' v' || p.account_version
              from postings p
              where not exists (select 1 from journal_entries e where e.business_id = p.business_id and e.id = p.entry_id)
                 or not exists (select 1 from accounts a where a.business_id = p.business_id and a.id = p.account_id)
              """),
            new Check("posting whose time is not its entry's", """
              select 'posting ' || p.business_id || '/' || p.account_id || ' v' || p.account_version
                     || ' at ' || p.posted_at || ', its entry ' || e.id || ' at ' || e.effective_at
              from postings p
              join journal_entries e on e.business_id = p.business_id and e.id = p.entry_id
              where p.posted_at <> e.effective_at
              """),
            new Check("reversal that does not mirror its original", """
              select 'reversal ' || r.business_id || '/' || r.id || ' of entry ' || r.reverses_entry_id
              from journal_entries r
              where r.reverses_entry_id is not null
                and exists (
                    (select account_id, sum(amount_minor) from postings
                     where business_id = r.business_id and entry_id = r.id group by account_id)
                    except
                    (select account_id, -sum(amount_minor) from postings
                     where business_id = r.business_id and entry_id = r.reverses_entry_id group by account_id))
              """),
            new Check("balance-due posting that names no invoice of its client, or invoice named elsewhere", """
              select 'posting ' || p.business_id || '/' || p.account_id || ' v' || p.account_version
                     || ' (' || a.kind || ') names invoice ' || coalesce(p.invoice_id::text, 'none')
              from postings p
              join accounts a on a.business_id = p.business_id and a.id = p.account_id
              left join invoices i on i.business_id = p.business_id and i.id = p.invoice_id
              where (a.kind = 'receivable') <> (p.invoice_id is not null)
                 or (a.kind = 'receivable' and i.client_id is distinct from a.client_id)
              """),
            new Check("invoice whose unpaid amount differs from the postings naming it", """
              select 'invoice ' || i.business_id || '/' || i.id || ': unpaid ' || i.unpaid_minor
                     || ', postings say ' || coalesce(p.total, 0)
              from invoices i
              left join (select business_id, invoice_id, sum(amount_minor) as total
                         from postings where invoice_id is not null group by business_id, invoice_id) p
                on p.business_id = i.business_id and p.invoice_id = i.id
              where i.unpaid_minor <> coalesce(p.total, 0)
              """),
            new Check("client whose balance due is not the sum of their unpaid invoices", """
              select 'client ' || a.business_id || '/' || a.client_id || ': balance due ' || a.balance_minor
                     || ', unpaid invoices ' || coalesce(i.unpaid, 0)
              from accounts a
              left join (select business_id, client_id, sum(unpaid_minor) as unpaid
                         from invoices group by business_id, client_id) i
                on i.business_id = a.business_id and i.client_id = a.client_id
              where a.kind = 'receivable' and a.balance_minor <> coalesce(i.unpaid, 0)
              """),
            new Check("client whose credits are not what is left of their credit grants", """
              select 'client ' || a.business_id || '/' || a.client_id || ': credits ' || a.balance_minor
                     || ', left of grants ' || coalesce(g.remaining, 0)
              from accounts a
              left join (select business_id, client_id, sum(remaining_minor) as remaining
                         from credit_grants group by business_id, client_id) g
                on g.business_id = a.business_id and g.client_id = a.client_id
              where a.kind = 'credits' and a.balance_minor <> coalesce(g.remaining, 0)
              """),
            new Check("credit grant whose remainder is not its amount less its uses", """
              select 'credit grant ' || g.business_id || '/' || g.id || ': ' || g.remaining_minor || ' left of '
                     || g.amount_minor || ', uses took ' || coalesce(u.used, 0)
              from credit_grants g
              left join (select business_id, grant_id, sum(amount_minor) as used
                         from credit_grant_uses group by business_id, grant_id) u
                on u.business_id = g.business_id and u.grant_id = g.id
              where g.remaining_minor <> g.amount_minor - coalesce(u.used, 0)
              """),
            new Check("tender quarter hour whose totals differ from its postings summed so far", """
              select 'tender account ' || coalesce(q.business_id, p.business_id) || '/'
                     || coalesce(q.account_id, p.account_id) || ' at ' || coalesce(q.quarter, p.quarter)
                     || ': stored ' || coalesce(q.taken_minor, 0) || ' taken, ' || coalesce(q.refunded_minor, 0)
                     || ' refunded; postings say ' || coalesce(p.taken, 0) || ', ' || coalesce(p.refunded, 0)
              from tender_quarters q
              full join (select p.business_id, p.account_id,
                                date_bin('15 minutes', p.posted_at, timestamptz '2000-01-01 00:00:00+00') as quarter,
                                sum(greatest(p.amount_minor, 0)) as taken, sum(greatest(-p.amount_minor, 0)) as refunded
                         from postings p
                         join accounts a on a.business_id = p.business_id and a.id = p.account_id
                         left join tender_quarters_through t on t.business_id = a.business_id and t.account_id = a.id
                         where a.kind in ('cash', 'check', 'card', 'external')
                           and p.account_version <= coalesce(t.through_version, 0)
                         group by 1, 2, 3) p
                on p.business_id = q.business_id and p.account_id = q.account_id and p.quarter = q.quarter
              where q.taken_minor is distinct from p.taken or q.refunded_minor is distinct from p.refunded
              """),
            new Check("void gift card that still holds value", """
              select 'gift card ' || g.business_id || '/' || g.id || ' is void but holds ' || a.balance_minor
              from gift_cards g
              join accounts a on a.business_id = g.business_id and a.gift_card_id = g.id
              where g.voided_at is not null and a.balance_minor <> 0
              """));

    public Report verify(Handle handle) {
        final List<String> violations = new ArrayList<>();
        for (Check check : CHECKS) {
            final List<String> found = handle.createQuery(check.sql() + " limit " + (EXAMPLES_MAX + 1))
                    .mapTo(String.class)
                    .list();
            for (int index = 0; index < Math.min(found.size(), EXAMPLES_MAX); index++) {
                violations.add(check.name() + ": " + found.get(index));
            }
            if (found.size() > EXAMPLES_MAX) {
                violations.add(check.name() + ": and more");
            }
        }
        return new Report(
                count(handle, "journal_entries"),
                count(handle, "postings"),
                count(handle, "accounts"),
                List.copyOf(violations));
    }

    private static long count(Handle handle, String table) {
        return handle.createQuery("select count(*) from " + table)
                .mapTo(Long.class)
                .one();
    }
}

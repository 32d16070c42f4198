package dev.settle.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.business.ApiKeys;
import dev.settle.business.Businesses;
import dev.settle.clients.ClientMoney;
import dev.settle.clients.Clients;
import dev.settle.invoices.Invoices;
import dev.settle.ledger.Actor;
import dev.settle.ledger.Ledger;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * Reports at an instant start from today's stored figures and take back what later entries did.
 * Over random dated activity, each must equal the same report replayed from the raw postings up to
 * the instant (the reference queries below read nothing else). Prints its seed on failure; replay
 * with {@code -Dsettle.seed=N}.
 */
class ReportsAsOfPropertiesTest {
    private static final List<ZoneId> ZONES =
            List.of(ZoneId.of("America/New_York"), ZoneId.of("Asia/Kathmandu"), ZoneId.of("Australia/Adelaide"));
    /** The zone days are counted in; +5:45 and +9:30/+10:30 try the quarter-hour totals' claim. */
    private ZoneId zone = ZONES.getFirst();

    private static final Ledger ledger = new Ledger();
    private static final ClientMoney money =
            new ClientMoney(ledger, new Clients(ledger), new Businesses(ledger, new ApiKeys()), new Invoices());

    private final Jdbi jdbi = TestDatabase.get().jdbi();
    private final Reports reports = new Reports();

    @Test
    void everyReportAtAnInstantEqualsTheLedgerReplayedToThatInstant() {
        final long seed = Long.getLong("settle.seed", System.nanoTime());
        try {
            check(seed);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("property failed with seed " + seed + " (replay: -Dsettle.seed=" + seed + ")", e);
        }
    }

    private void check(long seed) {
        final Random random = new Random(seed);
        zone = ZONES.get(random.nextInt(ZONES.size()));
        final TestBusiness salon = TestBusiness.create();
        final List<Clients.Client> clients =
                List.of(salon.aClient("Ana Silva"), salon.aClient("Ben Okafor"), salon.aClient("Cleo Park"));
        final OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).minusDays(170);
        final List<OffsetDateTime> times = new ArrayList<>();
        // The tender summary is brought up to date part way: the report must add what is past its mark.
        final int summedAfter = random.nextInt(80);
        for (int step = 0; step < 80; step++) {
            if (step == summedAfter) {
                new TenderQuarters().catchUp(jdbi);
                if (!times.isEmpty()) {
                    // Cash taken in the quarter hour the job just summed: half summed, half not.
                    salon.openPayment(clients.getFirst(), 1_00, times.getLast().plusSeconds(90));
                }
            }
            final OffsetDateTime at = start.plusDays(2L * step).plusMinutes(random.nextInt(2 * 24 * 60 - 10));
            times.add(at);
            final Clients.Client client = clients.get(random.nextInt(clients.size()));
            final long amount = 1_00 + random.nextInt(200_00);
            switch (random.nextInt(8)) {
                case 0, 1 -> salon.charge(client, amount, at);
                case 2 -> {
                    salon.openPayment(client, amount, at);
                    if (random.nextBoolean()) {
                        dated(
                                at.plusMinutes(1),
                                handle -> money.refundOpenPayment(
                                        handle,
                                        salon.id(),
                                        client.id(),
                                        ClientMoney.Payment.of(amount / 2, ClientMoney.Tender.CASH, null, null),
                                        Actor.system()));
                    }
                }
                case 3 ->
                    salon.credit(client, amount, Optional.of(at.toLocalDate().plusDays(random.nextInt(60))), at);
                case 4 ->
                    dated(
                            at,
                            handle -> money.receivePayment(
                                    handle,
                                    salon.id(),
                                    client.id(),
                                    ClientMoney.Payment.of(amount, ClientMoney.Tender.CARD, null, null),
                                    Actor.system()));
                case 5, 6 -> {
                    final ClientMoney.Funds funds =
                            random.nextBoolean() ? ClientMoney.Funds.CREDITS : ClientMoney.Funds.OPEN_PAYMENTS;
                    final long available = salon.balance(
                            funds == ClientMoney.Funds.CREDITS
                                    ? client.credits().id()
                                    : client.openPayments().id());
                    if (available > 0 && salon.balance(client.receivable().id()) > 0) {
                        dated(
                                at,
                                handle -> money.applyFunds(
                                        handle, salon.id(), client.id(), funds, Optional.empty(), Actor.system()));
                    }
                }
                default -> salon.giftCard(5_00 + amount, at);
            }
        }
        final List<Instant> instants = new ArrayList<>(List.of(
                start.minusDays(1).toInstant(), Instant.now(), times.getLast().toInstant()));
        for (int pick = 0; pick < 6; pick++) {
            instants.add(times.get(random.nextInt(times.size())).toInstant());
            instants.add(times.get(random.nextInt(times.size())).plusSeconds(1).toInstant());
        }
        for (Instant asOf : instants) {
            jdbi.useHandle(handle -> compare(handle, salon.id(), asOf));
        }
    }

    private void compare(Handle handle, long businessId, Instant asOf) {
        final OffsetDateTime at = OffsetDateTime.ofInstant(asOf, ZoneOffset.UTC);
        final String when = "as of " + at;

        final Reports.TrialBalance trial = reports.trialBalance(handle, businessId, asOf);
        final Map<String, List<Long>> trialByKind = new TreeMap<>();
        trial.lines().stream()
                .filter(line -> line.debitMinor() != 0 || line.creditMinor() != 0)
                .forEach(line -> trialByKind.put(line.kind().dbName, List.of(line.debitMinor(), line.creditMinor())));
        assertThat(trialByKind).as("trial balance " + when).isEqualTo(referenceTrialBalance(handle, businessId, at));

        final Map<Long, List<Long>> aging = new TreeMap<>();
        reports.aging(handle, businessId, asOf, zone)
                .rows()
                .forEach(row -> aging.put(
                        row.clientId(),
                        Arrays.stream(row.byBucketMinor()).boxed().toList()));
        assertThat(aging).as("aging " + when).isEqualTo(referenceAging(handle, businessId, asOf));

        final Reports.Liability liability = reports.liability(handle, businessId, asOf);
        assertThat(liability.openPayments())
                .as("open payments " + when)
                .isEqualTo(referenceOpenPayments(handle, businessId, at, at));
        assertThat(liability.credits()).as("credits " + when).isEqualTo(referenceCredits(handle, businessId, at));
        assertThat(liability.giftCards())
                .as("gift cards " + when)
                .isEqualTo(referenceGiftCards(handle, businessId, at));

        final Reports.Breakage breakage = reports.breakage(handle, businessId, asOf, zone, 1);
        final OffsetDateTime since = asOf.atZone(zone).minusMonths(1).toOffsetDateTime();
        assertThat(breakage.openPayments())
                .as("dormant open payments " + when)
                .isEqualTo(referenceOpenPayments(handle, businessId, at, since));
        assertThat(breakage.giftCards().stream()
                        .mapToLong(Reports.Holding::balanceMinor)
                        .sum())
                .as("dormant gift cards " + when)
                .isEqualTo(referenceDormantGiftCards(handle, businessId, at, since));

        final LocalDate day = asOf.atZone(zone).toLocalDate();
        assertThat(reports.tenderSummary(handle, businessId, day.minusDays(40), day, zone)
                        .days())
                .as("tenders to " + day)
                .isEqualTo(referenceTenders(handle, businessId, day.minusDays(40), day));
    }

    /** Each account's raw balance at the instant from its postings, summed by kind on its side. */
    private static Map<String, List<Long>> referenceTrialBalance(Handle handle, long businessId, OffsetDateTime at) {
        final Map<String, List<Long>> byKind = new TreeMap<>();
        handle.createQuery("""
                        select a.kind, sum(greatest(b.raw, 0)) as debit, sum(greatest(-b.raw, 0)) as credit
                        from accounts a
                        join (select account_id, sum(amount_minor) as raw from postings
                              where business_id = :business_id and posted_at <= :as_of group by account_id) b
                          on b.account_id = a.id
                        where a.business_id = :business_id
                        group by a.kind
                        having sum(greatest(b.raw, 0)) <> 0 or sum(greatest(-b.raw, 0)) <> 0
                        """)
                .bind("business_id", businessId)
                .bind("as_of", at)
                .map((rs, ctx) -> Map.entry(rs.getString(1), List.of(rs.getLong(2), rs.getLong(3))))
                .forEach(entry -> byKind.put(entry.getKey(), entry.getValue()));
        return byKind;
    }

    private Map<Long, List<Long>> referenceAging(Handle handle, long businessId, Instant asOf) {
        final LocalDate day = asOf.atZone(zone).toLocalDate();
        final Map<Long, long[]> byClient = new TreeMap<>();
        handle.createQuery("""
                        select i.client_id, i.issued_at, sum(p.amount_minor) as owed
                        from postings p
                        join invoices i on i.business_id = p.business_id and i.id = p.invoice_id
                        where p.business_id = :business_id and p.posted_at <= :as_of
                        group by i.id, i.client_id, i.issued_at
                        having sum(p.amount_minor) <> 0
                        """)
                .bind("business_id", businessId)
                .bind("as_of", OffsetDateTime.ofInstant(asOf, ZoneOffset.UTC))
                .map((rs, ctx) -> {
                    final LocalDate issued = rs.getObject("issued_at", OffsetDateTime.class)
                            .atZoneSameInstant(zone)
                            .toLocalDate();
                    byClient.computeIfAbsent(rs.getLong("client_id"), id -> new long[Reports.Bucket.values().length])[
                                    Reports.Bucket.of(ChronoUnit.DAYS.between(issued, day))
                                            .ordinal()] +=
                            rs.getLong("owed");
                    return 0;
                })
                .list();
        final Map<Long, List<Long>> result = new TreeMap<>();
        byClient.forEach((client, buckets) ->
                result.put(client, Arrays.stream(buckets).boxed().toList()));
        return result;
    }

    /** Every client's open payments from their last posting at the instant. */
    private static List<Reports.Holding> referenceOpenPayments(
            Handle handle, long businessId, OffsetDateTime at, OffsetDateTime since) {
        return handle.createQuery("""
                        select c.id, c.name, p.balance_after_minor, p.posted_at
                        from accounts a
                        join clients c on c.business_id = a.business_id and c.id = a.client_id
                        join lateral (select balance_after_minor, posted_at from postings
                                      where business_id = a.business_id and account_id = a.id and posted_at <= :as_of
                                      order by account_version desc limit 1) p on true
                        where a.business_id = :business_id and a.kind = 'open_payments'
                          and p.balance_after_minor <> 0 and p.posted_at <= :since
                        order by c.name, c.id
                        """)
                .bind("business_id", businessId)
                .bind("as_of", at)
                .bind("since", since)
                .map((rs, ctx) -> new Reports.Holding(
                        rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getObject(4, OffsetDateTime.class)))
                .list();
    }

    /** Each grant's amount less the uses by entries up to the instant, by reason. */
    private static List<Reports.SourceLine> referenceCredits(Handle handle, long businessId, OffsetDateTime at) {
        return handle.createQuery("""
                        select coalesce(o.reason, 'other'),
                               count(distinct g.client_id) filter (where g.left_minor > 0),
                               sum(g.left_minor)
                        from (select g.business_id, g.client_id, g.entry_id,
                                     g.amount_minor - coalesce((
                                         select sum(u.amount_minor) from credit_grant_uses u
                                         join journal_entries ue on ue.business_id = u.business_id and ue.id = u.entry_id
                                         where u.business_id = g.business_id and u.grant_id = g.id
                                           and ue.effective_at <= :as_of), 0) as left_minor
                              from credit_grants g
                              join journal_entries ge on ge.business_id = g.business_id and ge.id = g.entry_id
                              where g.business_id = :business_id and ge.effective_at <= :as_of) g
                        left join client_operations o on o.business_id = g.business_id and o.entry_id = g.entry_id
                        group by 1
                        having sum(g.left_minor) <> 0
                        order by 1
                        """)
                .bind("business_id", businessId)
                .bind("as_of", at)
                .map((rs, ctx) -> new Reports.SourceLine(rs.getString(1), rs.getLong(2), rs.getLong(3)))
                .list();
    }

    private static List<Reports.SourceLine> referenceGiftCards(Handle handle, long businessId, OffsetDateTime at) {
        return handle.createQuery("""
                        select g.funded_by, count(*), sum(b.raw)
                        from gift_cards g
                        join accounts a on a.business_id = g.business_id and a.gift_card_id = g.id
                        join (select account_id, -sum(amount_minor) as raw from postings
                              where business_id = :business_id and posted_at <= :as_of group by account_id) b
                          on b.account_id = a.id
                        where g.business_id = :business_id and b.raw <> 0
                        group by g.funded_by
                        order by g.funded_by desc
                        """)
                .bind("business_id", businessId)
                .bind("as_of", at)
                .map((rs, ctx) -> new Reports.SourceLine(rs.getString(1), rs.getLong(2), rs.getLong(3)))
                .list();
    }

    private static long referenceDormantGiftCards(
            Handle handle, long businessId, OffsetDateTime at, OffsetDateTime since) {
        return handle.createQuery("""
                        select coalesce(sum(b.raw), 0)
                        from (select account_id, -sum(amount_minor) as raw, max(posted_at) as last_moved from postings
                              where business_id = :business_id and posted_at <= :as_of group by account_id) b
                        join accounts a on a.business_id = :business_id and a.id = b.account_id and a.kind = 'gift_card'
                        where b.raw <> 0 and b.last_moved <= :since
                        """)
                .bind("business_id", businessId)
                .bind("as_of", at)
                .bind("since", since)
                .mapTo(Long.class)
                .one();
    }

    private List<Reports.TenderDay> referenceTenders(Handle handle, long businessId, LocalDate from, LocalDate to) {
        final List<Reports.TenderDay> days = new ArrayList<>(handle.createQuery("""
                        select (p.posted_at at time zone :zone)::date, a.kind,
                               sum(greatest(p.amount_minor, 0)), sum(greatest(-p.amount_minor, 0))
                        from accounts a
                        join postings p on p.business_id = a.business_id and p.account_id = a.id
                        where a.business_id = :business_id and a.kind in ('cash', 'check', 'card', 'external')
                          and p.posted_at >= :from and p.posted_at < :until
                        group by 1, 2
                        """)
                .bind("business_id", businessId)
                .bind("zone", zone.getId())
                .bind("from", from.atStartOfDay(zone).toOffsetDateTime())
                .bind("until", to.plusDays(1).atStartOfDay(zone).toOffsetDateTime())
                .map((rs, ctx) -> new Reports.TenderDay(
                        rs.getObject(1, LocalDate.class),
                        dev.settle.ledger.AccountKind.fromDbName(rs.getString(2))
                                .orElseThrow(),
                        rs.getLong(3),
                        rs.getLong(4)))
                .list());
        days.sort(java.util.Comparator.comparing(Reports.TenderDay::day)
                .thenComparing(day -> Reports.TENDERS.indexOf(day.tender())));
        return days;
    }

    private void dated(OffsetDateTime at, org.jdbi.v3.core.HandleCallback<ClientMoney.Outcome, RuntimeException> work) {
        jdbi.inTransaction(handle -> ledger.dated(handle, at, () -> work.withHandle(handle)));
    }
}

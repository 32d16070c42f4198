package dev.settle.demo;

import dev.settle.business.ApiKeys;
import dev.settle.business.Businesses;
import dev.settle.business.Role;
import dev.settle.business.StaffUsers;
import dev.settle.clients.Clients;
import dev.settle.ledger.AccountKind;
import dev.settle.ledger.Actor;
import dev.settle.ledger.EntryRequest;
import dev.settle.ledger.Ledger;
import dev.settle.ledger.PostingRequest;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.jdbi.v3.core.Handle;

/**
 * A salon with staff of each role, clients, and months of history behind them: checkouts split
 * across tenders, pay later, pay-offs, prepaid open payments and referral credits spent later.
 * Seeded, so the same seed tells the same story.
 */
public final class DemoBusiness {
    private static final String DOMAIN = "willowpine.example";
    private static final ZoneId ZONE = ZoneId.of("America/New_York");
    private static final String[] FIRST = {
        "Ava", "Ben", "Chloe", "Diego", "Ella", "Farah", "Grace", "Hugo", "Isla", "Jonah", "Keiko", "Liam", "Maya",
        "Nina", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tara", "Uma", "Victor", "Wen", "Yara", "Zoe"
    };
    private static final String[] LAST = {
        "Abbott", "Brooks", "Castillo", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen",
        "Kowalski", "Lopez", "Murphy", "Nguyen", "Okafor", "Patel", "Reyes", "Silva", "Thompson", "Walsh"
    };

    private record Service(String name, long priceMinor) {}

    private static final Service[] SERVICES = {
        new Service("Haircut", 45_00), new Service("Cut & blow-dry", 65_00), new Service("Colour", 120_00),
        new Service("Highlights", 150_00), new Service("Blowout", 40_00), new Service("Beard trim", 20_00),
        new Service("Manicure", 35_00), new Service("Pedicure", 45_00), new Service("Keratin treatment", 180_00)
    };

    /** A staff member the demo made, with the password it chose for them. */
    public record DemoStaff(Role role, String name, String email, String password) {}

    public record Demo(long businessId, String name, List<DemoStaff> staff, String apiKey, int clients, int entries) {}

    private final Ledger ledger = new Ledger();
    private final ApiKeys apiKeys = new ApiKeys();
    private final StaffUsers staffUsers = new StaffUsers();

    /** Creates the demo business in the caller's transaction. */
    public Demo create(Handle handle, long seed, int clientCount, int days) {
        final Random random = new Random(seed);
        final String name = "Willow & Pine Salon";
        final long earlierDemos = earlierDemos(handle);
        final String suffix = earlierDemos == 0 ? "" : "+" + (earlierDemos + 1);
        final Businesses.CreatedBusiness created = new Businesses(ledger, apiKeys)
                .create(handle, name, "USD", ZONE.getId(), "olivia" + suffix + "@" + DOMAIN, "Olivia Bennett");
        final long businessId = created.business().id();
        final StaffUsers.Added manager =
                staffUsers.add(handle, businessId, "Marco Rossi", "marco" + suffix + "@" + DOMAIN, Role.MANAGER);
        final StaffUsers.Added desk =
                staffUsers.add(handle, businessId, "Frankie Lee", "frankie" + suffix + "@" + DOMAIN, Role.FRONT_DESK);
        // Demo staff sign in with the passwords printed for them, without choosing new ones first.
        handle.createUpdate("update staff_users set must_change_password = false where business_id = :id")
                .bind("id", businessId)
                .execute();
        final List<DemoStaff> staff = List.of(
                new DemoStaff(Role.OWNER, "Olivia Bennett", created.ownerEmail(), created.ownerPassword()),
                new DemoStaff(Role.MANAGER, "Marco Rossi", manager.user().email(), manager.temporaryPassword()),
                new DemoStaff(Role.FRONT_DESK, "Frankie Lee", desk.user().email(), desk.temporaryPassword()));
        final History history = new History(
                handle, businessId, random, manager.user().id(), desk.user().id());
        history.clients(clientCount);
        history.days(days);
        return new Demo(businessId, name, staff, created.apiKey(), clientCount, history.entries);
    }

    /** Demos made before in this database: each gets its own sign-in emails. */
    private static long earlierDemos(Handle handle) {
        return handle.createQuery("select count(*) from staff_users where role = 'owner' and email like :pattern")
                .bind("pattern", "olivia%@" + DOMAIN)
                .mapTo(Long.class)
                .one();
    }

    /** The story, day by day, posted in time order with the balances it builds up kept alongside. */
    private final class History {
        private final Handle handle;
        private final long businessId;
        private final Random random;
        private final Actor manager;
        private final Actor desk;
        private final Map<AccountKind, Long> business = new EnumMap<>(AccountKind.class);
        private final List<Clients.Client> clients = new ArrayList<>();
        private final Map<Long, long[]> held = new HashMap<>();
        private int entries;

        History(Handle handle, long businessId, Random random, long managerId, long deskId) {
            this.handle = handle;
            this.businessId = businessId;
            this.random = random;
            this.manager = Actor.staff(managerId);
            this.desk = Actor.staff(deskId);
            final Businesses businesses = new Businesses(ledger, apiKeys);
            for (AccountKind kind : List.of(
                    AccountKind.CASH, AccountKind.CARD, AccountKind.CHECK, AccountKind.SALES, AccountKind.PROMOTIONS)) {
                business.put(kind, businesses.accountId(handle, businessId, kind));
            }
        }

        void clients(int count) {
            final Clients registry = new Clients(ledger);
            for (int index = 0; index < count; index++) {
                final String first = FIRST[index % FIRST.length];
                final String last = LAST[(index * 7 + index / FIRST.length) % LAST.length];
                final Clients.Client client = registry.create(
                        handle,
                        businessId,
                        first + " " + last,
                        Optional.of((first + "." + last).toLowerCase(Locale.ROOT) + "@mail.example"),
                        Optional.of("(555) %03d-%04d".formatted(100 + index, random.nextInt(10_000))));
                clients.add(client);
                held.put(client.id(), new long[3]);
            }
        }

        void days(int days) {
            final LocalDate first = LocalDate.now(ZONE).minusDays(days);
            for (int day = 0; day < days; day++) {
                final LocalDate date = first.plusDays(day);
                if (date.getDayOfWeek() == DayOfWeek.SUNDAY) {
                    continue;
                }
                // Opening hours, 9:00 to 18:00, in order through the day.
                LocalTime time = LocalTime.of(9, random.nextInt(30));
                final int visits = 2 + random.nextInt(5);
                for (int visit = 0; visit < visits && time.isBefore(LocalTime.of(18, 0)); visit++) {
                    final OffsetDateTime at = date.atTime(time).atZone(ZONE).toOffsetDateTime();
                    event(clients.get(random.nextInt(clients.size())), at);
                    time = time.plusMinutes(35 + random.nextInt(80));
                }
            }
        }

        private void event(Clients.Client client, OffsetDateTime at) {
            final long[] balances = held.get(client.id());
            final int roll = random.nextInt(100);
            if (roll < 6) {
                prepay(client, balances, at);
            } else if (roll < 10) {
                referralCredit(client, balances, at);
            } else {
                checkout(client, balances, at);
            }
        }

        private void checkout(Clients.Client client, long[] balances, OffsetDateTime at) {
            if (balances[RECEIVABLE] > 0 && random.nextInt(100) < 60) {
                final long paid = random.nextInt(100) < 20 ? roundUp(balances[RECEIVABLE]) : balances[RECEIVABLE];
                final List<PostingRequest> postings = new ArrayList<>(List.of(
                        PostingRequest.debit(business.get(tender()), paid),
                        PostingRequest.credit(client.receivable().id(), balances[RECEIVABLE])));
                if (paid > balances[RECEIVABLE]) {
                    postings.add(PostingRequest.credit(client.openPayments().id(), paid - balances[RECEIVABLE]));
                }
                post("balance_payment", "Paid towards balance due", client, desk, postings, at);
                balances[OPEN_PAYMENTS] += paid - balances[RECEIVABLE];
                balances[RECEIVABLE] = 0;
                at = at.plusMinutes(1);
            }
            final Service service = SERVICES[random.nextInt(SERVICES.length)];
            long due = service.priceMinor();
            final List<PostingRequest> postings = new ArrayList<>();
            postings.add(PostingRequest.credit(business.get(AccountKind.SALES), due));
            final long fromCredits = Math.min(balances[CREDITS], due);
            if (fromCredits > 0) {
                postings.add(PostingRequest.debit(client.credits().id(), fromCredits));
                balances[CREDITS] -= fromCredits;
                due -= fromCredits;
            }
            final long fromOpenPayments = Math.min(balances[OPEN_PAYMENTS], due);
            if (fromOpenPayments > 0) {
                postings.add(PostingRequest.debit(client.openPayments().id(), fromOpenPayments));
                balances[OPEN_PAYMENTS] -= fromOpenPayments;
                due -= fromOpenPayments;
            }
            if (due > 0 && random.nextInt(100) < 15) {
                final long later = random.nextBoolean() ? due : due / 2;
                postings.add(PostingRequest.debit(client.receivable().id(), later));
                balances[RECEIVABLE] += later;
                due -= later;
            }
            if (due > 0) {
                postings.add(PostingRequest.debit(business.get(tender()), due));
            }
            post("checkout", service.name(), client, desk, postings, at);
        }

        private void prepay(Clients.Client client, long[] balances, OffsetDateTime at) {
            final long amount = random.nextBoolean() ? 100_00 : 200_00;
            final AccountKind tender = random.nextBoolean() ? AccountKind.CHECK : AccountKind.CARD;
            post(
                    "open_payment",
                    tender == AccountKind.CHECK
                            ? "Prepaid by check #" + (1000 + random.nextInt(9000))
                            : "Prepaid by card",
                    client,
                    desk,
                    List.of(
                            PostingRequest.debit(business.get(tender), amount),
                            PostingRequest.credit(client.openPayments().id(), amount)),
                    at);
            balances[OPEN_PAYMENTS] += amount;
        }

        private void referralCredit(Clients.Client client, long[] balances, OffsetDateTime at) {
            final long amount = random.nextBoolean() ? 10_00 : 15_00;
            post(
                    "credit",
                    "Referral reward",
                    client,
                    manager,
                    List.of(
                            PostingRequest.debit(business.get(AccountKind.PROMOTIONS), amount),
                            PostingRequest.credit(client.credits().id(), amount)),
                    at);
            balances[CREDITS] += amount;
        }

        private void post(
                String kind,
                String memo,
                Clients.Client client,
                Actor actor,
                List<PostingRequest> postings,
                OffsetDateTime at) {
            ledger.postDated(
                    handle,
                    new EntryRequest(
                            businessId,
                            kind,
                            Optional.of(memo),
                            actor,
                            Optional.of(client.id()),
                            Optional.empty(),
                            postings),
                    at);
            entries++;
        }

        private AccountKind tender() {
            final int roll = random.nextInt(100);
            return roll < 25 ? AccountKind.CASH : roll < 90 ? AccountKind.CARD : AccountKind.CHECK;
        }

        /** What a client hands over to settle a balance: the next multiple of $20. */
        private static long roundUp(long amountMinor) {
            return (amountMinor / 20_00 + 1) * 20_00;
        }
    }

    private static final int RECEIVABLE = 0;
    private static final int OPEN_PAYMENTS = 1;
    private static final int CREDITS = 2;
}

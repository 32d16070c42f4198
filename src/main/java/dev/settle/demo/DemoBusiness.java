package dev.settle.demo;

import dev.settle.business.ApiKeys;
import dev.settle.business.Businesses;
import dev.settle.business.Role;
import dev.settle.business.StaffUsers;
import dev.settle.clients.Approvals;
import dev.settle.clients.ClientMoney;
import dev.settle.clients.Clients;
import dev.settle.clients.Households;
import dev.settle.invoices.Invoices;
import dev.settle.ledger.Actor;
import dev.settle.ledger.Ledger;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import org.jdbi.v3.core.Handle;

/**
 * A salon with staff of each role, clients, and months of history behind them: visits paid by
 * several tenders, left partly on the balance due, paid off later (rounded up, the rest kept as an
 * open payment), prepaid open payments and referral credits spent later, some expiring.
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
        history.household();
        history.days(days);
        history.waitingForApproval();
        return new Demo(businessId, name, staff, created.apiKey(), clientCount, history.entries);
    }

    /** Demos made before in this database: each gets its own sign-in emails. */
    private static long earlierDemos(Handle handle) {
        return handle.createQuery("select count(*) from staff_users where role = 'owner' and email like :pattern")
                .bind("pattern", "olivia%@" + DOMAIN)
                .mapTo(Long.class)
                .one();
    }

    /** The story, day by day, told through the same operations the staff pages use, each dated. */
    private final class History {
        private final Handle handle;
        private final long businessId;
        private final Random random;
        private final Actor manager;
        private final Actor desk;
        private final Clients registry = new Clients(ledger);
        private final ClientMoney money;
        private final List<Clients.Client> clients = new ArrayList<>();
        private int entries;

        History(Handle handle, long businessId, Random random, long managerId, long deskId) {
            this.handle = handle;
            this.businessId = businessId;
            this.random = random;
            this.manager = Actor.staff(managerId);
            this.desk = Actor.staff(deskId);
            this.money = new ClientMoney(ledger, registry, new Businesses(ledger, apiKeys), new Invoices());
        }

        void clients(int count) {
            for (int index = 0; index < count; index++) {
                final String first = FIRST[index % FIRST.length];
                final String last = LAST[(index * 7 + index / FIRST.length) % LAST.length];
                clients.add(registry.create(
                        handle,
                        businessId,
                        first + " " + last,
                        Optional.of((first + "." + last).toLowerCase(Locale.ROOT) + "@mail.example"),
                        Optional.of("(555) %03d-%04d".formatted(100 + index, random.nextInt(10_000)))));
            }
        }

        /** The first client and the next with their surname are a family: one pool of funds. */
        void household() {
            final Clients.Client first = clients.getFirst();
            final String surname = first.name().substring(first.name().lastIndexOf(' '));
            clients.stream()
                    .skip(1)
                    .filter(client -> client.name().endsWith(surname))
                    .findFirst()
                    .ifPresent(
                            relative -> new Households(registry).join(handle, businessId, relative.id(), first.id()));
        }

        /**
         * Changes above $100 need a second manager: one charge Marco asked for waits for Olivia (the
         * owner) to approve or reject it.
         */
        void waitingForApproval() {
            handle.createUpdate("update businesses set adjustment_approval_limit_minor = 10000 where id = :id")
                    .bind("id", businessId)
                    .execute();
            final Clients.Client client = clients.get(clients.size() - 1);
            final ClientMoney.Charge charge =
                    ClientMoney.Charge.of(180_00, "No-show for a three-hour colour appointment");
            new Approvals(money)
                    .submit(
                            handle,
                            businessId,
                            client.id(),
                            Approvals.Kind.CHARGE,
                            charge.amountMinor(),
                            java.util.Map.of("reason", charge.reason()),
                            manager,
                            () -> money.charge(handle, businessId, client.id(), charge, manager));
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
                    event(clients.get(random.nextInt(clients.size())).id(), at);
                    time = time.plusMinutes(35 + random.nextInt(80));
                }
            }
        }

        private void event(long clientId, OffsetDateTime at) {
            final int roll = random.nextInt(100);
            if (roll < 6) {
                prepay(clientId, at);
            } else if (roll < 10) {
                referralCredit(clientId, at);
            } else {
                visit(clientId, at);
            }
        }

        /**
         * A visit: sometimes the client first pays off what they owe (often rounding up, the rest kept
         * as an open payment); the service is invoiced; credits and open payments go towards it; the
         * rest is paid by a tender, or some of it left on the balance due.
         */
        private void visit(long clientId, OffsetDateTime at) {
            final long owed = client(clientId).receivable().balanceMinor();
            if (owed > 0 && random.nextInt(100) < 60) {
                final long paid = random.nextInt(100) < 20 ? roundUp(owed) : owed;
                dated(at, () -> money.receivePayment(handle, businessId, clientId, payment(paid), desk));
                at = at.plusMinutes(1);
            }
            final Service service = SERVICES[random.nextInt(SERVICES.length)];
            dated(
                    at,
                    () -> money.openInvoice(
                            handle,
                            businessId,
                            clientId,
                            List.of(new Invoices.Line(
                                    Invoices.LineKind.SERVICE, service.name(), 1, service.priceMinor())),
                            desk));
            long rest = service.priceMinor();
            for (ClientMoney.Funds funds : ClientMoney.Funds.values()) {
                final Clients.Client client = client(clientId);
                final long held = funds == ClientMoney.Funds.CREDITS
                        ? client.credits().balanceMinor()
                        : client.openPayments().balanceMinor();
                final long applied = Math.min(held, rest);
                if (applied > 0) {
                    dated(at, () -> money.applyFunds(handle, businessId, clientId, funds, Optional.of(applied), desk));
                    rest -= applied;
                }
            }
            if (rest > 0 && random.nextInt(100) < 15) {
                rest = random.nextBoolean() ? 0 : rest / 2;
            }
            if (rest > 0) {
                final long paid = rest;
                dated(at, () -> money.receivePayment(handle, businessId, clientId, payment(paid), desk));
            }
        }

        private void prepay(long clientId, OffsetDateTime at) {
            final long amount = random.nextBoolean() ? 100_00 : 200_00;
            final ClientMoney.Payment payment = random.nextBoolean()
                    ? ClientMoney.Payment.of(
                            amount, ClientMoney.Tender.CHECK, String.valueOf(1000 + random.nextInt(9000)), "Prepaid")
                    : ClientMoney.Payment.of(amount, ClientMoney.Tender.CARD, null, "Prepaid");
            dated(at, () -> money.receiveOpenPayment(handle, businessId, clientId, payment, desk));
        }

        private void referralCredit(long clientId, OffsetDateTime at) {
            final long amount = random.nextBoolean() ? 10_00 : 15_00;
            final LocalDate day = at.atZoneSameInstant(ZONE).toLocalDate();
            final ClientMoney.Credit credit = ClientMoney.Credit.of(
                    amount,
                    ClientMoney.CreditReason.REFERRAL,
                    "Referred a friend",
                    random.nextBoolean() ? Optional.of(day.plusDays(90)) : Optional.empty(),
                    day);
            dated(at, () -> money.issueCredit(handle, businessId, clientId, credit, manager));
        }

        private ClientMoney.Payment payment(long amountMinor) {
            final int roll = random.nextInt(100);
            if (roll < 25) {
                return ClientMoney.Payment.of(amountMinor, ClientMoney.Tender.CASH, null, null);
            }
            if (roll < 90) {
                return ClientMoney.Payment.of(amountMinor, ClientMoney.Tender.CARD, null, null);
            }
            return ClientMoney.Payment.of(
                    amountMinor, ClientMoney.Tender.CHECK, String.valueOf(1000 + random.nextInt(9000)), null);
        }

        private Clients.Client client(long clientId) {
            return registry.find(handle, businessId, clientId).orElseThrow();
        }

        private void dated(OffsetDateTime at, java.util.function.Supplier<ClientMoney.Outcome> operation) {
            ledger.dated(handle, at, operation);
            entries++;
        }

        /** What a client hands over to settle a balance: the next multiple of $20. */
        private static long roundUp(long amountMinor) {
            return (amountMinor / 20_00 + 1) * 20_00;
        }
    }
}

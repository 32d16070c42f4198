package dev.settle.demo;

import dev.settle.business.ApiKeys;
import dev.settle.business.Businesses;
import dev.settle.business.Role;
import dev.settle.business.StaffUsers;
import dev.settle.clients.Approvals;
import dev.settle.clients.ClientMoney;
import dev.settle.clients.Clients;
import dev.settle.clients.Households;
import dev.settle.giftcards.GiftCards;
import dev.settle.invoices.Checkouts;
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
        history.giftCards(days);
        history.days(days);
        history.waitingForApproval();
        // The portal shows clients their funds, and takes cards through the test processor.
        handle.createUpdate("update businesses set portal_shows_funds = true, card_processor = 'test' where id = :id")
                .bind("id", businessId)
                .execute();
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
        private final Checkouts checkouts;
        private final GiftCards giftCards;
        private final Households households;
        private final List<Clients.Client> clients = new ArrayList<>();
        private int entries;

        History(Handle handle, long businessId, Random random, long managerId, long deskId) {
            this.handle = handle;
            this.businessId = businessId;
            this.random = random;
            this.manager = Actor.staff(managerId);
            this.desk = Actor.staff(deskId);
            final Businesses businesses = new Businesses(ledger, apiKeys);
            final Invoices invoices = new Invoices();
            this.money = new ClientMoney(ledger, registry, businesses, invoices);
            this.giftCards = new GiftCards(ledger, businesses, registry);
            this.checkouts = new Checkouts(ledger, registry, businesses, invoices, money, giftCards);
            this.households = new Households(registry);
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

        /**
         * Gift cards: three sold at the desk, one redeemed in part on a later visit,
         * one loaded onto a client's account, and one given away as a raffle prize.
         */
        void giftCards(int days) {
            // Just before the daily visits begin: every entry is dated after the ones before it.
            final LocalDate start = LocalDate.now(ZONE).minusDays(days + 5L);
            final List<GiftCards.Issued> sold = new ArrayList<>();
            for (int card = 0; card < 3; card++) {
                final long amount = List.of(50_00L, 100_00L, 75_00L).get(card);
                final OffsetDateTime at =
                        start.plusDays(card).atTime(11, 15).atZone(ZONE).toOffsetDateTime();
                final Checkouts.Request request = new Checkouts.Request(
                        0,
                        List.of(Checkouts.Payment.of("card", amount, null, null, "4242", null, "tenders")),
                        0,
                        false);
                ledger.dated(handle, at, () -> {
                    final Invoices.Invoice draft = checkouts
                            .draft(
                                    handle,
                                    businessId,
                                    Optional.empty(),
                                    List.of(new Invoices.Line(Invoices.LineKind.GIFT_CARD, "Gift card", 1, amount)),
                                    desk)
                            .invoice();
                    sold.addAll(checkouts
                            .checkout(handle, businessId, draft.id(), request, desk)
                            .giftCardsSold());
                    return draft;
                });
                entries++;
            }
            final Clients.Client redeemer = clients.get(2);
            final OffsetDateTime later =
                    start.plusDays(2).atTime(15, 40).atZone(ZONE).toOffsetDateTime();
            final Checkouts.Request redeem = new Checkouts.Request(
                    0,
                    List.of(Checkouts.Payment.of(
                            "gift_card", 45_00L, null, null, null, sold.get(1).code(), "tenders")),
                    0,
                    false);
            dated(later, () -> {
                final Invoices.Invoice draft = checkouts
                        .draft(
                                handle,
                                businessId,
                                Optional.of(redeemer.id()),
                                List.of(new Invoices.Line(Invoices.LineKind.SERVICE, "Cut & blow-dry", 1, 45_00)),
                                desk)
                        .invoice();
                return checkouts.checkout(handle, businessId, draft.id(), redeem, desk);
            });
            dated(
                    later.plusHours(1),
                    () -> giftCards.loadToClient(
                            handle,
                            businessId,
                            sold.get(2).card().id(),
                            clients.get(3).id(),
                            desk));
            dated(
                    later.plusDays(1),
                    () -> giftCards.promote(
                            handle, businessId, 25_00, "Spring raffle prize", Optional.of("Raffle winner"), manager));
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
            } else if (roll < 14) {
                payBalance(clientId, at);
            } else {
                visit(clientId, at);
            }
        }

        /**
         * A visit. Most are checked out at the desk in one go: a tip sometimes, the older balance
         * due often paid off on the same ticket, credits and open payments first, then cash (with
         * change), card or check, and now and then some left on the balance due. A few are left as
         * open invoices, pet-sitter style, for the client to pay later.
         */
        private void visit(long clientId, OffsetDateTime at) {
            final Service service = SERVICES[random.nextInt(SERVICES.length)];
            final Invoices.Line serviceLine =
                    new Invoices.Line(Invoices.LineKind.SERVICE, service.name(), 1, service.priceMinor());
            if (random.nextInt(100) < 12) {
                dated(at, () -> money.openInvoice(handle, businessId, clientId, List.of(serviceLine), desk));
                return;
            }
            final Clients.Client client = client(clientId);
            final List<Invoices.Line> lines = new ArrayList<>(List.of(serviceLine));
            if (random.nextInt(100) < 40) {
                lines.add(new Invoices.Line(Invoices.LineKind.TIP, "Tip", 1, service.priceMinor() / 500 * 100));
            }
            final long owed = client.receivable().balanceMinor();
            final long payOff = owed > 0 && random.nextInt(100) < 70 ? owed : 0;
            long due = lines.stream().mapToLong(Invoices.Line::amountMinor).sum() + payOff;
            final Households.Household household = households.of(handle, client);
            final List<Checkouts.Payment> tenders = new ArrayList<>();
            for (Checkouts.Tender funds : List.of(Checkouts.Tender.CREDIT, Checkouts.Tender.OPEN_PAYMENT)) {
                final long held =
                        funds == Checkouts.Tender.CREDIT ? household.creditsMinor() : household.openPaymentsMinor();
                final long used = Math.min(held, due);
                if (used > 0) {
                    tenders.add(Checkouts.Payment.of(funds.dbName, used, null, null, null, null, "tenders"));
                    due -= used;
                }
            }
            final long payLater = due > 0 && random.nextInt(100) < 15 ? (random.nextBoolean() ? due : due / 2) : 0;
            due -= payLater;
            boolean keep = false;
            if (due > 0) {
                final int roll = random.nextInt(100);
                if (roll < 25) {
                    tenders.add(Checkouts.Payment.of("cash", due, roundUp(due), null, null, null, "tenders"));
                } else if (roll < 90) {
                    // Paying off a balance, some round up and keep the rest on account.
                    keep = payOff > 0 && payLater == 0 && random.nextInt(100) < 25;
                    tenders.add(Checkouts.Payment.of(
                            "card",
                            keep ? roundUp(due) : due,
                            null,
                            null,
                            "%04d".formatted(random.nextInt(10_000)),
                            null,
                            "tenders"));
                } else {
                    tenders.add(Checkouts.Payment.of(
                            "check", due, null, String.valueOf(1000 + random.nextInt(9000)), null, null, "tenders"));
                }
            }
            final Checkouts.Request request = new Checkouts.Request(payOff, tenders, payLater, keep);
            dated(at, () -> {
                final Invoices.Invoice draft = checkouts
                        .draft(handle, businessId, Optional.of(clientId), lines, desk)
                        .invoice();
                return checkouts.checkout(handle, businessId, draft.id(), request, desk);
            });
        }

        /** A client pays what they owe between visits, by check, rounded up: the rest stays on account. */
        private void payBalance(long clientId, OffsetDateTime at) {
            final long owed = client(clientId).receivable().balanceMinor();
            if (owed > 0) {
                dated(
                        at,
                        () -> money.receivePayment(
                                handle,
                                businessId,
                                clientId,
                                ClientMoney.Payment.of(
                                        roundUp(owed),
                                        ClientMoney.Tender.CHECK,
                                        String.valueOf(1000 + random.nextInt(9000)),
                                        null),
                                desk));
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

        private Clients.Client client(long clientId) {
            return registry.find(handle, businessId, clientId).orElseThrow();
        }

        private void dated(OffsetDateTime at, java.util.function.Supplier<?> operation) {
            ledger.dated(handle, at, operation);
            entries++;
        }

        /** What a client hands over to settle a balance: the next multiple of $20. */
        private static long roundUp(long amountMinor) {
            return (amountMinor / 20_00 + 1) * 20_00;
        }
    }
}

package dev.settle.statements;

import dev.settle.Problem;
import dev.settle.business.BusinessSettings;
import dev.settle.business.DateInput;
import dev.settle.business.TextInput;
import dev.settle.clients.ClientHistory;
import dev.settle.clients.Clients;
import dev.settle.mail.Outbox;
import dev.settle.web.Formats;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * A client's statement for a range of days: the balances at the start, every movement in between
 * (oldest first, each with the balances after it), and the balances at the end. Read off the
 * ledger, so opening plus the movements is the closing, to the cent.
 */
public final class Statements {
    /** Movements one statement holds; a longer period is refused, so a statement is never cut short. */
    public static final int MOVEMENTS_MAX = 2_000;

    /** Days one statement may cover. */
    static final int DAYS_MAX = 3_660;

    private final Clients clients;
    private final Outbox outbox;
    private final ClientHistory history = new ClientHistory();

    public Statements(Clients clients, Outbox outbox) {
        this.clients = clients;
        this.outbox = outbox;
    }

    /** The days a statement covers, in the business's time zone. */
    public record Period(LocalDate from, LocalDate to) {
        /**
         * From the typed dates; a blank first day is the first of the last day's month, a blank last
         * day is today. Refused: a last day after today, a first day after the last.
         */
        public static Period of(String typedFrom, String typedTo, ZoneId zone) {
            final LocalDate today = LocalDate.now(zone);
            final LocalDate to = blank(typedTo) ? today : DateInput.parse(typedTo, "to");
            if (to.isAfter(today)) {
                throw Problem.validation("to", "Choose a last day up to today");
            }
            final LocalDate from = blank(typedFrom) ? to.withDayOfMonth(1) : DateInput.parse(typedFrom, "from");
            if (from.isAfter(to)) {
                throw Problem.validation("from", "Choose a first day on or before the last day");
            }
            if (ChronoUnit.DAYS.between(from, to) >= DAYS_MAX) {
                throw Problem.validation("from", "Choose at most ten years");
            }
            return new Period(from, to);
        }

        /** The days typed; or, when they will not do, this month and the problem to show beside its field. */
        public static Chosen chosen(String typedFrom, String typedTo, ZoneId zone) {
            try {
                return new Chosen(of(typedFrom, typedTo, zone), Optional.empty());
            } catch (Problem problem) {
                return new Chosen(of("", "", zone), Optional.of(problem));
            }
        }

        private static boolean blank(String text) {
            return text == null || text.isBlank();
        }
    }

    /** The days a page shows, and why not those typed, if it is so. */
    public record Chosen(Period period, Optional<Problem> problem) {}

    public record Statement(
            BusinessSettings.Settings business,
            Clients.Client client,
            Period period,
            Clients.Balances opening,
            Clients.Balances closing,
            List<ClientHistory.Row> movements,
            boolean showsFunds) {}

    /**
     * The statement of {@code client} for {@code period}. With {@code showsFunds} false (the
     * portal of a business that keeps funds private), only movements of the balance due are listed.
     */
    public Statement build(
            Handle handle,
            BusinessSettings.Settings business,
            Clients.Client client,
            Period period,
            boolean showsFunds) {
        final ZoneId zone = business.timeZone();
        final Instant start = period.from().atStartOfDay(zone).toInstant();
        final Instant end =
                period.to().plusDays(1).atStartOfDay(zone).toInstant().minusNanos(1_000);
        final ClientHistory.Filter filter =
                new ClientHistory.Filter(Optional.empty(), Optional.of(start), Optional.of(end));
        // Counted first: paging through the movements to find there are too many took half a
        // second a time, and 32 such requests at once held every connection of the pool.
        if (history.count(handle, client, filter) > MOVEMENTS_MAX) {
            throw Problem.validation(
                    "from", "More than " + MOVEMENTS_MAX + " movements in these days: choose a shorter period");
        }
        final List<ClientHistory.Row> newestFirst = new ArrayList<>();
        Optional<Long> olderThan = Optional.empty();
        do {
            final ClientHistory.Page page = history.page(handle, client, filter, olderThan, ClientHistory.LIMIT_MAX);
            newestFirst.addAll(page.rows());
            olderThan = page.olderThanEntryId();
        } while (olderThan.isPresent());
        final List<ClientHistory.Row> movements = new ArrayList<>(newestFirst.reversed());
        if (!showsFunds) {
            movements.removeIf(row -> row.balanceDueChangeMinor() == 0);
        }
        return new Statement(
                business,
                client,
                period,
                clients.balancesAt(handle, client, start.minusNanos(1_000)),
                clients.balancesAt(handle, client, end),
                List.copyOf(movements),
                showsFunds);
    }

    /**
     * Queues the statement as a PDF to {@code to}, or to the client's email when none is given;
     * the outbox job sends it once this transaction commits. Returns the address.
     */
    public String email(Handle handle, Statement statement, byte[] pdf, Optional<String> to, Optional<Long> staffId) {
        final String address = to.filter(typed -> !typed.isBlank())
                .map(typed -> TextInput.email(typed, "emailTo"))
                .or(() -> statement.client().email())
                .orElseThrow(() -> Problem.validation(
                        "emailTo",
                        statement.client().name() + " has no email address: enter one to send the statement to"));
        final Formats formats = new Formats(
                statement.business().locale(),
                statement.business().timeZone(),
                statement.business().currency());
        outbox.queue(
                handle,
                statement.business().businessId(),
                Outbox.Kind.STATEMENT,
                address,
                "Your statement from " + statement.business().name(),
                "Hello " + statement.client().name() + ",\n\nYour statement from "
                        + statement.business().name()
                        + " for " + formats.day(statement.period().from()) + " to "
                        + formats.day(statement.period().to()) + " is attached.\nBalance due at "
                        + formats.day(statement.period().to()) + ": "
                        + formats.money(statement.closing().balanceDueMinor()) + "\n",
                Optional.empty(),
                staffId,
                Optional.of(new Outbox.Attachment(filename(statement), pdf)));
        return address;
    }

    /** The file name a statement downloads as. */
    public static String filename(Statement statement) {
        return "statement-" + statement.client().id() + "-" + statement.period().from() + "-to-"
                + statement.period().to() + ".pdf";
    }
}

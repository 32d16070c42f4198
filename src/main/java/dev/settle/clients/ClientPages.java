package dev.settle.clients;

import dev.settle.Problem;
import dev.settle.business.DateInput;
import dev.settle.invoices.Invoices;
import dev.settle.money.MoneyInput;
import dev.settle.web.CsvDownload;
import dev.settle.web.ExportPages;
import dev.settle.web.Exports;
import dev.settle.web.Form;
import dev.settle.web.Pages;
import dev.settle.web.PathIds;
import dev.settle.web.Sessions;
import dev.settle.web.SignedIn;
import dev.settle.web.StaffAuth;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Staff pages for clients: the list with search, the as-you-type results, a client, a new client. */
public final class ClientPages {
    static final int PAGE_SIZE = 50;
    static final int SEARCH_RESULTS_MAX = 8;
    private static final int QUERY_LENGTH_MAX = 100;

    private final Jdbi jdbi;
    static final int HISTORY_PAGE_SIZE = 50;
    static final int CSV_ROWS_MAX = 100_000;
    private static final java.time.format.DateTimeFormatter CSV_TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");

    private final Clients clients;
    private final ClientHistory history;
    private final Sessions sessions;
    private final Pages pages;
    private final Exports exports;
    private final ExportPages exportPages;

    /** What the client page lists beside the balances: unpaid invoices, live credits, waiting changes. */
    public record Account(
            List<Invoices.Invoice> unpaidInvoices,
            List<CreditGrants.Grant> credits,
            List<Approvals.Pending> waiting,
            Households.Household household,
            boolean remindFunds) {}

    private final Invoices invoices;
    private final Approvals approvals;
    private final FundsReminders reminders;
    private final CreditGrants grants = new CreditGrants();
    private final Households households;

    public ClientPages(
            Jdbi jdbi,
            Clients clients,
            ClientHistory history,
            Invoices invoices,
            Approvals approvals,
            FundsReminders reminders,
            Exports exports,
            ExportPages exportPages,
            Sessions sessions,
            Pages pages) {
        this.jdbi = jdbi;
        this.exports = exports;
        this.exportPages = exportPages;
        this.reminders = reminders;
        this.invoices = invoices;
        this.approvals = approvals;
        this.households = new Households(clients);
        this.clients = clients;
        this.history = history;
        this.sessions = sessions;
        this.pages = pages;
    }

    public void list(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final String query = query(ctx);
        final boolean includeArchived = ctx.queryParam("archived") != null;
        final Optional<Clients.Cursor> after =
                Optional.ofNullable(ctx.queryParam("after")).flatMap(ClientPages::cursorIfValid);
        // One more than a page, to know whether there is a next one.
        final List<Clients.Summary> found = jdbi.withHandle(handle -> clients.search(
                handle, signedIn.businessId(), new Clients.Search(query, includeArchived, after, PAGE_SIZE + 1)));
        final List<Clients.Summary> shown = found.subList(0, Math.min(found.size(), PAGE_SIZE));
        pages.render(
                ctx,
                "clients/list.jte",
                "Clients",
                Pages.Section.CLIENTS,
                Map.of(
                        "clients",
                        shown,
                        "query",
                        query,
                        "includeArchived",
                        includeArchived,
                        "firstPage",
                        after.isEmpty(),
                        "nextCursor",
                        found.size() > PAGE_SIZE
                                ? Optional.of(shown.getLast().cursor().encode())
                                : Optional.<String>empty()));
    }

    /** The global search box's results, as the person types. */
    public void search(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final String query = query(ctx);
        final List<Clients.Summary> found = query.isBlank()
                ? List.of()
                : jdbi.withHandle(handle -> clients.search(
                        handle,
                        signedIn.businessId(),
                        new Clients.Search(query, false, Optional.empty(), SEARCH_RESULTS_MAX)));
        pages.fragment(
                ctx,
                "clients/search-results.jte",
                Map.of("clients", found, "query", query, "formats", signedIn.formats()));
    }

    public void newForm(Context ctx) {
        showNew(ctx, HttpStatus.OK, Form.empty());
    }

    public void create(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Form form = Form.of(ctx);
        try {
            final Clients.Client client = jdbi.inTransaction(handle -> {
                final Clients.Client created = clients.create(
                        handle,
                        signedIn.businessId(),
                        form.value("name"),
                        optional(form.value("email")),
                        optional(form.value("phone")));
                sessions.flash(handle, signedIn, created.name() + " is added.");
                return created;
            });
            ctx.redirect("/clients/" + client.id(), HttpStatus.SEE_OTHER);
        } catch (Problem problem) {
            showNew(ctx, HttpStatus.UNPROCESSABLE_CONTENT, form.withError(problem));
        }
    }

    public void show(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Clients.Client client = client(ctx, signedIn);
        final Form asOfForm = Form.of(
                Map.of("asOf", Optional.ofNullable(ctx.queryParam("asOf")).orElse("")));
        Form shownForm = asOfForm;
        Optional<Clients.Balances> asOf = Optional.empty();
        if (!asOfForm.value("asOf").isBlank()) {
            try {
                final Instant endOfDay = DateInput.endOfDay(
                        asOfForm.value("asOf"), signedIn.formats().zone(), "asOf");
                asOf = Optional.of(jdbi.withHandle(handle -> clients.balancesAt(handle, client, endOfDay)));
            } catch (Problem problem) {
                shownForm = asOfForm.withError(problem);
            }
        }
        final HistoryQuery query = HistoryQuery.of(ctx, signedIn.formats().zone());
        // The chart's recent history also holds the newest page, the one most often shown: read once.
        final ClientHistory.Page recent =
                jdbi.withHandle(handle -> history.page(handle, client, Optional.empty(), ClientHistory.LIMIT_MAX));
        final boolean newestUnfiltered = query.filter().equals(ClientHistory.Filter.none())
                && query.olderThan().isEmpty();
        final ClientHistory.Page historyPage = newestUnfiltered
                ? recent.first(HISTORY_PAGE_SIZE)
                : jdbi.withHandle(
                        handle -> history.page(handle, client, query.filter(), query.olderThan(), HISTORY_PAGE_SIZE));
        final Optional<BalanceDueChart> chart = BalanceDueChart.of(recent.rows(), Instant.now(), signedIn.formats());
        final Account account = jdbi.withHandle(handle -> {
            final Households.Household household = households.of(handle, client);
            final long funds = household.openPaymentsMinor() + household.creditsMinor();
            final long due = client.receivable().balanceMinor();
            return new Account(
                    invoices.unpaid(handle, signedIn.businessId(), client.id()),
                    grants.live(handle, signedIn.businessId(), client.id()),
                    approvals.waiting(handle, signedIn.businessId(), Optional.of(client.id())),
                    household,
                    !client.archived()
                            && due > 0
                            && funds > 0
                            && !reminders.dismissed(handle, signedIn.businessId(), client.id(), due, funds));
        });
        pages.render(
                ctx,
                shownForm.hasErrors() || query.form().hasErrors() ? HttpStatus.UNPROCESSABLE_CONTENT : HttpStatus.OK,
                "clients/show.jte",
                client.name(),
                Pages.Section.CLIENTS,
                Map.ofEntries(
                        Map.entry("client", client),
                        Map.entry("asOfForm", shownForm),
                        Map.entry("asOf", asOf),
                        Map.entry("history", historyPage),
                        Map.entry("historyForm", query.form()),
                        Map.entry("historyFilter", query.queryString()),
                        Map.entry("kinds", ClientHistory.KINDS),
                        Map.entry("chart", chart),
                        Map.entry("newestPage", query.olderThan().isEmpty()),
                        Map.entry("account", account)));
    }

    /**
     * Starts writing the history as CSV, every movement the filter names (up to {@link
     * #CSV_ROWS_MAX}), in the background: a long history takes a while, and the page shows how far
     * it has got.
     */
    public void historyExport(Context ctx) {
        exportPages.start(ctx, () -> startHistoryExport(ctx));
    }

    private long startHistoryExport(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Clients.Client client = client(ctx, signedIn);
        final HistoryQuery query = HistoryQuery.of(ctx, signedIn.formats().zone());
        if (query.form().hasErrors()) {
            throw Problem.validation(
                    "from",
                    query.form()
                            .error("from")
                            .or(() -> query.form().error("to"))
                            .or(() -> query.form().error("kind"))
                            .orElseThrow());
        }
        final String name = client.name().replaceAll("[^A-Za-z0-9]+", "-").toLowerCase(Locale.ROOT);
        // A name may be 200 characters; the file's is kept short enough for any file system.
        final String filename =
                ("client-" + client.id() + "-" + name.substring(0, Math.min(name.length(), 60))).replaceAll("-+$", "")
                        + "-history.csv";
        final int expected =
                jdbi.withHandle(handle -> Math.min(CSV_ROWS_MAX, history.count(handle, client, query.filter())));
        return exports.start(signedIn.businessId(), signedIn.staffId(), filename, expected, (csv, progress) -> {
            csv.printRecord(
                    "time",
                    "kind",
                    "description",
                    "by",
                    "currency",
                    "balance_due_change",
                    "balance_due_after",
                    "open_payments_change",
                    "open_payments_after",
                    "credits_change",
                    "credits_after",
                    "entry_id",
                    "reverses_entry_id",
                    "reversed_by_entry_id",
                    "invoice_ids",
                    "note");
            final Currency currency = signedIn.formats().currency();
            Optional<Long> olderThan = Optional.empty();
            int written = 0;
            do {
                final Optional<Long> from = olderThan;
                final ClientHistory.Page page = jdbi.withHandle(
                        handle -> history.page(handle, client, query.filter(), from, ClientHistory.LIMIT_MAX));
                for (ClientHistory.Row row : page.rows()) {
                    csv.printRecord(
                            CSV_TIME.format(row.at()
                                    .atZoneSameInstant(signedIn.formats().zone())),
                            row.kind(),
                            CsvDownload.asText(row.memo().orElse("")),
                            CsvDownload.asText(row.by()),
                            currency.getCurrencyCode(),
                            MoneyInput.plain(row.balanceDueChangeMinor(), currency),
                            MoneyInput.plain(row.balanceDueAfterMinor(), currency),
                            MoneyInput.plain(row.openPaymentsChangeMinor(), currency),
                            MoneyInput.plain(row.openPaymentsAfterMinor(), currency),
                            MoneyInput.plain(row.creditsChangeMinor(), currency),
                            MoneyInput.plain(row.creditsAfterMinor(), currency),
                            row.entryId(),
                            row.reversesEntryId().map(String::valueOf).orElse(""),
                            row.reversedByEntryId().map(String::valueOf).orElse(""),
                            String.join(
                                    " ",
                                    row.invoiceIds().stream()
                                            .map(String::valueOf)
                                            .toList()),
                            CsvDownload.asText(row.note().orElse("")));
                }
                written += page.rows().size();
                progress.accept(written);
                olderThan = page.olderThanEntryId();
            } while (olderThan.isPresent() && written < CSV_ROWS_MAX);
        });
    }

    /** The history filter and cursor from a request, with a message beside any field that is wrong. */
    record HistoryQuery(ClientHistory.Filter filter, Optional<Long> olderThan, Form form, String queryString) {
        static HistoryQuery of(Context ctx, ZoneId zone) {
            final Map<String, String> values = new java.util.LinkedHashMap<>();
            for (String name : List.of("kind", "from", "to")) {
                values.put(
                        name,
                        Optional.ofNullable(ctx.queryParam(name)).orElse("").strip());
            }
            final Form form = Form.of(values);
            final Form.Checks checks = form.checks();
            final Optional<String> kind = checks.field(() -> {
                        if (!form.value("kind").isEmpty() && !ClientHistory.KINDS.containsKey(form.value("kind"))) {
                            throw Problem.validation("kind", "Choose one of the listed kinds");
                        }
                        return form.value("kind");
                    })
                    .filter(text -> !text.isEmpty());
            final Optional<Instant> from = checks.field(() -> day(form.value("from"), "from", zone, false))
                    .flatMap(instant -> instant);
            final Optional<Instant> to =
                    checks.field(() -> day(form.value("to"), "to", zone, true)).flatMap(instant -> instant);
            final Optional<Long> olderThan = Optional.ofNullable(ctx.queryParam("olderThan"))
                    .filter(text -> text.matches("[1-9][0-9]{0,17}"))
                    .map(Long::parseLong);
            final String queryString = values.entrySet().stream()
                    .filter(entry -> !entry.getValue().isEmpty())
                    .map(entry -> entry.getKey() + "=" + Pages.encode(entry.getValue()))
                    .collect(java.util.stream.Collectors.joining("&"));
            return new HistoryQuery(new ClientHistory.Filter(kind, from, to), olderThan, checks.form(), queryString);
        }

        /** The start of a day (or its last moment, for the end of a range) in the business's zone. */
        private static Optional<Instant> day(String text, String field, ZoneId zone, boolean end) {
            if (text.isEmpty()) {
                return Optional.empty();
            }
            final LocalDate day = DateInput.parse(text, field);
            return Optional.of(
                    end
                            ? day.plusDays(1).atStartOfDay(zone).toInstant().minusNanos(1_000)
                            : day.atStartOfDay(zone).toInstant());
        }
    }

    public void editForm(Context ctx) {
        final Clients.Client client = client(ctx, StaffAuth.signedIn(ctx));
        showEdit(
                ctx,
                HttpStatus.OK,
                client,
                Form.of(Map.of(
                        "name", client.name(),
                        "email", client.email().orElse(""),
                        "phone", client.phone().orElse(""))));
    }

    public void edit(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Clients.Client client = client(ctx, signedIn);
        final Form form = Form.of(ctx);
        try {
            final Clients.Contact contact = Clients.Contact.of(
                    form.value("name"), optional(form.value("email")), optional(form.value("phone")));
            jdbi.useTransaction(handle -> {
                clients.edit(handle, signedIn.businessId(), client.id(), contact);
                sessions.flash(handle, signedIn, "Saved.");
            });
            ctx.redirect("/clients/" + client.id(), HttpStatus.SEE_OTHER);
        } catch (Problem problem) {
            showEdit(ctx, HttpStatus.UNPROCESSABLE_CONTENT, client, form.withError(problem));
        }
    }

    public void archive(Context ctx) {
        setArchived(ctx, true, " is archived: left out of searches, history kept.");
    }

    public void unarchive(Context ctx) {
        setArchived(ctx, false, " is back among active clients.");
    }

    private void setArchived(Context ctx, boolean archived, String outcome) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Clients.Client client = client(ctx, signedIn);
        jdbi.useTransaction(handle -> {
            clients.archive(handle, signedIn.businessId(), client.id(), archived);
            sessions.flash(handle, signedIn, client.name() + outcome);
        });
        ctx.redirect("/clients/" + client.id(), HttpStatus.SEE_OTHER);
    }

    private Clients.Client client(Context ctx, SignedIn signedIn) {
        final long clientId = PathIds.of(ctx, "clientId");
        return jdbi.withHandle(handle -> clients.require(handle, signedIn.businessId(), clientId));
    }

    private void showEdit(Context ctx, HttpStatus status, Clients.Client client, Form form) {
        pages.render(
                ctx,
                status,
                "clients/edit.jte",
                "Edit " + client.name(),
                Pages.Section.CLIENTS,
                Map.of("client", client, "form", form));
    }

    /** The instant a day ends in the business's time zone: balances "as of" a date mean after it. */
    private void showNew(Context ctx, HttpStatus status, Form form) {
        pages.render(ctx, status, "clients/new.jte", "New client", Pages.Section.CLIENTS, Map.of("form", form));
    }

    private static String query(Context ctx) {
        final String query = ctx.queryParam("q");
        if (query == null) {
            return "";
        }
        // Control characters can't match a name, and NUL can't even be sent to PostgreSQL.
        final String stripped = query.replaceAll("\\p{Cntrl}", "").strip();
        return stripped.length() > QUERY_LENGTH_MAX ? stripped.substring(0, QUERY_LENGTH_MAX) : stripped;
    }

    /** A cursor from a link; a mangled one starts the list from the top rather than failing. */
    private static Optional<Clients.Cursor> cursorIfValid(String text) {
        try {
            return Optional.of(Clients.Cursor.decode(text));
        } catch (Problem problem) {
            return Optional.empty();
        }
    }

    private static Optional<String> optional(String text) {
        return text.isBlank() ? Optional.empty() : Optional.of(text);
    }
}

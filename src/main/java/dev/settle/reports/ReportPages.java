package dev.settle.reports;

import dev.settle.Problem;
import dev.settle.business.BusinessSettings;
import dev.settle.business.DateInput;
import dev.settle.clients.ClientMoney;
import dev.settle.ledger.AccountKind;
import dev.settle.web.CsvDownload;
import dev.settle.web.Form;
import dev.settle.web.Formats;
import dev.settle.web.Pages;
import dev.settle.web.SignedIn;
import dev.settle.web.StaffAuth;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The reports an owner closing the day or an accountant closing the month reads (manager): the
 * trial balance, receivables aging, stored-value liability and breakage as of the end of a chosen
 * day, and the tenders taken each day of a period; each on a page and as CSV (amounts in minor
 * units, so a spreadsheet sums them exactly).
 */
public final class ReportPages {
    /** What each account kind is called on a report. */
    public static final Map<AccountKind, String> KIND_LABELS = Map.ofEntries(
            Map.entry(AccountKind.RECEIVABLE, "Balance due (accounts receivable)"),
            Map.entry(AccountKind.OPEN_PAYMENTS, "Open payments held for clients"),
            Map.entry(AccountKind.CREDITS, "Credits given to clients"),
            Map.entry(AccountKind.GIFT_CARD, "Gift cards outstanding"),
            Map.entry(AccountKind.CASH, "Cash drawer"),
            Map.entry(AccountKind.CHECK, "Checks to deposit"),
            Map.entry(AccountKind.CARD, "Card payments clearing"),
            Map.entry(AccountKind.EXTERNAL, "Other payments clearing"),
            Map.entry(AccountKind.SALES, "Sales"),
            Map.entry(AccountKind.TAX, "Sales tax collected"),
            Map.entry(AccountKind.TIPS, "Tips owed to staff"),
            Map.entry(AccountKind.PROMOTIONS, "Promotions given"),
            Map.entry(AccountKind.ADJUSTMENTS, "Manual adjustments"));

    private final Jdbi jdbi;
    private final Pages pages;
    private final BusinessSettings settings = new BusinessSettings();
    private final Reports reports = new Reports();

    public ReportPages(Jdbi jdbi, Pages pages) {
        this.jdbi = jdbi;
        this.pages = pages;
    }

    public void trialBalance(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final AsOf asOf = AsOf.of(ctx, signedIn.formats());
        final Reports.TrialBalance balance =
                jdbi.withHandle(handle -> reports.trialBalance(handle, signedIn.businessId(), asOf.instant()));
        if (asOf.csv()) {
            CsvDownload.send(ctx, "trial-balance-" + asOf.day() + ".csv", printer -> {
                printer.printRecord("account", "accounts", "debit_minor", "credit_minor", "currency");
                for (Reports.TrialLine line : balance.lines()) {
                    printer.printRecord(
                            line.kind().dbName,
                            line.accounts(),
                            line.debitMinor(),
                            line.creditMinor(),
                            signedIn.formats().currency().getCurrencyCode());
                }
                printer.printRecord(
                        "total",
                        "",
                        balance.debitsMinor(),
                        balance.creditsMinor(),
                        signedIn.formats().currency());
            });
            return;
        }
        show(ctx, "reports/trial-balance.jte", "Trial balance", asOf, Map.of("balance", balance));
    }

    public void aging(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final AsOf asOf = AsOf.of(ctx, signedIn.formats());
        final Reports.Aging aging = jdbi.withHandle(handle -> reports.aging(
                handle,
                signedIn.businessId(),
                asOf.instant(),
                signedIn.formats().zone()));
        if (asOf.csv()) {
            CsvDownload.send(ctx, "receivables-aging-" + asOf.day() + ".csv", printer -> {
                printer.printRecord(
                        "client_id",
                        "client",
                        "current_minor",
                        "days_1_30_minor",
                        "days_31_60_minor",
                        "days_61_90_minor",
                        "over_90_minor",
                        "total_minor",
                        "currency");
                for (Reports.AgingRow row : aging.rows()) {
                    printer.printRecord(
                            row.clientId(),
                            CsvDownload.asText(row.clientName()),
                            row.inBucket(Reports.Bucket.CURRENT),
                            row.inBucket(Reports.Bucket.DAYS_1_30),
                            row.inBucket(Reports.Bucket.DAYS_31_60),
                            row.inBucket(Reports.Bucket.DAYS_61_90),
                            row.inBucket(Reports.Bucket.OVER_90),
                            row.totalMinor(),
                            signedIn.formats().currency().getCurrencyCode());
                }
            });
            return;
        }
        show(ctx, "reports/aging.jte", "Accounts receivable aging", asOf, Map.of("aging", aging));
    }

    public void liability(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final AsOf asOf = AsOf.of(ctx, signedIn.formats());
        final Reports.Liability liability =
                jdbi.withHandle(handle -> reports.liability(handle, signedIn.businessId(), asOf.instant()));
        if (asOf.csv()) {
            final String currency = signedIn.formats().currency().getCurrencyCode();
            CsvDownload.send(ctx, "stored-value-liability-" + asOf.day() + ".csv", printer -> {
                printer.printRecord("kind", "source", "holder_id", "holder", "holders", "balance_minor", "currency");
                for (Reports.Holding holding : liability.openPayments()) {
                    printer.printRecord(
                            "open_payments",
                            "paid_by_client",
                            holding.id(),
                            CsvDownload.asText(holding.holder()),
                            1,
                            holding.balanceMinor(),
                            currency);
                }
                for (Reports.SourceLine line : liability.credits()) {
                    printer.printRecord(
                            "credits", line.source(), "", "", line.holders(), line.balanceMinor(), currency);
                }
                for (Reports.SourceLine line : liability.giftCards()) {
                    printer.printRecord(
                            "gift_card", line.source(), "", "", line.holders(), line.balanceMinor(), currency);
                }
                printer.printRecord("total", "", "", "", "", liability.totalMinor(), currency);
            });
            return;
        }
        final Reports.TrialBalance ledger =
                jdbi.withHandle(handle -> reports.trialBalance(handle, signedIn.businessId(), asOf.instant()));
        show(
                ctx,
                "reports/liability.jte",
                "Stored-value liability",
                asOf,
                Map.of("liability", liability, "ledger", ledger, "creditReasons", CREDIT_REASONS));
    }

    public void tenders(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Period period = Period.of(ctx, signedIn.formats());
        final Reports.TenderSummary summary = jdbi.withHandle(handle -> reports.tenderSummary(
                handle,
                signedIn.businessId(),
                period.from(),
                period.to(),
                signedIn.formats().zone()));
        if (period.csv()) {
            CsvDownload.send(ctx, "tenders-" + period.from() + "-to-" + period.to() + ".csv", printer -> {
                printer.printRecord("day", "tender", "taken_minor", "refunded_minor", "net_minor", "currency");
                for (Reports.TenderDay day : summary.days()) {
                    printer.printRecord(
                            day.day(),
                            day.tender().dbName,
                            day.takenMinor(),
                            day.refundedMinor(),
                            day.netMinor(),
                            signedIn.formats().currency().getCurrencyCode());
                }
            });
            return;
        }
        pages.render(
                ctx,
                period.form().hasErrors() ? HttpStatus.UNPROCESSABLE_CONTENT : HttpStatus.OK,
                "reports/tenders.jte",
                "Daily tender summary",
                Pages.Section.REPORTS,
                Map.of("summary", summary, "form", period.form(), "labels", KIND_LABELS));
    }

    public void breakage(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final AsOf asOf = AsOf.of(ctx, signedIn.formats());
        final Reports.Breakage breakage = jdbi.withHandle(handle -> reports.breakage(
                handle,
                signedIn.businessId(),
                asOf.instant(),
                signedIn.formats().zone(),
                settings.find(handle, signedIn.businessId()).dormantAfterMonths()));
        if (asOf.csv()) {
            final String currency = signedIn.formats().currency().getCurrencyCode();
            CsvDownload.send(ctx, "breakage-" + asOf.day() + ".csv", printer -> {
                printer.printRecord("kind", "holder_id", "holder", "last_moved_at", "amount_minor", "currency");
                final Map<String, java.util.List<Reports.Holding>> sections = new java.util.LinkedHashMap<>();
                sections.put("dormant_gift_card", breakage.giftCards());
                sections.put("dormant_open_payments", breakage.openPayments());
                sections.put("expired_credit", breakage.expiredCredits());
                for (Map.Entry<String, java.util.List<Reports.Holding>> section : sections.entrySet()) {
                    for (Reports.Holding holding : section.getValue()) {
                        printer.printRecord(
                                section.getKey(),
                                holding.id(),
                                CsvDownload.asText(holding.holder()),
                                holding.lastMovedAt().toInstant(),
                                holding.balanceMinor(),
                                currency);
                    }
                }
            });
            return;
        }
        show(ctx, "reports/breakage.jte", "Breakage and unclaimed value", asOf, Map.of("breakage", breakage));
    }

    /** A credit reason's name on a report. */
    private static final Map<String, String> CREDIT_REASONS = java.util.Arrays.stream(ClientMoney.CreditReason.values())
            .collect(java.util.stream.Collectors.toUnmodifiableMap(
                    reason -> reason.dbName, reason -> reason.label.replace(" (say why)", "")));

    /**
     * The days a report covers (in the business's time zone; the last 7 by default), at most a
     * year. A range that will not do is shown beside its field, with the default days below it.
     */
    record Period(LocalDate from, LocalDate to, boolean csv, Form form) {
        static final int MOST_DAYS = 366;

        static Period of(Context ctx, Formats formats) {
            final String typedFrom =
                    Optional.ofNullable(ctx.queryParam("from")).orElse("").strip();
            final String typedTo =
                    Optional.ofNullable(ctx.queryParam("to")).orElse("").strip();
            final boolean csv = "csv".equals(ctx.queryParam("format"));
            final LocalDate today = LocalDate.now(formats.zone());
            try {
                final LocalDate to = typedTo.isEmpty() ? today : DateInput.parse(typedTo, "to");
                if (to.isAfter(today)) {
                    throw Problem.validation("to", "Choose a date up to today");
                }
                final LocalDate from = typedFrom.isEmpty() ? to.minusDays(6) : DateInput.parse(typedFrom, "from");
                if (from.isAfter(to)) {
                    throw Problem.validation("from", "Choose a first day on or before the last day");
                }
                if (java.time.temporal.ChronoUnit.DAYS.between(from, to) >= MOST_DAYS) {
                    throw Problem.validation("from", "Choose at most " + MOST_DAYS + " days");
                }
                return new Period(from, to, csv, Form.of(Map.of("from", from.toString(), "to", to.toString())));
            } catch (Problem problem) {
                if (csv) {
                    throw problem;
                }
                return new Period(
                        today.minusDays(6),
                        today,
                        false,
                        Form.of(Map.of("from", typedFrom, "to", typedTo)).withError(problem));
            }
        }
    }

    /**
     * The day a report is as of (its end, in the business's time zone; today by default), and the
     * format. A date that will not do is shown beside the field, with today's figures below it.
     */
    record AsOf(LocalDate day, Instant instant, boolean csv, Form form) {
        static AsOf of(Context ctx, Formats formats) {
            final String typed =
                    Optional.ofNullable(ctx.queryParam("asOf")).orElse("").strip();
            final boolean csv = "csv".equals(ctx.queryParam("format"));
            final LocalDate today = LocalDate.now(formats.zone());
            try {
                final String day = typed.isEmpty() ? today.toString() : typed;
                return new AsOf(
                        LocalDate.parse(day),
                        DateInput.endOfDay(day, formats.zone(), "asOf"),
                        csv,
                        Form.of(Map.of("asOf", day)));
            } catch (Problem problem) {
                if (csv) {
                    throw problem;
                }
                return new AsOf(
                        today,
                        DateInput.endOfDay(today.toString(), formats.zone(), "asOf"),
                        false,
                        Form.of(Map.of("asOf", typed)).withError(problem));
            }
        }
    }

    private void show(Context ctx, String template, String title, AsOf asOf, Map<String, Object> report) {
        final java.util.HashMap<String, Object> params = new java.util.HashMap<>(report);
        params.put("asOf", asOf.day());
        params.put("form", asOf.form());
        params.put("labels", KIND_LABELS);
        pages.render(
                ctx,
                asOf.form().hasErrors() ? HttpStatus.UNPROCESSABLE_CONTENT : HttpStatus.OK,
                template,
                title,
                Pages.Section.REPORTS,
                params);
    }
}

package dev.settle.reports;

import dev.settle.Problem;
import dev.settle.business.DateInput;
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
 * trial balance and accounts receivable aging, each as of the end of a chosen day, on a page and
 * as CSV (amounts in minor units, so a spreadsheet sums them exactly).
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

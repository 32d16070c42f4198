package dev.settle.statements;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.business.BusinessSettings;
import dev.settle.business.Role;
import dev.settle.clients.ClientHistory;
import dev.settle.clients.Clients;
import dev.settle.ledger.Ledger;
import dev.settle.mail.Outbox;
import dev.settle.support.StaffSession;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import dev.settle.support.TestMail;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * A statement's opening balance plus its movements is its closing balance; it comes as a page, a
 * PDF (downloaded, emailed, through the API) and is kept to its business.
 */
class StatementsTest {
    private final Jdbi jdbi = TestDatabase.get().jdbi();
    private final TestBusiness salon = TestBusiness.create();
    private final Clients.Client ana =
            salon.aClient("Ana Silva", Optional.of("ana.statement@client.example"), Optional.empty());
    private final Statements statements = new Statements(new Clients(new Ledger()), new Outbox(Optional.empty()));
    private final OffsetDateTime now = OffsetDateTime.now();
    private final LocalDate today = LocalDate.now(ZoneId.of("America/New_York"));

    StatementsTest() {
        salon.charge(ana, 80_00, now.minusDays(40));
        salon.charge(ana, 25_00, now.minusDays(10));
        salon.payment(ana, 60_00);
        salon.credit(ana, 5_00);
        salon.openPayment(ana, 12_00);
    }

    @Test
    void theOpeningBalancePlusEveryMovementIsTheClosingBalance() {
        final Statements.Statement statement = build(today.minusDays(20), today);

        assertThat(statement.opening().balanceDueMinor()).isEqualTo(80_00);
        assertThat(statement.movements())
                .extracting(ClientHistory.Row::kind)
                .containsExactly("charge", "payment", "credit_issued", "open_payment");
        assertThat(statement.opening().balanceDueMinor()
                        + statement.movements().stream()
                                .mapToLong(ClientHistory.Row::balanceDueChangeMinor)
                                .sum())
                .isEqualTo(statement.closing().balanceDueMinor())
                .isEqualTo(45_00);
        assertThat(statement.opening().openPaymentsMinor()
                        + statement.movements().stream()
                                .mapToLong(ClientHistory.Row::openPaymentsChangeMinor)
                                .sum())
                .isEqualTo(statement.closing().openPaymentsMinor())
                .isEqualTo(12_00);
        assertThat(statement.closing().creditsMinor()).isEqualTo(5_00);
        assertThat(build(today.minusDays(60), today.minusDays(30)).movements())
                .extracting(ClientHistory.Row::kind)
                .containsExactly("charge");
    }

    @Test
    void thePdfHoldsTheClientTheMovementsAndTheBalances() throws IOException {
        final String text = text(StatementPdf.render(build(today.minusDays(20), today)));

        assertThat(text)
                .contains("Statement", "Ana Silva", "Opening balance", "Closing balance")
                .contains("$80.00", "$45.00", "Payment toward balance due");
        final Clients.Client zoe = salon.aClient("Ζωή 山田 <b>&amp;");
        salon.charge(zoe, 1_00);
        final TestApp.Reply outsideLatin1 =
                StaffSession.signIn(salon.staff(Role.FRONT_DESK)).get("/clients/" + zoe.id() + "/statement.pdf");
        assertThat(outsideLatin1.status())
                .as("a name the PDF's font lacks still renders")
                .isEqualTo(200);
    }

    @Test
    void staffReadDownloadAndEmailItAndBadDaysAreShownBesideTheirField() throws Exception {
        final StaffSession desk = StaffSession.signIn(salon.staff(Role.FRONT_DESK));
        final String range = "?from=" + today.minusDays(20) + "&to=" + today;

        final TestApp.Reply page = desk.get("/clients/" + ana.id() + "/statement" + range);
        final HttpResponse<byte[]> pdf = desk.download("/clients/" + ana.id() + "/statement.pdf" + range);
        final TestApp.Reply backwards =
                desk.get("/clients/" + ana.id() + "/statement?from=" + today + "&to=" + today.minusDays(3));
        final TestApp.Reply emailed = desk.post(
                "/clients/" + ana.id() + "/statement/email",
                Map.of("from", today.minusDays(20).toString(), "to", today.toString(), "emailTo", ""));

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("Opening balance", "$45.00");
        assertThat(pdf.headers().firstValue("Content-Type")).hasValue("application/pdf");
        assertThat(text(pdf.body())).contains("Ana Silva");
        assertThat(backwards.status()).isEqualTo(422);
        assertThat(backwards.body()).contains("Choose a first day on or before the last day");
        assertThat(emailed.status()).isEqualTo(303);
        final MimeMessage message = TestMail.awaitTo("ana.statement@client.example");
        assertThat(message.getSubject()).isEqualTo("Your statement from " + salon.name());
        final Part attachment = ((Multipart) message.getContent()).getBodyPart(1);
        assertThat(attachment.getFileName()).startsWith("statement-" + ana.id());
        try (InputStream in = attachment.getInputStream()) {
            assertThat(text(in.readAllBytes())).contains("Closing balance");
        }
    }

    @Test
    void theApiGivesItAsJsonOrPdfEmailsItAndKeepsItToTheBusiness() {
        final String range = "?from=" + today.minusDays(20) + "&to=" + today;

        final TestApp.Reply json = TestApp.get(salon.apiKey(), "/api/v1/clients/" + ana.id() + "/statement" + range);
        final TestApp.Reply pdf = TestApp.get(salon.apiKey(), "/api/v1/clients/" + ana.id() + "/statement.pdf" + range);
        final TestApp.Reply emailed = TestApp.post(
                salon.apiKey(),
                "/api/v1/clients/" + ana.id() + "/statement-emails",
                "{\"from\": \"" + today.minusDays(20) + "\", \"emailTo\": \"books@client.example\"}");
        final TestApp.Reply future =
                TestApp.get(salon.apiKey(), "/api/v1/clients/" + ana.id() + "/statement?to=" + today.plusDays(2));
        final TestApp.Reply others =
                TestApp.get(TestBusiness.create().apiKey(), "/api/v1/clients/" + ana.id() + "/statement");

        assertThat(json.status()).as(json.body()).isEqualTo(200);
        assertThat(json.json().at("/opening/balanceDueMinor").asLong()).isEqualTo(80_00);
        assertThat(json.json().at("/closing/balanceDueMinor").asLong()).isEqualTo(45_00);
        assertThat(json.json().get("movements")).hasSize(4);
        assertThat(pdf.contentType()).isEqualTo("application/pdf");
        assertThat(emailed.status()).as(emailed.body()).isEqualTo(202);
        assertThat(emailed.json().get("to").asText()).isEqualTo("books@client.example");
        assertThat(future.status()).isEqualTo(400);
        assertThat(future.json().get("field").asText()).isEqualTo("to");
        assertThat(others.status()).isEqualTo(404);
    }

    @Test
    void aPeriodWithTooManyMovementsIsRefusedBesideItsStart() {
        final Clients.Client busy = salon.aClient("Busy Bee", Optional.empty(), Optional.empty());
        for (int movement = 0; movement <= Statements.MOVEMENTS_MAX; movement++) {
            salon.charge(busy, 1);
        }

        final TestApp.Reply refused =
                TestApp.get(salon.apiKey(), "/api/v1/clients/" + busy.id() + "/statement.pdf?from=" + today);

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().get("field").asText()).isEqualTo("from");
        assertThat(refused.json().get("detail").asText())
                .isEqualTo("More than 2000 movements in these days: choose a shorter period");
    }

    private Statements.Statement build(LocalDate from, LocalDate to) {
        return jdbi.withHandle(handle -> {
            final BusinessSettings.Settings business = new BusinessSettings().find(handle, salon.id());
            return statements.build(
                    handle,
                    business,
                    new Clients(new Ledger()).require(handle, salon.id(), ana.id()),
                    new Statements.Period(from, to),
                    true);
        });
    }

    private static String text(byte[] pdf) throws IOException {
        assertThat(new String(pdf, 0, 5, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("%PDF-");
        try (PDDocument document = Loader.loadPDF(pdf)) {
            return new PDFTextStripper().getText(document);
        }
    }
}

package dev.settle.notices;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.clients.Clients;
import dev.settle.invoices.Invoices;
import dev.settle.invoices.Receipts;
import dev.settle.ledger.Ledger;
import dev.settle.mail.Outbox;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * Notices go to clients in the business's language, once each, only for kinds turned on, never for
 * history recorded after the fact, and a notice that can't go is logged with why.
 */
class ClientNoticesTest {
    private final Jdbi jdbi = TestDatabase.get().jdbi();
    private final TestBusiness salon = TestBusiness.create();
    private final Clients clients = new Clients(new Ledger());
    private final Outbox outbox = new Outbox(Optional.empty());
    private final ClientNotices notices =
            new ClientNotices(outbox, new Receipts(new Invoices(), clients, outbox), clients);

    @Test
    void aReceiptAndNewFundsReachTheClientInTheBusinessesLanguage() {
        notices("true", "fr-FR");
        final Clients.Client zoe =
                salon.aClient("Zoé Martin", Optional.of("zoe.notices@client.example"), Optional.empty());
        salon.credit(zoe, 10_00);
        salon.openPayment(zoe, 20_00);
        final long ticket =
                salon.ticket(zoe, "{\"kind\": \"service\", \"description\": \"Coupe\", \"unitMinor\": 3000}");
        salon.checkout(ticket, "{\"tenders\": [{\"tender\": \"cash\", \"amountMinor\": 3000}]}");

        sendAll();

        assertThat(statuses()).containsOnly("queued").hasSize(3);
        assertThat(subjects("zoe.notices@client.example"))
                .contains(
                        salon.name() + " : un crédit de 10,00 $US est sur votre compte",
                        salon.name() + " : 20,00 $US est sur votre compte",
                        "Votre reçu de " + salon.name() + " (facture " + ticket + ")");
        assertThat(body("zoe.notices@client.example", "un crédit"))
                .contains("Bonjour Zoé Martin", "Goodwill", "Crédits sur votre compte : 10,00 $US");
        assertThat(body("zoe.notices@client.example", "Votre reçu"))
                .contains("Reçu de la facture " + ticket, "Client : Zoé Martin", "Coupe", "Payé : Espèces", "Merci.")
                .doesNotContain("Receipt", "Paid", "Thank you");
    }

    @Test
    void kindsTurnedOffHistoryRecordedLaterAndClientsWithoutAnEmailGetNone() {
        final Clients.Client ben = salon.aClient("Ben Okafor");
        final Clients.Client cleo =
                salon.aClient("Cleo Park", Optional.of("cleo.notices@client.example"), Optional.empty());
        notices("true", "en-US");
        salon.credit(cleo, 3_00, Optional.empty(), OffsetDateTime.now().minusDays(3));
        jdbi.useHandle(
                handle -> handle.execute("update businesses set notify_new_funds = false where id = ?", salon.id()));
        salon.credit(cleo, 4_00);
        jdbi.useHandle(
                handle -> handle.execute("update businesses set notify_new_funds = true where id = ?", salon.id()));
        salon.credit(ben, 5_00);

        assertThat(statuses())
                .as("written skipped at commit: no job needs to look at it")
                .containsExactly("skipped");
        sendAll();

        assertThat(statuses()).as("only Ben's, and it can't go").containsExactly("skipped");
        assertThat(onlySkippedReason()).isEqualTo("the client has no email address");
    }

    @Test
    void aCreditAboutToExpireIsToldOnceAndABuyerHearsTheirGiftCardWasDelivered() {
        notices("true", "en-US");
        final Clients.Client dev =
                salon.aClient("Dev Rao", Optional.of("dev.notices@client.example"), Optional.empty());
        final LocalDate inThreeDays =
                LocalDate.now(ZoneId.of("America/New_York")).plusDays(3);
        jdbi.useHandle(
                handle -> handle.execute("update businesses set notify_new_funds = false where id = ?", salon.id()));
        salon.credit(dev, 8_00, Optional.of(inThreeDays), OffsetDateTime.now());
        salon.credit(dev, 9_00, Optional.of(inThreeDays.plusDays(30)), OffsetDateTime.now());

        final int noted = notices.noteExpiringCredits(jdbi, Instant.now());
        final int notedAgain = notices.noteExpiringCredits(jdbi, Instant.now());
        final long entry = jdbi.withHandle(
                handle -> handle.createQuery("select max(id) from journal_entries where business_id = :b")
                        .bind("b", salon.id())
                        .mapTo(Long.class)
                        .one());
        jdbi.useTransaction(handle ->
                ClientNotices.noteGiftCardDelivered(handle, salon.id(), dev.id(), entry, 50_00, "bea@example.com"));
        sendAll();

        assertThat(noted).isGreaterThanOrEqualTo(1);
        assertThat(notedAgain).isZero();
        assertThat(statuses()).containsExactly("queued", "queued");
        assertThat(subjects("dev.notices@client.example"))
                .containsExactlyInAnyOrder(
                        salon.name() + ": your credit of $8.00 expires on "
                                + new dev.settle.web.Formats(java.util.Locale.US, ZoneId.of("America/New_York"), null)
                                        .day(inThreeDays),
                        salon.name() + ": your gift card is on its way");
        assertThat(body("dev.notices@client.example", "on its way")).contains("$50.00", "bea@example.com");
    }

    @Test
    void aNoticeThatCannotBeWrittenIsSkippedWithWhyAndTheOthersStillGo() {
        notices("true", "en-US");
        final Clients.Client eve =
                salon.aClient("Eve Adams", Optional.of("eve.notices@client.example"), Optional.empty());
        // An API entry of kind checkout names no invoice: no receipt is written for it.
        final TestApp.Reply posted = TestApp.post(
                salon.apiKey(),
                "/api/v1/entries",
                "{\"kind\": \"checkout\", \"clientId\": " + eve.id() + ", \"postings\": ["
                        + "{\"accountId\": " + salon.account(dev.settle.ledger.AccountKind.CASH)
                        + ", \"side\": \"debit\", \"amountMinor\": 100},"
                        + "{\"accountId\": " + salon.account(dev.settle.ledger.AccountKind.SALES)
                        + ", \"side\": \"credit\", \"amountMinor\": 100}]}");
        final long entry = posted.json().get("id").asLong();
        final boolean noReceipt = statuses().isEmpty();
        // One that breaks anyway (written by hand), ahead of a good one.
        jdbi.useHandle(handle -> handle.execute(
                "insert into client_notices (business_id, kind, client_id, entry_id) values (?, 'receipt', ?, ?)",
                salon.id(),
                eve.id(),
                entry));
        salon.credit(eve, 2_00);

        sendAll();

        assertThat(posted.status()).as(posted.body()).isEqualTo(201);
        assertThat(noReceipt).isTrue();
        assertThat(statuses()).containsExactly("skipped", "queued");
    }

    @Test
    void aClientArchivedAfterTheirNoticeWasWrittenDoesNotGetIt() {
        final Clients.Client eve =
                salon.aClient("Eve Lind", Optional.of("eve.notices@client.example"), Optional.empty());
        salon.credit(eve, 6_00); // notices still off: none written
        jdbi.useHandle(handle -> clients.archive(handle, salon.id(), eve.id(), true));
        notices("true", "en-US");
        // The notice as the trigger wrote it while Eve was a client with an address: written
        // after the archiving here, so the app's own job cannot word it first.
        jdbi.useHandle(handle -> handle.execute("""
                insert into client_notices (business_id, kind, client_id, entry_id)
                select business_id, 'new_credit', client_id, id from journal_entries
                where business_id = ? and client_id = ?
                """, salon.id(), eve.id()));

        sendAll();

        assertThat(statuses()).containsExactly("skipped");
        assertThat(onlySkippedReason()).isEqualTo("the client is archived");
    }

    @Test
    void moreNoticesThanOneTransactionTakesAreAllHandled() {
        notices("true", "en-US");
        for (int index = 0; index < 40; index++) {
            salon.credit(
                    salon.aClient(
                            "Regular " + index, Optional.of("regular" + index + "@client.example"), Optional.empty()),
                    1_00);
        }

        sendAll();

        assertThat(statuses()).hasSize(40).containsOnly("queued");
    }

    @Test
    void theWordsComeInEachOfferedLanguageOrEnglish() {
        assertThat(dev.settle.web.ClientWords.of(java.util.Locale.forLanguageTag("de-AT"))
                        .getString("greeting"))
                .isEqualTo("Hallo {0},");
        assertThat(dev.settle.web.ClientWords.of(java.util.Locale.forLanguageTag("ja-JP"))
                        .getString("greeting"))
                .isEqualTo("Hello {0},");
        // A language's file holds every phrase, so none falls back to English in the middle of a receipt.
        final var english = phrases("notices");
        for (String language : List.of("fr", "de", "es")) {
            assertThat(phrases("notices_" + language))
                    .as("every phrase is worded in " + language)
                    .containsExactlyInAnyOrderElementsOf(english);
        }
    }

    private static java.util.Set<String> phrases(String file) {
        try (var in = ClientNoticesTest.class.getResourceAsStream("/notices/" + file + ".properties")) {
            final var properties = new java.util.Properties();
            properties.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
            return properties.stringPropertyNames();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Why the business's one notice was skipped. */
    private String onlySkippedReason() {
        return jdbi.withHandle(
                handle -> handle.createQuery("select skipped_reason from client_notices where business_id = :b")
                        .bind("b", salon.id())
                        .mapTo(String.class)
                        .one());
    }

    /** Sends every pending notice; the test app's own job may hold one for a moment (skip locked). */
    private void sendAll() {
        for (int tries = 0;
                tries < 100 && (notices.sendDue(jdbi) > 0 || statuses().contains("pending"));
                tries++) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private void notices(String on, String locale) {
        jdbi.useHandle(handle -> handle.execute(
                "update businesses set notify_receipts = " + on + ", notify_new_funds = " + on
                        + ", notify_credit_expiring = " + on + ", notify_gift_card_delivered = " + on
                        + ", locale = ? where id = ?",
                locale,
                salon.id()));
    }

    private List<String> statuses() {
        return jdbi.withHandle(
                handle -> handle.createQuery("select status from client_notices where business_id = :b order by id")
                        .bind("b", salon.id())
                        .mapTo(String.class)
                        .list());
    }

    private List<String> subjects(String to) {
        return jdbi.withHandle(handle -> handle.createQuery(
                        "select subject from emails where business_id = :b and to_address = :to order by id")
                .bind("b", salon.id())
                .bind("to", to)
                .mapTo(String.class)
                .map(ClientNoticesTest::plainSpaces)
                .list());
    }

    /** French writes amounts with no-break spaces; the assertions use plain ones. */
    private static String plainSpaces(String text) {
        return text.replace('\u00A0', ' ').replace('\u202F', ' ');
    }

    private String body(String to, String subjectHas) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        select body from emails where business_id = :b and to_address = :to
                        and subject like '%' || :has || '%'
                        """)
                .bind("b", salon.id())
                .bind("to", to)
                .bind("has", subjectHas)
                .mapTo(String.class)
                .map(ClientNoticesTest::plainSpaces)
                .one());
    }
}

package dev.settle.invoices;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.clients.Clients;
import dev.settle.mail.Outbox;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import dev.settle.support.TestMail;
import jakarta.mail.internet.MimeMessage;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A receipt emailed through the outbox: sent by the job after commit, or kept with no mail server. */
class ReceiptEmailTest {
    private final TestBusiness salon = TestBusiness.create();

    @Test
    void aReceiptGoesToTheClientsAddressWithTheTicketsLinesAndPayments() throws Exception {
        final Clients.Client ana =
                salon.aClient("Ana Silva", Optional.of("ana.receipt@client.example"), Optional.empty());
        final long invoice = checkedOut(ana);

        final TestApp.Reply queued = TestApp.post(
                salon.apiKey(), "/api/v1/invoices/" + invoice + "/receipt-emails", "{}", "receipt-" + invoice);
        final TestApp.Reply retried = TestApp.post(
                salon.apiKey(), "/api/v1/invoices/" + invoice + "/receipt-emails", "{}", "receipt-" + invoice);

        assertThat(queued.status()).as(queued.body()).isEqualTo(202);
        assertThat(queued.json().get("to").asText()).isEqualTo("ana.receipt@client.example");
        assertThat(retried.json().get("emailId").asLong())
                .as("a retry with the same key sends nothing new")
                .isEqualTo(queued.json().get("emailId").asLong());
        final MimeMessage message = TestMail.awaitTo("ana.receipt@client.example");
        assertThat(message.getSubject()).isEqualTo("Your receipt from " + salon.name() + " (invoice " + invoice + ")");
        final String body = message.getContent().toString();
        assertThat(body)
                .contains("Colour")
                .contains("$100.00")
                .contains("Paid: Cash")
                .contains("On your balance due");
        // Marked sent in the job's transaction, which commits just after the server took the email.
        final long emailId = queued.json().get("emailId").asLong();
        for (int tries = 0; tries < 50 && !status(emailId).equals("sent"); tries++) {
            Thread.sleep(100);
        }
        assertThat(status(emailId)).isEqualTo("sent");
    }

    @Test
    void badAddressesDraftsAndOtherBusinessesInvoicesAreRefusedAndNothingIsQueued() {
        final Clients.Client noEmail = salon.aClient("Ben Okafor");
        final long invoice = checkedOut(noEmail);
        final long draft = TestApp.post(
                        salon.apiKey(),
                        "/api/v1/invoices",
                        "{\"currency\": \"USD\", \"lines\": [{\"kind\": \"service\", \"description\": \"Cut\", \"unitMinor\": 100}]}")
                .json()
                .get("id")
                .asLong();
        final String path = "/api/v1/invoices/" + invoice + "/receipt-emails";

        final TestApp.Reply noAddress = TestApp.post(salon.apiKey(), path, "{}");
        final TestApp.Reply badAddress = TestApp.post(salon.apiKey(), path, "{\"to\": \"not an email\"}");
        final TestApp.Reply ofDraft =
                TestApp.post(salon.apiKey(), "/api/v1/invoices/" + draft + "/receipt-emails", "{}");
        final TestApp.Reply otherBusiness =
                TestApp.post(TestBusiness.create().apiKey(), path, "{\"to\": \"x@example.com\"}");

        assertThat(noAddress.status()).isEqualTo(400);
        assertThat(noAddress.json().get("detail").asText()).isEqualTo("Enter the email address to send the receipt to");
        assertThat(badAddress.status()).isEqualTo(400);
        assertThat(badAddress.json().get("field").asText()).isEqualTo("to");
        assertThat(ofDraft.status()).isEqualTo(409);
        assertThat(otherBusiness.status()).isEqualTo(404);
        assertThat(TestDatabase.get()
                        .jdbi()
                        .<Long, RuntimeException>withHandle(
                                handle -> handle.createQuery("select count(*) from emails where business_id = :id")
                                        .bind("id", salon.id())
                                        .mapTo(Long.class)
                                        .one()))
                .isZero();
    }

    @Test
    void withNoMailServerAnEmailIsKeptInTheOutboxForStaffToRead() {
        final Outbox unsent = new Outbox(Optional.empty());
        final long emailId = TestDatabase.get().jdbi().inTransaction(handle -> {
            final long id = unsent.queue(
                    handle,
                    salon.id(),
                    Outbox.Kind.RECEIPT,
                    "kept@client.example",
                    "Receipt",
                    "Thank you.",
                    Optional.empty(),
                    Optional.empty());
            // Out of the running app's reach: this test delivers it itself, with no mail server.
            handle.execute("update emails set next_attempt_at = now() + interval '1 day' where id = ?", id);
            unsent.deliver(handle, salon.id(), id);
            return id;
        });

        assertThat(status(emailId)).isEqualTo("kept");
        assertThat(TestDatabase.get()
                        .jdbi()
                        .withHandle(handle -> unsent.recent(handle, salon.id(), 10))
                        .getFirst()
                        .statusLabel())
                .isEqualTo("Not sent: no mail server is set up");
    }

    private long checkedOut(Clients.Client client) {
        final long invoice = TestApp.post(
                        salon.apiKey(),
                        "/api/v1/invoices",
                        "{\"currency\": \"USD\", \"clientId\": " + client.id()
                                + ", \"lines\": [{\"kind\": \"service\", \"description\": \"Colour\", \"unitMinor\": 10000}]}")
                .json()
                .get("id")
                .asLong();
        final TestApp.Reply paid = TestApp.post(
                salon.apiKey(),
                "/api/v1/invoices/" + invoice + "/checkout",
                "{\"currency\": \"USD\", \"tenders\": [{\"tender\": \"cash\", \"amountMinor\": 4000}], \"payLaterMinor\": 6000}");
        assertThat(paid.status()).as(paid.body()).isEqualTo(201);
        return invoice;
    }

    private String status(long emailId) {
        return TestDatabase.get()
                .jdbi()
                .withHandle(handle -> handle.createQuery(
                                "select status from emails where business_id = :business_id and id = :id")
                        .bind("business_id", salon.id())
                        .bind("id", emailId)
                        .mapTo(String.class)
                        .one());
    }
}

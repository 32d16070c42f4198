package dev.settle.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClientsApiTest {
    private final TestBusiness salon = TestBusiness.create();

    @Test
    void clientsAreListedByNameAPageAtATime() {
        for (String name : List.of("Eve", "bob", "Dan", "Ann", "Cat")) {
            salon.aClient(name);
        }
        final List<String> names = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            final JsonNode page = TestApp.get(
                            salon.apiKey(), "/api/v1/clients?limit=2" + (cursor == null ? "" : "&cursor=" + cursor))
                    .json();
            page.get("clients").forEach(client -> names.add(client.get("name").asText()));
            cursor = page.get("nextCursor").isNull()
                    ? null
                    : page.get("nextCursor").asText();
            pages++;
        } while (cursor != null);

        assertThat(names).containsExactly("Ann", "bob", "Cat", "Dan", "Eve");
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void aSearchFindsByNameEmailOrPhoneAndLeavesArchivedClientsOutUnlessAsked() {
        salon.aClient("Lou Reed", Optional.of("lou@velvet.example"), Optional.of("(555) 010-4477"));
        final Clients.Client gone = salon.aClient("Lou Gone");
        patch(gone.id(), "{\"archived\": true}");

        assertThat(names("/api/v1/clients?q=velvet")).containsExactly("Lou Reed");
        assertThat(names("/api/v1/clients?q=010-4477")).containsExactly("Lou Reed");
        assertThat(names("/api/v1/clients?q=lou")).containsExactly("Lou Reed");
        assertThat(names("/api/v1/clients?q=lou&archived=true")).containsExactly("Lou Gone", "Lou Reed");
    }

    @Test
    void aPatchChangesWhatItNamesClearsWhatItSetsToNullAndLeavesTheRest() {
        final Clients.Client ana = salon.aClient("Ana", Optional.of("ana@example.com"), Optional.of("555 0100"));

        final TestApp.Reply renamed = patch(ana.id(), "{\"name\": \"Ana Lopez\", \"phone\": null}");

        assertThat(renamed.status()).isEqualTo(200);
        assertThat(renamed.json().get("name").asText()).isEqualTo("Ana Lopez");
        assertThat(renamed.json().get("email").asText()).isEqualTo("ana@example.com");
        assertThat(renamed.json().get("phone").isNull()).isTrue();
        assertThat(patch(ana.id(), "{\"archived\": true}")
                        .json()
                        .get("archived")
                        .asBoolean())
                .isTrue();
        assertThat(patch(ana.id(), "{\"archived\": false}")
                        .json()
                        .get("archived")
                        .asBoolean())
                .isFalse();
    }

    @Test
    void aBadPatchIsRefusedNamingTheFieldAndChangesNothing() {
        final Clients.Client ana = salon.aClient("Ana");

        final TestApp.Reply badEmail = patch(ana.id(), "{\"name\": \"Changed\", \"email\": \"nope\"}");
        final TestApp.Reply unknown = patch(ana.id(), "{\"nickname\": \"A\"}");
        final TestApp.Reply blankName = patch(ana.id(), "{\"name\": \"  \"}");

        assertThat(badEmail.status()).isEqualTo(400);
        assertThat(badEmail.json().get("field").asText()).isEqualTo("email");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(blankName.json().get("field").asText()).isEqualTo("name");
        assertThat(TestApp.get(salon.apiKey(), "/api/v1/clients/" + ana.id())
                        .json()
                        .get("name")
                        .asText())
                .isEqualTo("Ana");
    }

    @Test
    void anotherBusinesssClientCannotBeChangedOrSeen() {
        final Clients.Client theirs = TestBusiness.create().aClient("Theirs");

        assertThat(patch(theirs.id(), "{\"name\": \"Mine now\"}").status()).isEqualTo(404);
        assertThat(TestApp.get(salon.apiKey(), "/api/v1/clients/" + theirs.id() + "/balance")
                        .status())
                .isEqualTo(404);
        assertThat(names("/api/v1/clients?q=Theirs")).isEmpty();
    }

    @Test
    void theBalanceIsReadNowOrAsOfAnyInstant() throws InterruptedException {
        final Clients.Client ana = salon.aClient("Ana");
        final Instant before = Instant.now();
        Thread.sleep(5);
        salon.charge(ana, 60_00);

        final JsonNode now = TestApp.get(salon.apiKey(), "/api/v1/clients/" + ana.id() + "/balance")
                .json();
        final JsonNode then = TestApp.get(salon.apiKey(), "/api/v1/clients/" + ana.id() + "/balance?asOf=" + before)
                .json();

        assertThat(now.get("balanceDueMinor").asLong()).isEqualTo(60_00);
        assertThat(now.get("currency").asText()).isEqualTo("USD");
        assertThat(then.get("balanceDueMinor").asLong()).isZero();
        assertThat(then.get("asOf").asText()).isEqualTo(before.toString());
    }

    @Test
    void badListAndBalanceParametersAreRefusedByName() {
        final Clients.Client ana = salon.aClient("Ana");

        assertThat(field("/api/v1/clients?limit=0")).isEqualTo("limit");
        assertThat(field("/api/v1/clients?limit=201")).isEqualTo("limit");
        assertThat(field("/api/v1/clients?cursor=!!!")).isEqualTo("cursor");
        assertThat(field("/api/v1/clients?cursor=bm90LWEtY3Vyc29y")).isEqualTo("cursor");
        assertThat(field("/api/v1/clients?q=" + "x".repeat(101))).isEqualTo("q");
        assertThat(field("/api/v1/clients/" + ana.id() + "/balance?asOf=yesterday"))
                .isEqualTo("asOf");
    }

    private List<String> names(String path) {
        final List<String> names = new ArrayList<>();
        TestApp.get(salon.apiKey(), path)
                .json()
                .get("clients")
                .forEach(client -> names.add(client.get("name").asText()));
        return names;
    }

    private String field(String path) {
        final TestApp.Reply reply = TestApp.get(salon.apiKey(), path);
        assertThat(reply.status()).as(path).isEqualTo(400);
        return reply.json().get("field").asText();
    }

    private TestApp.Reply patch(long clientId, String json) {
        return TestApp.send(TestApp.request(salon.apiKey(), "/api/v1/clients/" + clientId)
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json))
                .build());
    }
}

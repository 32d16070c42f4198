package dev.settle.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.App;
import dev.settle.business.SecretBox;
import dev.settle.db.Database;
import dev.settle.db.DatabaseUrl;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HealthTest {

    @Test
    void healthIs503WhenTheDatabaseIsUnreachable() throws Exception {
        final int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (Database unreachable = Database.connect(
                        DatabaseUrl.parse("postgresql://nobody@127.0.0.1:" + closedPort + "/none"), 2);
                App app = App.start(
                        unreachable,
                        0,
                        new App.Options(
                                Optional.empty(),
                                new SecretBox(new byte[32]),
                                "http://127.0.0.1:9",
                                new App.WebhookPolicy(false, true)))) {
            final HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://localhost:" + app.port() + "/health"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(Json.mapper()
                            .readTree(response.body())
                            .at("/database/status")
                            .asText())
                    .isEqualTo("down");
        }
    }
}

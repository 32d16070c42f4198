package dev.settle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.support.TestApp;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The bench's and fault harness's client gets answers a server sends before the body is all in. */
class DeskConnectionsTest {
    /** Far more than Settle reads of an oversized body (1 MB) or the socket buffers hold. */
    private static final String FIVE_MEGABYTES = "{\"name\": \"" + " ".repeat(5_000_000) + "\"}";

    private final DeskConnections desk =
            new DeskConnections("http://127.0.0.1:" + TestApp.port(), DeskConnections.DESK_TIMEOUT);

    @Test
    void aRequestJettyRefusesBeforeReadingItsBodyStillGetsItsAnswer() {
        // Jetty answers a NUL in the path at once and closes; the body's rest meets a reset.
        final Optional<DeskConnections.Reply> reply =
                desk.send("POST", "/api/v1/invoices/%00/receipt-emails", "no-key", Optional.empty(), FIVE_MEGABYTES);

        assertThat(reply)
                .hasValueSatisfying(answer -> assertThat(answer.status()).isEqualTo(400));
    }

    @Test
    void aBodyFarOverTheLimitStillGetsItsAnswer() {
        final Optional<DeskConnections.Reply> reply =
                desk.send("POST", "/api/v1/clients", "no-key", Optional.empty(), FIVE_MEGABYTES);

        assertThat(reply).hasValueSatisfying(answer -> {
            assertThat(answer.status()).isEqualTo(413);
            assertThat(answer.body()).contains("request bodies are limited to 65536 bytes");
        });
    }

    @Test
    void theConnectionAfterARefusedBodyIsANewOneThatWorks() {
        desk.send("POST", "/api/v1/clients", "no-key", Optional.empty(), FIVE_MEGABYTES);

        final Optional<DeskConnections.Reply> next = desk.send("GET", "/health", "no-key", Optional.empty(), "");

        assertThat(next)
                .hasValueSatisfying(answer -> assertThat(answer.status()).isEqualTo(200));
    }
}

package dev.settle.support;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.settle.mail.MailServer;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/** One SMTP server (GreenMail) for the test run: the test app sends its email there. */
public final class TestMail {
    private static GreenMail greenMail;

    private TestMail() {}

    public static synchronized MailServer server() {
        if (greenMail == null) {
            greenMail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
            greenMail.start();
            Runtime.getRuntime().addShutdownHook(new Thread(greenMail::stop));
        }
        return MailServer.parse(
                "smtp://127.0.0.1:" + greenMail.getSmtp().getPort(), "Settle Test <settle@test.invalid>");
    }

    private static final java.util.Map<String, Integer> taken = new java.util.concurrent.ConcurrentHashMap<>();

    /** The first email to {@code address}, waiting for the outbox job to send it. */
    public static MimeMessage awaitTo(String address) {
        return awaitNth(address, 1);
    }

    /** The next email to {@code address} that an earlier call has not returned, waiting for it. */
    public static MimeMessage awaitNewTo(String address) {
        return awaitNth(address, taken.merge(address.toLowerCase(java.util.Locale.ROOT), 1, Integer::sum));
    }

    private static MimeMessage awaitNth(String address, int nth) {
        server();
        final Instant until = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(until)) {
            final Optional<MimeMessage> found = Arrays.stream(greenMail.getReceivedMessages())
                    .filter(message -> {
                        try {
                            return Arrays.stream(message.getAllRecipients())
                                    .anyMatch(recipient -> recipient.toString().equalsIgnoreCase(address));
                        } catch (jakarta.mail.MessagingException e) {
                            return false;
                        }
                    })
                    .skip(nth - 1)
                    .findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no email to " + address + " within 20 s");
    }
}

package dev.settle.mail;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Where email goes: an SMTP server named by a URL such as {@code smtp://user:secret@mail.example.com:587}
 * (STARTTLS when the server offers it) or {@code smtps://…:465} (TLS from the start), and the From
 * address. With none, email is kept in the outbox for staff to read.
 */
public record MailServer(
        String host, int port, boolean tls, Optional<String> user, Optional<String> password, String from) {

    public static final String DEFAULT_FROM = "Settle <no-reply@settle.invalid>";

    /** From {@code SETTLE_SMTP_URL} and {@code SETTLE_MAIL_FROM}; empty when no URL is set. */
    public static Optional<MailServer> fromEnvironment() {
        return Optional.ofNullable(System.getenv("SETTLE_SMTP_URL"))
                .filter(url -> !url.isBlank())
                .map(url -> parse(
                        url,
                        Optional.ofNullable(System.getenv("SETTLE_MAIL_FROM"))
                                .filter(from -> !from.isBlank())
                                .orElse(DEFAULT_FROM)));
    }

    public static MailServer parse(String url, String from) {
        final URI uri = URI.create(url.strip());
        final boolean tls = "smtps".equals(uri.getScheme());
        if (!tls && !"smtp".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException(
                    "SETTLE_SMTP_URL must look like smtp://user:password@host:587, not " + url);
        }
        final Optional<String[]> userInfo =
                Optional.ofNullable(uri.getRawUserInfo()).map(info -> info.split(":", 2));
        return new MailServer(
                uri.getHost(),
                uri.getPort() > 0 ? uri.getPort() : (tls ? 465 : 587),
                tls,
                userInfo.map(parts -> decode(parts[0])),
                userInfo.filter(parts -> parts.length == 2).map(parts -> decode(parts[1])),
                from);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}

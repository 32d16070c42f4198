package dev.settle.mail;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Email, sent through an outbox: {@link #queue} writes it in the caller's transaction, and a job
 * ({@link #deliverDue}) sends it after commit. So nothing is mailed for a change that rolled back,
 * and nothing is lost when the app stops between the two. Without a mail server the email is
 * kept, and logged, for staff to read on the Outbox page.
 */
public final class Outbox {
    private static final Logger log = LoggerFactory.getLogger(Outbox.class);

    /** Tries before an email is given up on as failed. */
    static final int ATTEMPTS_MAX = 5;

    public enum Kind {
        RECEIPT("receipt"),
        FUNDS_DIGEST("funds_digest"),
        GIFT_CARD("gift_card"),
        // A sign-in link works once, for minutes: with no mail server, staff read it here (and in the log).
        PORTAL_LINK("portal_link"),
        STATEMENT("statement"),
        NOTICE("notice");

        public final String dbName;

        Kind(String dbName) {
            this.dbName = dbName;
        }
    }

    public record Email(
            long id,
            String kind,
            String to,
            String subject,
            String body,
            Optional<Long> invoiceId,
            OffsetDateTime createdAt,
            String status,
            int attempts,
            Optional<OffsetDateTime> sentAt,
            Optional<String> lastError,
            Optional<String> attachmentName) {

        /** What the Outbox page says of it. */
        public String statusLabel() {
            return switch (status) {
                case "queued" -> attempts == 0 ? "Sending" : "Retrying (" + lastError.orElse("") + ")";
                case "sent" -> "Sent";
                case "kept" -> "Not sent: no mail server is set up";
                default -> "Failed: " + lastError.orElse("");
            };
        }
    }

    private final Optional<MailServer> server;

    public Outbox(Optional<MailServer> server) {
        this.server = server;
    }

    public boolean canSend() {
        return server.isPresent();
    }

    /** A PDF sent with an email. */
    public record Attachment(String name, byte[] pdf) {}

    public long queue(
            Handle handle,
            long businessId,
            Kind kind,
            String to,
            String subject,
            String body,
            Optional<Long> invoiceId,
            Optional<Long> staffId) {
        return queue(handle, businessId, kind, to, subject, body, invoiceId, staffId, Optional.empty());
    }

    public long queue(
            Handle handle,
            long businessId,
            Kind kind,
            String to,
            String subject,
            String body,
            Optional<Long> invoiceId,
            Optional<Long> staffId,
            Optional<Attachment> attachment) {
        return handle.createQuery("""
                insert into emails (business_id, kind, to_address, subject, body, invoice_id, created_by_staff_id,
                                    redact_codes, attachment_name, attachment_pdf)
                values (:business_id, :kind, :to, :subject, :body, :invoice_id, :staff_id, :redact,
                        :attachment_name, :attachment_pdf)
                returning id
                """)
                .bind("attachment_name", attachment.map(Attachment::name).orElse(null))
                .bind("attachment_pdf", attachment.map(Attachment::pdf).orElse(null))
                .bind("business_id", businessId)
                .bind("kind", kind.dbName)
                .bind("to", to)
                .bind("subject", subject)
                .bind("body", body)
                .bind("invoice_id", invoiceId.orElse(null))
                .bind("staff_id", staffId.orElse(null))
                .bind("redact", kind == Kind.GIFT_CARD || kind == Kind.PORTAL_LINK)
                .mapTo(Long.class)
                .one();
    }

    public List<Email> recent(Handle handle, long businessId, int limit) {
        return handle.createQuery(SELECT + "where business_id = :business_id order by id desc limit :limit")
                .bind("business_id", businessId)
                .bind("limit", limit)
                .map(Outbox::email)
                .list();
    }

    public Optional<Email> find(Handle handle, long businessId, long emailId) {
        return handle.createQuery(SELECT + "where business_id = :business_id and id = :id")
                .bind("business_id", businessId)
                .bind("id", emailId)
                .map(Outbox::email)
                .findOne();
    }

    /**
     * Sends (or, with no mail server, keeps) every queued email, one at a time, each under its own
     * row lock so two app instances never send the same one. Returns how many it handled.
     */
    public int deliverDue(Jdbi jdbi) {
        int handled = 0;
        while (jdbi.inTransaction(this::deliverOne)) {
            handled++;
        }
        return handled;
    }

    private boolean deliverOne(Handle handle) {
        final Optional<Long[]> next = handle.createQuery("""
                select business_id, id from emails
                where status = 'queued' and next_attempt_at <= clock_timestamp()
                order by next_attempt_at limit 1 for update skip locked
                """)
                .map((rs, ctx) -> new Long[] {rs.getLong("business_id"), rs.getLong("id")})
                .findOne();
        if (next.isEmpty()) {
            return false;
        }
        deliver(handle, next.get()[0], next.get()[1]);
        return true;
    }

    /** Sends (or keeps) one email, if it is still queued; the caller's transaction holds its row lock. */
    public void deliver(Handle handle, long businessId, long emailId) {
        final Optional<Email> queued = handle.createQuery(
                        SELECT + "where business_id = :business_id and id = :id and status = 'queued' for update")
                .bind("business_id", businessId)
                .bind("id", emailId)
                .map(Outbox::email)
                .findOne();
        if (queued.isEmpty()) {
            return;
        }
        final Email email = queued.get();
        if (server.isEmpty()) {
            // A gift card's code never goes to the log.
            log.info(
                    "no mail server set up (SETTLE_SMTP_URL): email {} to {} kept in the outbox: {}\n{}",
                    email.id(),
                    email.to(),
                    email.subject(),
                    email.kind().equals(Kind.GIFT_CARD.dbName)
                            ? "(a gift card: its code is not logged)"
                            : email.body());
            mark(handle, businessId, email.id(), "kept", Optional.empty());
            return;
        }
        try {
            send(server.get(), businessId, email, attachment(handle, businessId, email));
            mark(handle, businessId, email.id(), "sent", Optional.empty());
        } catch (MessagingException | RuntimeException e) {
            log.warn("email {} to {} not sent: {}", email.id(), email.to(), e.toString());
            mark(
                    handle,
                    businessId,
                    email.id(),
                    email.attempts() + 1 >= ATTEMPTS_MAX ? "failed" : "queued",
                    Optional.of(String.valueOf(e.getMessage())));
        }
    }

    private Optional<Attachment> attachment(Handle handle, long businessId, Email email) {
        return email.attachmentName().flatMap(name -> attachment(handle, businessId, email.id()));
    }

    /** The email's attachment, if it has one. */
    public Optional<Attachment> attachment(Handle handle, long businessId, long emailId) {
        return handle.createQuery("""
                        select attachment_name, attachment_pdf from emails
                        where business_id = :business_id and id = :id and attachment_name is not null
                        """)
                .bind("business_id", businessId)
                .bind("id", emailId)
                .map((rs, ctx) -> new Attachment(rs.getString("attachment_name"), rs.getBytes("attachment_pdf")))
                .findOne();
    }

    private static void send(MailServer server, long businessId, Email email, Optional<Attachment> attachment)
            throws MessagingException {
        final Properties properties = new Properties();
        properties.put("mail.smtp.host", server.host());
        properties.put("mail.smtp.port", String.valueOf(server.port()));
        properties.put("mail.smtp.connectiontimeout", "10000");
        properties.put("mail.smtp.timeout", "10000");
        properties.put("mail.smtp.auth", String.valueOf(server.user().isPresent()));
        properties.put("mail.smtp.starttls.enable", "true");
        properties.put("mail.smtp.ssl.enable", String.valueOf(server.tls()));
        final Session session = Session.getInstance(properties);
        final MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(server.from()));
        message.setRecipients(Message.RecipientType.TO, InternetAddress.parse(email.to(), true));
        message.setSubject(email.subject(), "UTF-8");
        if (attachment.isPresent()) {
            final jakarta.mail.internet.MimeBodyPart text = new jakarta.mail.internet.MimeBodyPart();
            text.setText(email.body(), "UTF-8");
            final jakarta.mail.internet.MimeBodyPart pdf = new jakarta.mail.internet.MimeBodyPart();
            pdf.setDataHandler(new jakarta.activation.DataHandler(
                    new jakarta.mail.util.ByteArrayDataSource(attachment.get().pdf(), "application/pdf")));
            pdf.setFileName(attachment.get().name());
            message.setContent(new jakarta.mail.internet.MimeMultipart(text, pdf));
        } else {
            message.setText(email.body(), "UTF-8");
        }
        // Lets a reply or a bounce be traced to the business and email it came from.
        message.setHeader("X-Settle-Email", businessId + "-" + email.id());
        if (server.user().isPresent()) {
            Transport.send(message, server.user().get(), server.password().orElse(""));
        } else {
            Transport.send(message);
        }
    }

    private static void mark(Handle handle, long businessId, long emailId, String status, Optional<String> error) {
        handle.createUpdate("""
                update emails
                set status = :status, attempts = attempts + 1, last_error = :error,
                    sent_at = case when :status = 'sent' then clock_timestamp() end,
                    next_attempt_at = clock_timestamp() + interval '1 minute' * power(2, attempts),
                    body = case when redact_codes and :status in ('sent', 'failed')
                                then regexp_replace(
                                         regexp_replace(body, '([0-9A-Z]{4}-){3}([0-9A-Z]{4})', '••••-••••-••••-\\2', 'g'),
                                         '/link/[A-Za-z0-9_-]{43}', '/link/(sent)', 'g')
                                else body end
                where business_id = :business_id and id = :id
                """)
                .bind("status", status)
                .bind(
                        "error",
                        error.map(text -> text.length() > 500 ? text.substring(0, 500) : text)
                                .orElse(null))
                .bind("business_id", businessId)
                .bind("id", emailId)
                .execute();
    }

    private static final String SELECT = """
            select id, kind, to_address, subject, body, invoice_id, created_at, status, attempts, sent_at, last_error,
                   attachment_name
            from emails
            """;

    private static Email email(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        return new Email(
                rs.getLong("id"),
                rs.getString("kind"),
                rs.getString("to_address"),
                rs.getString("subject"),
                rs.getString("body"),
                Optional.ofNullable(rs.getObject("invoice_id", Long.class)),
                rs.getObject("created_at", OffsetDateTime.class),
                rs.getString("status"),
                rs.getInt("attempts"),
                Optional.ofNullable(rs.getObject("sent_at", OffsetDateTime.class)),
                Optional.ofNullable(rs.getString("last_error")),
                Optional.ofNullable(rs.getString("attachment_name")));
    }
}

package dev.settle.mail;

import dev.settle.Problem;
import dev.settle.notices.ClientNotices;
import dev.settle.web.Pages;
import dev.settle.web.PathIds;
import dev.settle.web.SignedIn;
import dev.settle.web.StaffAuth;
import io.javalin.http.Context;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * The Outbox page: every email Settle sent for the business, or keeps because it has no mail server,
 * and the notices to clients, with why any was not sent.
 */
public final class OutboxPages {
    /** Emails shown, newest first. */
    static final int SHOWN = 100;

    private final Jdbi jdbi;
    private final Outbox outbox;
    private final ClientNotices notices;
    private final Pages pages;

    public OutboxPages(Jdbi jdbi, Outbox outbox, ClientNotices notices, Pages pages) {
        this.jdbi = jdbi;
        this.outbox = outbox;
        this.notices = notices;
        this.pages = pages;
    }

    public void list(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        pages.render(
                ctx,
                "outbox/outbox.jte",
                "Outbox",
                Pages.Section.OUTBOX,
                Map.of(
                        "emails",
                        jdbi.withHandle(handle -> outbox.recent(handle, signedIn.businessId(), SHOWN)),
                        "canSend",
                        outbox.canSend(),
                        "notices",
                        jdbi.withHandle(handle -> notices.recent(handle, signedIn.businessId(), SHOWN))));
    }

    /** An email's PDF (a statement), for staff to pass on when no mail server sends it. */
    public void attachment(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final long emailId = PathIds.of(ctx, "emailId");
        final Outbox.Attachment attachment = jdbi.withHandle(
                        handle -> outbox.attachment(handle, signedIn.businessId(), emailId))
                .orElseThrow(() -> Problem.notFound("emailId", "no email with an attachment has id " + emailId));
        ctx.contentType("application/pdf");
        ctx.header("Content-Disposition", "attachment; filename=\"" + attachment.name() + "\"");
        ctx.result(attachment.pdf());
    }
}

package dev.settle.clients;

import dev.settle.web.Form;
import dev.settle.web.Pages;
import dev.settle.web.PathIds;
import dev.settle.web.SignedIn;
import dev.settle.web.StaffAuth;
import io.javalin.http.Context;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** {@code /approvals}: manual changes above the limit, for a second manager to approve or reject. */
public final class ApprovalPages {
    private final Jdbi jdbi;
    private final Approvals approvals;
    private final Pages pages;

    public ApprovalPages(Jdbi jdbi, Approvals approvals, Pages pages) {
        this.jdbi = jdbi;
        this.approvals = approvals;
        this.pages = pages;
    }

    public void list(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        pages.render(
                ctx,
                "approvals/approvals.jte",
                "Waiting for approval",
                Pages.Section.APPROVALS,
                Map.of(
                        "waiting",
                        jdbi.withHandle(handle -> approvals.waiting(handle, signedIn.businessId(), Optional.empty()))));
    }

    public void approve(Context ctx) {
        decide(ctx, (signedIn, approvalId) -> {
            final ClientMoney.Outcome outcome = jdbi.inTransaction(handle -> approvals.approve(
                    handle,
                    signedIn.businessId(),
                    approvalId,
                    signedIn.staffId(),
                    LocalDate.now(signedIn.formats().zone())));
            return "Approved and recorded. " + outcome.client().name() + " now owes "
                    + signedIn.formats().money(outcome.client().receivable().balanceMinor()) + ", holds "
                    + signedIn.formats().money(outcome.client().openPayments().balanceMinor())
                    + " in open payments and "
                    + signedIn.formats().money(outcome.client().credits().balanceMinor())
                    + " in credits.";
        });
    }

    public void reject(Context ctx) {
        decide(ctx, (signedIn, approvalId) -> {
            final Approvals.Pending pending = jdbi.inTransaction(
                    handle -> approvals.reject(handle, signedIn.businessId(), approvalId, signedIn.staffId()));
            final boolean own = pending.requestedByStaffId().equals(Optional.of(signedIn.staffId()));
            return (own ? "Withdrawn" : "Rejected") + ": the "
                    + pending.kind().label.toLowerCase(java.util.Locale.ROOT)
                    + " of "
                    + signedIn.formats().money(pending.amountMinor()) + " for " + pending.clientName()
                    + " was not recorded.";
        });
    }

    private interface Decision {
        String decide(SignedIn signedIn, long approvalId);
    }

    /** Decides, then goes back where the decision was made with what happened (or why not) as the message. */
    private void decide(Context ctx, Decision decision) {
        final long approvalId = PathIds.of(ctx, "approvalId");
        final String back = Form.of(ctx).value("back");
        pages.afterAction(
                ctx,
                back.matches("/(clients/[0-9]{1,18}|approvals)") ? back : "/approvals",
                "Not done",
                signedIn -> decision.decide(signedIn, approvalId));
    }
}

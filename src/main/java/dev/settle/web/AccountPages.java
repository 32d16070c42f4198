package dev.settle.web;

import dev.settle.Problem;
import dev.settle.business.StaffUsers;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** A staff member's own password: changed at will, and at first sign-in with a temporary one. */
public final class AccountPages {
    private final Jdbi jdbi;
    private final StaffUsers staff;
    private final Sessions sessions;
    private final Pages pages;

    public AccountPages(Jdbi jdbi, StaffUsers staff, Sessions sessions, Pages pages) {
        this.jdbi = jdbi;
        this.staff = staff;
        this.sessions = sessions;
        this.pages = pages;
    }

    public void passwordForm(Context ctx) {
        show(ctx, HttpStatus.OK, Form.empty());
    }

    public void changePassword(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Form form = Form.of(ctx);
        try {
            if (!form.value("newPassword").equals(form.value("confirmPassword"))) {
                throw Problem.validation("confirmPassword", "The two new passwords are not the same");
            }
            jdbi.useTransaction(handle -> {
                staff.changeOwnPassword(
                        handle,
                        signedIn.businessId(),
                        signedIn.staffId(),
                        form.value("currentPassword"),
                        form.value("newPassword"));
                sessions.endOthers(handle, signedIn);
                sessions.flash(handle, signedIn, "Your password is changed. Other devices were signed out.");
            });
            ctx.redirect("/clients", HttpStatus.SEE_OTHER);
        } catch (Problem problem) {
            show(ctx, HttpStatus.UNPROCESSABLE_CONTENT, Form.empty().withError(problem));
        }
    }

    private void show(Context ctx, HttpStatus status, Form form) {
        pages.render(
                ctx,
                status,
                "account/password.jte",
                "Your password",
                Pages.Section.ACCOUNT,
                Map.of("form", form, "required", StaffAuth.signedIn(ctx).mustChangePassword()));
    }
}

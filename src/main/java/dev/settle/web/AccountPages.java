package dev.settle.web;

import dev.settle.Problem;
import dev.settle.business.StaffUsers;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** A staff member's own password: changed at will, and at first sign-in with a temporary one. */
public final class AccountPages {
    private final Jdbi jdbi;
    private final StaffUsers staff;
    private final Sessions sessions;
    private final PasswordThrottle throttle;
    private final Pages pages;

    public AccountPages(Jdbi jdbi, StaffUsers staff, Sessions sessions, PasswordThrottle throttle, Pages pages) {
        this.jdbi = jdbi;
        this.staff = staff;
        this.sessions = sessions;
        this.throttle = throttle;
        this.pages = pages;
    }

    public void passwordForm(Context ctx) {
        show(ctx, HttpStatus.OK, Form.empty());
    }

    public void changePassword(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Form form = Form.of(ctx);
        if (!form.value("newPassword").equals(form.value("confirmPassword"))) {
            refuse(ctx, Problem.validation("confirmPassword", "The two new passwords are not the same"));
            return;
        }
        // Someone at an unattended desk must not be able to guess the current password freely.
        final Optional<Duration> wait = throttle.claim(signedIn.email());
        if (wait.isPresent()) {
            refuse(ctx, Problem.validation("currentPassword", PasswordThrottle.waitMessage(wait.get())));
            return;
        }
        try {
            jdbi.useTransaction(handle -> {
                staff.changeOwnPassword(
                        handle,
                        signedIn.businessId(),
                        signedIn.staffId(),
                        form.value("currentPassword"),
                        form.value("newPassword"));
                throttle.succeeded(handle, signedIn.email());
                sessions.endOthers(handle, signedIn);
                sessions.flash(handle, signedIn, "Your password is changed. Other devices were signed out.");
            });
            ctx.redirect("/clients", HttpStatus.SEE_OTHER);
        } catch (Problem problem) {
            if (!problem.field().equals(Optional.of("currentPassword"))) {
                // The current password is checked first: it was right, only the new one was refused.
                jdbi.useHandle(handle -> throttle.succeeded(handle, signedIn.email()));
            }
            refuse(ctx, problem);
        }
    }

    private void refuse(Context ctx, Problem problem) {
        show(ctx, HttpStatus.UNPROCESSABLE_CONTENT, Form.empty().withError(problem));
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

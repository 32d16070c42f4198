package dev.settle.business;

import dev.settle.Problem;
import dev.settle.web.Form;
import dev.settle.web.Pages;
import dev.settle.web.PathIds;
import dev.settle.web.Sessions;
import dev.settle.web.SignedIn;
import dev.settle.web.StaffAuth;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** The owner's Staff page: add people, change roles, deactivate, reset passwords. */
public final class StaffPages {
    private final Jdbi jdbi;
    private final StaffUsers staff;
    private final Sessions sessions;
    private final Pages pages;

    public StaffPages(Jdbi jdbi, StaffUsers staff, Sessions sessions, Pages pages) {
        this.jdbi = jdbi;
        this.staff = staff;
        this.sessions = sessions;
        this.pages = pages;
    }

    /** Shown once, right after it is made: a new person's or a reset temporary password. */
    public record TemporaryPassword(String name, String email, String password) {}

    public void list(Context ctx) {
        show(ctx, HttpStatus.OK, Form.of(Map.of("role", Role.FRONT_DESK.dbName)), Optional.empty());
    }

    public void add(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Form form = Form.of(ctx);
        try {
            final Role role = role(form.value("role"));
            final StaffUsers.Added added = jdbi.inTransaction(handle ->
                    staff.add(handle, signedIn.businessId(), form.value("displayName"), form.value("email"), role));
            show(
                    ctx,
                    HttpStatus.OK,
                    Form.of(Map.of("role", Role.FRONT_DESK.dbName)),
                    Optional.of(new TemporaryPassword(
                            added.user().displayName(), added.user().email(), added.temporaryPassword())));
        } catch (Problem problem) {
            show(ctx, HttpStatus.UNPROCESSABLE_CONTENT, form.withError(problem), Optional.empty());
        }
    }

    public void changeRole(Context ctx) {
        change(ctx, (signedIn, staffId) -> {
            final Role role = role(ctx.formParam("role"));
            jdbi.useTransaction(handle -> {
                staff.changeRole(handle, signedIn.businessId(), signedIn.staffId(), staffId, role);
                sessions.flash(handle, signedIn, name(handle, signedIn, staffId) + " is now " + role.label + ".");
            });
        });
    }

    public void deactivate(Context ctx) {
        change(
                ctx,
                (signedIn, staffId) -> jdbi.useTransaction(handle -> {
                    staff.deactivate(handle, signedIn.businessId(), signedIn.staffId(), staffId);
                    sessions.flash(
                            handle,
                            signedIn,
                            name(handle, signedIn, staffId) + " is deactivated and can no longer sign in.");
                }));
    }

    public void reactivate(Context ctx) {
        change(
                ctx,
                (signedIn, staffId) -> jdbi.useTransaction(handle -> {
                    staff.reactivate(handle, signedIn.businessId(), signedIn.staffId(), staffId);
                    sessions.flash(handle, signedIn, name(handle, signedIn, staffId) + " can sign in again.");
                }));
    }

    public void resetPassword(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final long staffId = PathIds.of(ctx, "staffId");
        try {
            final TemporaryPassword reset = jdbi.inTransaction(handle -> {
                final String password = staff.resetPassword(handle, signedIn.businessId(), signedIn.staffId(), staffId);
                final StaffUsers.StaffUser user =
                        staff.find(handle, signedIn.businessId(), staffId).orElseThrow();
                return new TemporaryPassword(user.displayName(), user.email(), password);
            });
            show(ctx, HttpStatus.OK, Form.of(Map.of("role", Role.FRONT_DESK.dbName)), Optional.of(reset));
        } catch (Problem problem) {
            refuseChange(ctx, signedIn, problem);
        }
    }

    private interface Change {
        void apply(SignedIn signedIn, long staffId);
    }

    /** A change to one person, then back to the list (where the flash message says what happened). */
    private void change(Context ctx, Change change) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final long staffId = PathIds.of(ctx, "staffId");
        try {
            change.apply(signedIn, staffId);
            ctx.redirect("/staff", HttpStatus.SEE_OTHER);
        } catch (Problem problem) {
            refuseChange(ctx, signedIn, problem);
        }
    }

    private void refuseChange(Context ctx, SignedIn signedIn, Problem problem) {
        if (problem.kind() == Problem.Kind.NOT_FOUND) {
            throw problem;
        }
        jdbi.useHandle(handle -> sessions.flash(handle, signedIn, problem.detail() + " Nothing was changed."));
        ctx.redirect("/staff", HttpStatus.SEE_OTHER);
    }

    private String name(Handle handle, SignedIn signedIn, long staffId) {
        return staff.find(handle, signedIn.businessId(), staffId)
                .map(StaffUsers.StaffUser::displayName)
                .orElseThrow();
    }

    private void show(Context ctx, HttpStatus status, Form form, Optional<TemporaryPassword> temporaryPassword) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        pages.render(
                ctx,
                status,
                "staff/staff.jte",
                "Staff",
                Pages.Section.SETTINGS,
                Map.of(
                        "form", form,
                        "staff", jdbi.withHandle(handle -> staff.list(handle, signedIn.businessId())),
                        "roles", Arrays.asList(Role.values()).reversed(),
                        "me", signedIn.staffId(),
                        "temporaryPassword", temporaryPassword));
    }

    private static Role role(String dbName) {
        return Role.fromDb(dbName == null ? "" : dbName)
                .orElseThrow(() -> Problem.validation("role", "Choose a role: Owner, Manager or Front desk"));
    }
}

package dev.settle.business;

import dev.settle.Problem;
import dev.settle.web.Form;
import dev.settle.web.LiveApiKeys;
import dev.settle.web.Pages;
import dev.settle.web.PathIds;
import dev.settle.web.Sessions;
import dev.settle.web.SignedIn;
import dev.settle.web.StaffAuth;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The owner's API keys page: create a key (its text shown once), label it, revoke it. */
public final class ApiKeyPages {
    private final Jdbi jdbi;
    private final ApiKeys apiKeys;
    private final LiveApiKeys liveKeys;
    private final Sessions sessions;
    private final Pages pages;

    public ApiKeyPages(Jdbi jdbi, ApiKeys apiKeys, LiveApiKeys liveKeys, Sessions sessions, Pages pages) {
        this.jdbi = jdbi;
        this.apiKeys = apiKeys;
        this.liveKeys = liveKeys;
        this.sessions = sessions;
        this.pages = pages;
    }

    public void list(Context ctx) {
        show(ctx, HttpStatus.OK, Form.empty(), Optional.empty());
    }

    public void create(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Form form = Form.of(ctx);
        try {
            final ApiKeys.CreatedKey created =
                    jdbi.inTransaction(handle -> apiKeys.create(handle, signedIn.businessId(), form.value("label")));
            show(ctx, HttpStatus.OK, Form.empty(), Optional.of(created.key()));
        } catch (Problem problem) {
            show(ctx, HttpStatus.UNPROCESSABLE_CONTENT, form.withError(problem), Optional.empty());
        }
    }

    public void revoke(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final long keyId = PathIds.of(ctx, "keyId");
        jdbi.useTransaction(handle -> {
            apiKeys.revoke(handle, signedIn.businessId(), keyId);
            sessions.flash(handle, signedIn, "The key is revoked: requests made with it are refused from now on.");
        });
        // This instance refuses it from the next request on; the others when the database tells them.
        liveKeys.forgetAll();
        ctx.redirect("/api-keys", HttpStatus.SEE_OTHER);
    }

    private void show(Context ctx, HttpStatus status, Form form, Optional<String> createdKey) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        pages.render(
                ctx,
                status,
                "apikeys/apikeys.jte",
                "API keys",
                Pages.Section.SETTINGS,
                Map.of(
                        "form", form,
                        "keys", jdbi.withHandle(handle -> apiKeys.list(handle, signedIn.businessId())),
                        "createdKey", createdKey));
    }
}

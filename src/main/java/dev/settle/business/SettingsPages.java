package dev.settle.business;

import dev.settle.Problem;
import dev.settle.money.MoneyInput;
import dev.settle.web.Form;
import dev.settle.web.Pages;
import dev.settle.web.Sessions;
import dev.settle.web.SignedIn;
import dev.settle.web.StaffAuth;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The owner's Settings page. */
public final class SettingsPages {
    private final Jdbi jdbi;
    private final BusinessSettings settings;
    private final Sessions sessions;
    private final Pages pages;

    public SettingsPages(Jdbi jdbi, BusinessSettings settings, Sessions sessions, Pages pages) {
        this.jdbi = jdbi;
        this.settings = settings;
        this.sessions = sessions;
        this.pages = pages;
    }

    public void show(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final BusinessSettings.Settings current =
                jdbi.withHandle(handle -> settings.find(handle, signedIn.businessId()));
        show(ctx, HttpStatus.OK, asForm(current));
    }

    public void save(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Form form = Form.of(ctx);
        try {
            final Currency currency = BusinessSettings.currency(form.value("currency"), "currency");
            final BusinessSettings.Settings changed = new BusinessSettings.Settings(
                    signedIn.businessId(),
                    TextInput.required(form.value("name"), "name", "Business name", 200),
                    currency,
                    BusinessSettings.zoneId(form.value("timeZone"), "timeZone"),
                    BusinessSettings.locale(form.value("locale"), "locale"),
                    form.checked("giftCardsEnabled"),
                    form.checked("portalShowsFunds"),
                    form.checked("autoApplyFunds"),
                    form.value("adjustmentApprovalLimit").isBlank()
                            ? Optional.empty()
                            : Optional.of(MoneyInput.parse(
                                    form.value("adjustmentApprovalLimit"),
                                    currency,
                                    "adjustmentApprovalLimit",
                                    "Approval limit")));
            jdbi.useTransaction(handle -> {
                settings.update(handle, changed);
                sessions.flash(handle, signedIn, "Settings saved.");
            });
            ctx.redirect("/settings", HttpStatus.SEE_OTHER);
        } catch (Problem problem) {
            show(ctx, HttpStatus.UNPROCESSABLE_CONTENT, form.withError(problem));
        }
    }

    private void show(Context ctx, HttpStatus status, Form form) {
        pages.render(
                ctx,
                status,
                "settings/settings.jte",
                "Settings",
                Pages.Section.SETTINGS,
                Map.of("form", form, "locales", BusinessSettings.LOCALES));
    }

    private static Form asForm(BusinessSettings.Settings current) {
        final Map<String, String> values = new LinkedHashMap<>();
        values.put("name", current.name());
        values.put("currency", current.currency().getCurrencyCode());
        values.put("timeZone", current.timeZone().getId());
        values.put("locale", current.locale().toLanguageTag());
        current.adjustmentApprovalLimitMinor()
                .ifPresent(limit -> values.put("adjustmentApprovalLimit", MoneyInput.plain(limit, current.currency())));
        if (current.giftCardsEnabled()) {
            values.put("giftCardsEnabled", "on");
        }
        if (current.portalShowsFunds()) {
            values.put("portalShowsFunds", "on");
        }
        if (current.autoApplyFunds()) {
            values.put("autoApplyFunds", "on");
        }
        return Form.of(values);
    }
}

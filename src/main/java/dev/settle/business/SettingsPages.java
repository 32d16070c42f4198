package dev.settle.business;

import dev.settle.Problem;
import dev.settle.invoices.TaxRates;
import dev.settle.money.MoneyInput;
import dev.settle.payments.StripeConnections;
import dev.settle.payments.StripeProcessor;
import dev.settle.web.Form;
import dev.settle.web.Pages;
import dev.settle.web.Sessions;
import dev.settle.web.SignedIn;
import dev.settle.web.StaffAuth;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The owner's Settings page. */
public final class SettingsPages {
    private final Jdbi jdbi;
    private final BusinessSettings settings;
    private final Sessions sessions;
    private final Pages pages;
    private final StripeConnections stripe;
    private final StripeProcessor stripeProcessor;
    private final java.util.function.Supplier<String> publicUrl;

    /** The owner connects Stripe with its secret key and webhook signing secret, checked with Stripe first. */
    public void connectStripe(Context ctx) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        final Form form = Form.of(ctx);
        try {
            final StripeConnections.Status status = stripe.connect(
                    signedIn.businessId(),
                    form.value("secretKey"),
                    form.value("webhookSecret"),
                    signedIn.staffId(),
                    stripeProcessor);
            jdbi.useHandle(handle -> sessions.flash(
                    handle,
                    signedIn,
                    "Stripe connected (" + status.accountName().orElse(status.accountId())
                            + "): clients now pay by card through Stripe."));
            ctx.redirect("/settings", HttpStatus.SEE_OTHER);
        } catch (Problem problem) {
            final BusinessSettings.Settings current =
                    jdbi.withHandle(handle -> settings.find(handle, signedIn.businessId()));
            // The keys typed are not shown again: the owner pastes them anew.
            show(ctx, HttpStatus.UNPROCESSABLE_CONTENT, asForm(current).withError(problem));
        }
    }

    public void disconnectStripe(Context ctx) {
        pages.afterAction(ctx, "/settings", "Stripe is still connected", signedIn -> {
            jdbi.useTransaction(handle -> stripe.disconnect(handle, signedIn.businessId()));
            return "Stripe disconnected and its keys forgotten. Cards are recorded by hand until a processor is connected.";
        });
    }

    public SettingsPages(
            Jdbi jdbi,
            BusinessSettings settings,
            Sessions sessions,
            Pages pages,
            StripeConnections stripe,
            StripeProcessor stripeProcessor,
            java.util.function.Supplier<String> publicUrl) {
        this.stripe = stripe;
        this.stripeProcessor = stripeProcessor;
        this.publicUrl = publicUrl;
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
        final Form.Checks checks = form.checks();
        final Optional<String> name =
                checks.field(() -> TextInput.required(form.value("name"), "name", "Business name", 200));
        final Optional<Currency> currency =
                checks.field(() -> BusinessSettings.currency(form.value("currency"), "currency"));
        final Optional<ZoneId> zone = checks.field(() -> BusinessSettings.zoneId(form.value("timeZone"), "timeZone"));
        final Optional<Locale> locale = checks.field(() -> BusinessSettings.locale(form.value("locale"), "locale"));
        final Optional<Optional<Long>> limit = checks.field(() -> approvalLimit(form, currency));
        final Optional<BigDecimal> serviceTax =
                checks.field(() -> TaxRates.percent(form.value("serviceTaxPercent"), "serviceTaxPercent"));
        final Optional<BigDecimal> productTax =
                checks.field(() -> TaxRates.percent(form.value("productTaxPercent"), "productTaxPercent"));
        final Optional<BusinessSettings.GiftCardPolicy> giftCards = checks.field(() -> giftCardPolicy(form, currency));
        final Optional<Integer> dormantMonths = checks.field(() -> wholeNumber(
                form,
                "dormantAfterMonths",
                DEFAULT_DORMANT_MONTHS,
                120,
                "Months must be a whole number from 1 to 120"));
        final Optional<Integer> noticeDays = checks.field(() -> wholeNumber(
                form,
                "creditExpiringDays",
                DEFAULT_NOTICE_DAYS,
                BusinessSettings.Notices.DAYS_MAX,
                "Days must be a whole number from 1 to " + BusinessSettings.Notices.DAYS_MAX));
        final Optional<String> cardProcessor = checks.field(() -> {
            final String chosen = form.value("cardProcessor").isBlank() ? "none" : form.value("cardProcessor");
            if (!BusinessSettings.CARD_PROCESSORS.contains(chosen)) {
                throw Problem.validation("cardProcessor", "Choose no processor, the test processor or Stripe");
            }
            if (chosen.equals("stripe")
                    && jdbi.withHandle(handle -> stripe.status(handle, signedIn.businessId()))
                            .isEmpty()) {
                throw Problem.validation("cardProcessor", "Connect Stripe below first, with its keys");
            }
            return chosen;
        });
        if (checks.form().hasErrors()) {
            show(ctx, HttpStatus.UNPROCESSABLE_CONTENT, checks.form());
            return;
        }
        final BusinessSettings.Settings changed = new BusinessSettings.Settings(
                signedIn.businessId(),
                name.orElseThrow(),
                currency.orElseThrow(),
                zone.orElseThrow(),
                locale.orElseThrow(),
                form.checked("giftCardsEnabled"),
                form.checked("portalShowsFunds"),
                form.checked("autoApplyFunds"),
                limit.orElseThrow(),
                new TaxRates(serviceTax.orElseThrow(), productTax.orElseThrow()),
                giftCards.orElseThrow(),
                cardProcessor.orElseThrow(),
                dormantMonths.orElseThrow(),
                new BusinessSettings.Notices(
                        form.checked("notifyReceipts"),
                        form.checked("notifyNewFunds"),
                        form.checked("notifyCreditExpiring"),
                        form.checked("notifyGiftCardDelivered"),
                        noticeDays.orElseThrow()));
        try {
            jdbi.useTransaction(handle -> {
                settings.update(handle, changed);
                sessions.flash(handle, signedIn, "Settings saved.");
            });
            ctx.redirect("/settings", HttpStatus.SEE_OTHER);
        } catch (Problem problem) {
            show(ctx, HttpStatus.UNPROCESSABLE_CONTENT, form.withError(problem));
        }
    }

    /** The gift card range (blank: the defaults) and expiry (blank: never), read in the form's currency. */
    private static BusinessSettings.GiftCardPolicy giftCardPolicy(Form form, Optional<Currency> currency) {
        final Currency money = currency.orElse(Currency.getInstance("USD"));
        final BusinessSettings.GiftCardPolicy defaults = BusinessSettings.GiftCardPolicy.DEFAULT;
        final long min = form.value("giftCardMin").isBlank()
                ? defaults.minMinor()
                : MoneyInput.parse(form.value("giftCardMin"), money, "giftCardMin", "Smallest gift card");
        final long max = form.value("giftCardMax").isBlank()
                ? defaults.maxMinor()
                : MoneyInput.parse(form.value("giftCardMax"), money, "giftCardMax", "Largest gift card");
        if (min <= 0) {
            throw Problem.validation("giftCardMin", "Smallest gift card must be more than zero");
        }
        if (max < min) {
            throw Problem.validation("giftCardMax", "Largest gift card must be at least the smallest");
        }
        final List<Long> presets = new ArrayList<>();
        for (String typed : form.value("giftCardPresets").split(",")) {
            if (!typed.isBlank()) {
                final long preset = MoneyInput.parse(typed, money, "giftCardPresets", "Each preset");
                if (preset < min || preset > max) {
                    throw Problem.validation(
                            "giftCardPresets", "Each preset must be between the smallest and largest gift card");
                }
                presets.add(preset);
            }
        }
        if (presets.size() > BusinessSettings.GiftCardPolicy.PRESETS_MAX) {
            throw Problem.validation(
                    "giftCardPresets",
                    "Offer at most " + BusinessSettings.GiftCardPolicy.PRESETS_MAX + " preset amounts");
        }
        final String months = form.value("giftCardExpiryMonths").strip();
        if (months.isEmpty()) {
            return new BusinessSettings.GiftCardPolicy(min, max, Optional.empty(), List.copyOf(presets));
        }
        if (!months.matches("[0-9]{1,3}") || Integer.parseInt(months) < 1 || Integer.parseInt(months) > 120) {
            throw Problem.validation(
                    "giftCardExpiryMonths", "Months must be a whole number from 1 to 120, or empty for never");
        }
        return new BusinessSettings.GiftCardPolicy(
                min, max, Optional.of(Integer.parseInt(months)), List.copyOf(presets));
    }

    /** Blank means no limit; an amount is read in the currency chosen on the same form. */
    private static Optional<Long> approvalLimit(Form form, Optional<Currency> currency) {
        final String typed = form.value("adjustmentApprovalLimit");
        if (typed.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(MoneyInput.parse(
                typed, currency.orElse(Currency.getInstance("USD")), "adjustmentApprovalLimit", "Approval limit"));
    }

    private void show(Context ctx, HttpStatus status, Form form) {
        final SignedIn signedIn = StaffAuth.signedIn(ctx);
        pages.render(
                ctx,
                status,
                "settings/settings.jte",
                "Settings",
                Pages.Section.SETTINGS,
                Map.of(
                        "form",
                        form,
                        "locales",
                        BusinessSettings.LOCALES,
                        "timeZones",
                        BusinessSettings.TIME_ZONES,
                        "currencies",
                        BusinessSettings.COMMON_CURRENCIES,
                        "stripe",
                        jdbi.withHandle(handle -> stripe.status(handle, signedIn.businessId())),
                        "stripeWebhookUrl",
                        publicUrl.get() + "/webhooks/stripe/" + signedIn.businessId()));
    }

    /** What the breakage report counts as dormant when the owner leaves the field empty. */
    private static final int DEFAULT_DORMANT_MONTHS = 12;

    /** How many days ahead clients hear of a credit expiring when the owner leaves the field empty. */
    private static final int DEFAULT_NOTICE_DAYS = 7;

    /** A whole number from 1 to {@code most}; empty means {@code empty}. */
    private static int wholeNumber(Form form, String field, int empty, int most, String message) {
        final String typed = form.value(field).strip();
        if (typed.isEmpty()) {
            return empty;
        }
        if (!typed.matches("[0-9]{1,3}") || Integer.parseInt(typed) < 1 || Integer.parseInt(typed) > most) {
            throw Problem.validation(field, message);
        }
        return Integer.parseInt(typed);
    }

    private static Form asForm(BusinessSettings.Settings current) {
        final Map<String, String> values = new LinkedHashMap<>();
        values.put("name", current.name());
        values.put("currency", current.currency().getCurrencyCode());
        values.put("timeZone", current.timeZone().getId());
        values.put("locale", current.locale().toLanguageTag());
        current.adjustmentApprovalLimitMinor()
                .ifPresent(limit -> values.put("adjustmentApprovalLimit", MoneyInput.plain(limit, current.currency())));
        values.put("cardProcessor", current.cardProcessor());
        values.put("serviceTaxPercent", TaxRates.shown(current.taxRates().servicePercent()));
        values.put("productTaxPercent", TaxRates.shown(current.taxRates().productPercent()));
        values.put("giftCardMin", MoneyInput.plain(current.giftCards().minMinor(), current.currency()));
        values.put("giftCardMax", MoneyInput.plain(current.giftCards().maxMinor(), current.currency()));
        values.put(
                "giftCardPresets",
                String.join(
                        ", ",
                        current.giftCards().presetsMinor().stream()
                                .map(preset -> MoneyInput.plain(preset, current.currency()))
                                .toList()));
        values.put(
                "giftCardExpiryMonths",
                current.giftCards().expiryMonths().map(String::valueOf).orElse(""));
        values.put("dormantAfterMonths", String.valueOf(current.dormantAfterMonths()));
        values.put("creditExpiringDays", String.valueOf(current.notices().creditExpiringDays()));
        final Map<String, Boolean> notices = Map.of(
                "notifyReceipts", current.notices().receipts(),
                "notifyNewFunds", current.notices().newFunds(),
                "notifyCreditExpiring", current.notices().creditExpiring(),
                "notifyGiftCardDelivered", current.notices().giftCardDelivered());
        notices.forEach((name, on) -> {
            if (on) {
                values.put(name, "on");
            }
        });
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

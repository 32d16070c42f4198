package dev.settle.business;

import dev.settle.Problem;
import dev.settle.invoices.TaxRates;
import dev.settle.money.CurrencyCode;
import java.time.ZoneId;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** A business's settings: what the owner changes on the Settings page. */
public final class BusinessSettings {
    /** The locales Settle offers: each formats money and dates the way its country writes them. */
    public static final List<String> LOCALES = List.of(
            "en-US", "en-CA", "en-GB", "en-AU", "en-NZ", "en-IE", "fr-CA", "fr-FR", "de-DE", "de-AT", "de-CH", "es-ES",
            "es-MX", "it-IT", "nl-NL", "pt-BR", "pt-PT", "sv-SE", "da-DK", "nb-NO", "fi-FI", "pl-PL", "ja-JP");

    /** Zone names offered as the owner types: regions, not offsets or legacy aliases. */
    public static final List<String> TIME_ZONES = ZoneId.getAvailableZoneIds().stream()
            .filter(id -> id.matches("(Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific)/.+"))
            .sorted()
            .toList();

    /** Currencies offered as the owner types; any other ISO 4217 code may be typed. */
    public static final List<String> COMMON_CURRENCIES =
            List.of("USD", "CAD", "EUR", "GBP", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "PLN", "MXN", "BRL", "JPY");

    public record Settings(
            long businessId,
            String name,
            Currency currency,
            ZoneId timeZone,
            Locale locale,
            boolean giftCardsEnabled,
            boolean portalShowsFunds,
            boolean autoApplyFunds,
            Optional<Long> adjustmentApprovalLimitMinor,
            TaxRates taxRates,
            GiftCardPolicy giftCards,
            String cardProcessor,
            int dormantAfterMonths,
            Notices notices) {}

    /** Which notices clients get by email, and how many days before a credit expires they are told. */
    public record Notices(
            boolean receipts,
            boolean newFunds,
            boolean creditExpiring,
            boolean giftCardDelivered,
            int creditExpiringDays) {
        public static final int DAYS_MAX = 60;
    }

    /** The card processors a business can use: none (cards recorded by hand), the test one, or Stripe. */
    public static final List<String> CARD_PROCESSORS = List.of("none", "test", "stripe");

    /** What a gift card may be sold for, and how many months it lasts (empty: it never expires). */
    public record GiftCardPolicy(
            long minMinor, long maxMinor, Optional<Integer> expiryMonths, List<Long> presetsMinor) {
        public static final GiftCardPolicy DEFAULT =
                new GiftCardPolicy(5_00, 1_000_00, Optional.empty(), List.of(25_00L, 50_00L, 100_00L));

        /** Preset amounts a business may offer at most. */
        public static final int PRESETS_MAX = 6;
    }

    public Settings find(Handle handle, long businessId) {
        return findIfAny(handle, businessId).orElseThrow();
    }

    /** The business a public page names in its path; 404 when there is none. */
    public Settings require(Handle handle, long businessId) {
        return findIfAny(handle, businessId)
                .orElseThrow(() -> Problem.notFound("businessId", "no business has id " + businessId));
    }

    private Optional<Settings> findIfAny(Handle handle, long businessId) {
        return handle.createQuery("""
                select id, name, currency, time_zone, locale, gift_cards_enabled, portal_shows_funds,
                       auto_apply_funds, adjustment_approval_limit_minor, service_tax_millipercent, product_tax_millipercent,
                       gift_card_min_minor, gift_card_max_minor, gift_card_expiry_months,
                       gift_card_presets_minor, card_processor, dormant_after_months,
                       notify_receipts, notify_new_funds, notify_credit_expiring, notify_gift_card_delivered,
                       credit_expiring_notice_days
                from businesses where id = :id
                """)
                .bind("id", businessId)
                .map((rs, ctx) -> new Settings(
                        rs.getLong("id"),
                        rs.getString("name"),
                        Currency.getInstance(rs.getString("currency")),
                        ZoneId.of(rs.getString("time_zone")),
                        Locale.forLanguageTag(rs.getString("locale")),
                        rs.getBoolean("gift_cards_enabled"),
                        rs.getBoolean("portal_shows_funds"),
                        rs.getBoolean("auto_apply_funds"),
                        Optional.ofNullable(rs.getObject("adjustment_approval_limit_minor", Long.class)),
                        new TaxRates(
                                TaxRates.fromMillipercent(rs.getInt("service_tax_millipercent")),
                                TaxRates.fromMillipercent(rs.getInt("product_tax_millipercent"))),
                        new GiftCardPolicy(
                                rs.getLong("gift_card_min_minor"),
                                rs.getLong("gift_card_max_minor"),
                                Optional.ofNullable(rs.getObject("gift_card_expiry_months", Integer.class)),
                                List.of((Long[])
                                        rs.getArray("gift_card_presets_minor").getArray())),
                        rs.getString("card_processor"),
                        rs.getInt("dormant_after_months"),
                        new Notices(
                                rs.getBoolean("notify_receipts"),
                                rs.getBoolean("notify_new_funds"),
                                rs.getBoolean("notify_credit_expiring"),
                                rs.getBoolean("notify_gift_card_delivered"),
                                rs.getInt("credit_expiring_notice_days"))))
                .findOne();
    }

    /**
     * Saves settings already checked by {@link #zoneId}, {@link #locale} and the form. The currency
     * can change only before any money has moved: every amount in the ledger is in it.
     */
    public void update(Handle handle, Settings settings) {
        // Two owners saving at once take turns, and the currency check sees a settled state.
        handle.createQuery("select id from businesses where id = :id for update")
                .bind("id", settings.businessId())
                .mapTo(Long.class)
                .one();
        final Settings current = find(handle, settings.businessId());
        if (!current.currency().equals(settings.currency()) && hasEntries(handle, settings.businessId())) {
            throw Problem.validation(
                    "currency",
                    "Currency can't change once money has been recorded in "
                            + current.currency().getCurrencyCode());
        }
        handle.createUpdate("""
                update businesses
                set name = :name, currency = :currency, time_zone = :time_zone, locale = :locale,
                    gift_cards_enabled = :gift_cards_enabled, portal_shows_funds = :portal_shows_funds,
                    auto_apply_funds = :auto_apply_funds,
                    adjustment_approval_limit_minor = :adjustment_approval_limit_minor,
                    service_tax_millipercent = :service_tax, product_tax_millipercent = :product_tax,
                    gift_card_min_minor = :gift_card_min, gift_card_max_minor = :gift_card_max,
                    gift_card_expiry_months = :gift_card_expiry_months,
                    gift_card_presets_minor = :gift_card_presets,
                    card_processor = :card_processor, dormant_after_months = :dormant_after_months,
                    notify_receipts = :notify_receipts, notify_new_funds = :notify_new_funds,
                    notify_credit_expiring = :notify_credit_expiring,
                    notify_gift_card_delivered = :notify_gift_card_delivered,
                    credit_expiring_notice_days = :credit_expiring_notice_days
                where id = :id
                """)
                .bind("id", settings.businessId())
                .bind("name", settings.name())
                .bind("currency", settings.currency().getCurrencyCode())
                .bind("time_zone", settings.timeZone().getId())
                .bind("locale", settings.locale().toLanguageTag())
                .bind("gift_cards_enabled", settings.giftCardsEnabled())
                .bind("portal_shows_funds", settings.portalShowsFunds())
                .bind("auto_apply_funds", settings.autoApplyFunds())
                .bind(
                        "adjustment_approval_limit_minor",
                        settings.adjustmentApprovalLimitMinor().orElse(null))
                .bind("service_tax", TaxRates.millipercent(settings.taxRates().servicePercent()))
                .bind("product_tax", TaxRates.millipercent(settings.taxRates().productPercent()))
                .bind("gift_card_min", settings.giftCards().minMinor())
                .bind("gift_card_max", settings.giftCards().maxMinor())
                .bind(
                        "gift_card_expiry_months",
                        settings.giftCards().expiryMonths().orElse(null))
                .bindArray("gift_card_presets", Long.class, settings.giftCards().presetsMinor())
                .bind("card_processor", settings.cardProcessor())
                .bind("dormant_after_months", settings.dormantAfterMonths())
                .bind("notify_receipts", settings.notices().receipts())
                .bind("notify_new_funds", settings.notices().newFunds())
                .bind("notify_credit_expiring", settings.notices().creditExpiring())
                .bind("notify_gift_card_delivered", settings.notices().giftCardDelivered())
                .bind("credit_expiring_notice_days", settings.notices().creditExpiringDays())
                .execute();
    }

    public static Currency currency(String code, String field) {
        return CurrencyCode.parse(code == null ? null : code.strip().toUpperCase(Locale.ROOT), field);
    }

    public static ZoneId zoneId(String id, String field) {
        if (id == null || !ZoneId.getAvailableZoneIds().contains(id.strip())) {
            throw Problem.validation(field, "Time zone must be a name such as America/New_York or Europe/London");
        }
        return ZoneId.of(id.strip());
    }

    public static Locale locale(String tag, String field) {
        if (tag == null || !LOCALES.contains(tag)) {
            throw Problem.validation(field, "Choose one of the offered locales");
        }
        return Locale.forLanguageTag(tag);
    }

    private static boolean hasEntries(Handle handle, long businessId) {
        return handle.createQuery("select exists (select 1 from journal_entries where business_id = :business_id)")
                .bind("business_id", businessId)
                .mapTo(Boolean.class)
                .one();
    }
}

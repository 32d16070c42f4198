package dev.settle.ledger;

import java.util.Arrays;
import java.util.Optional;

/** What an account is for. Mirrors the CHECK on {@code accounts.kind}. */
public enum AccountKind {
    // per client
    RECEIVABLE("receivable", Scope.CLIENT),
    OPEN_PAYMENTS("open_payments", Scope.CLIENT),
    CREDITS("credits", Scope.CLIENT),
    // per gift card
    GIFT_CARD("gift_card", Scope.GIFT_CARD),
    // per business: one clearing account per tender kind, then income, liabilities and contra accounts
    CASH("cash", Scope.BUSINESS),
    CHECK("check", Scope.BUSINESS),
    CARD("card", Scope.BUSINESS),
    EXTERNAL("external", Scope.BUSINESS),
    SALES("sales", Scope.BUSINESS),
    TAX("tax", Scope.BUSINESS),
    TIPS("tips", Scope.BUSINESS),
    PROMOTIONS("promotions", Scope.BUSINESS),
    ADJUSTMENTS("adjustments", Scope.BUSINESS);

    /** Who an account of this kind belongs to. */
    public enum Scope {
        BUSINESS,
        CLIENT,
        GIFT_CARD
    }

    public final String dbName;
    public final Scope scope;

    AccountKind(String dbName, Scope scope) {
        this.dbName = dbName;
        this.scope = scope;
    }

    public static Optional<AccountKind> fromDbName(String name) {
        return Arrays.stream(values()).filter(kind -> kind.dbName.equals(name)).findFirst();
    }
}

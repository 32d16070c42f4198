package dev.settle.ledger;

import java.util.Optional;

/** An account and its stored balance (in its normal direction: positive holds value). */
public record Account(
        long businessId,
        long id,
        AccountKind kind,
        Optional<Long> clientId,
        Optional<Long> giftCardId,
        long balanceMinor,
        long version) {}

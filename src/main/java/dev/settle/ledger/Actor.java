package dev.settle.ledger;

import java.util.Optional;

/** Who moved the money: a staff user, an API key, or Settle itself (jobs, the CLI). */
public record Actor(Optional<Long> staffUserId, Optional<Long> apiKeyId) {

    public Actor {
        if (staffUserId.isPresent() && apiKeyId.isPresent()) {
            throw new IllegalArgumentException("an actor is a staff user or an API key, not both");
        }
    }

    public static Actor staff(long staffUserId) {
        return new Actor(Optional.of(staffUserId), Optional.empty());
    }

    public static Actor apiKey(long apiKeyId) {
        return new Actor(Optional.empty(), Optional.of(apiKeyId));
    }

    public static Actor system() {
        return new Actor(Optional.empty(), Optional.empty());
    }
}

package dev.settle.business;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordsTest {

    @Test
    void aGeneratedPasswordVerifiesAgainstItsArgon2idHashAndNothingElseDoes() {
        final String password = Passwords.generate();
        final String hash = Passwords.hash(password);

        assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$").doesNotContain(password);
        assertThat(Passwords.matches(password, hash)).isTrue();
        assertThat(Passwords.matches(password + "x", hash)).isFalse();
        assertThat(Passwords.hash(password)).as("salted").isNotEqualTo(hash);
    }
}

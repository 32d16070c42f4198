package dev.settle.business;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Bearer secrets (API keys, session tokens, CSRF tokens): 256 random bits as URL-safe text, kept
 * only as a SHA-256 hash. A fast hash is enough for 256-bit secrets; passwords, which people
 * choose, get Argon2id instead ({@link Passwords}).
 */
public final class Secrets {
    private static final SecureRandom random = new SecureRandom();

    private Secrets() {}

    /** 256 random bits as 43 URL- and cookie-safe characters. */
    public static String random256() {
        final byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** {@code length} characters drawn uniformly from {@code alphabet}. */
    public static String randomFrom(String alphabet, int length) {
        final StringBuilder text = new StringBuilder(length);
        for (int index = 0; index < length; index++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    public static byte[] sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}

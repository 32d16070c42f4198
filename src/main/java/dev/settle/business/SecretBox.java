package dev.settle.business;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals secrets Settle must read back (a business's processor keys) with AES-256-GCM under a key
 * that is never in the database: {@code SETTLE_SECRET_KEY} (32 bytes, base64), else a key file
 * made once in the data folder. Each sealed value is bound to its business and purpose, so it
 * cannot be copied to another row and still open. See decision 0016.
 */
public final class SecretBox {
    private static final String PREFIX = "v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom random = new SecureRandom();

    private final Supplier<SecretKeySpec> key;

    public SecretBox(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("a secret key is 32 bytes, not " + key.length);
        }
        final SecretKeySpec spec = new SecretKeySpec(key.clone(), "AES");
        this.key = () -> spec;
    }

    private SecretBox(Supplier<SecretKeySpec> key) {
        this.key = key;
    }

    /** {@code SETTLE_SECRET_KEY} if set, else the key in {@code keyFile} (made on first use). */
    public static SecretBox fromEnvironment(Path keyFile) {
        final Optional<String> configured =
                Optional.ofNullable(System.getenv("SETTLE_SECRET_KEY")).filter(text -> !text.isBlank());
        if (configured.isPresent()) {
            try {
                return new SecretBox(Base64.getDecoder().decode(configured.get().strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(
                        "SETTLE_SECRET_KEY must be 32 random bytes in base64 (openssl rand -base64 32)", e);
            }
        }
        // The file is read (or made) when a secret is first sealed or opened, not at start.
        final Supplier<SecretKeySpec> lazy = new Supplier<>() {
            private SecretKeySpec loaded;

            @Override
            public synchronized SecretKeySpec get() {
                if (loaded == null) {
                    loaded = fromFile(keyFile).key.get();
                }
                return loaded;
            }
        };
        return new SecretBox(lazy);
    }

    static SecretBox fromFile(Path keyFile) {
        try {
            if (!Files.exists(keyFile)) {
                final byte[] fresh = new byte[32];
                random.nextBytes(fresh);
                Files.createDirectories(keyFile.toAbsolutePath().getParent());
                final Path written =
                        Files.createTempFile(keyFile.toAbsolutePath().getParent(), "secret", ".tmp");
                Files.setPosixFilePermissions(written, PosixFilePermissions.fromString("rw-------"));
                Files.writeString(written, Base64.getEncoder().encodeToString(fresh));
                try {
                    Files.move(written, keyFile);
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    Files.delete(written);
                }
            }
            return new SecretBox(
                    Base64.getDecoder().decode(Files.readString(keyFile).strip()));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read or make the secret key file " + keyFile, e);
        }
    }

    /** {@code secret} sealed for {@code context} (e.g. "business 7 stripe secret key"). */
    public String seal(String secret, String context) {
        try {
            final byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            final Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key.get(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            final byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            final byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has AES-GCM", e);
        }
    }

    /** The secret sealed for {@code context}; fails if it was sealed under another key or context. */
    public String open(String sealed, String context) {
        if (!sealed.startsWith(PREFIX)) {
            throw new IllegalStateException("not a sealed secret");
        }
        try {
            final byte[] in = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
            final Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key.get(), new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "a sealed secret does not open with this SETTLE_SECRET_KEY (was the key changed?)", e);
        }
    }
}

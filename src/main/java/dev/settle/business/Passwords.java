package dev.settle.business;

import dev.settle.Problem;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Semaphore;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/** Argon2id password hashes in the PHC string format, with OWASP's minimum parameters. */
public final class Passwords {
    private static final int MEMORY_KIB = 19_456;
    private static final int ITERATIONS = 2;
    private static final int PARALLELISM = 1;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final SecureRandom random = new SecureRandom();
    // Each hash takes 19 MiB and a core for tens of milliseconds: a burst of sign-ins waits its
    // turn instead of exhausting memory.
    private static final Semaphore hashing =
            new Semaphore(Math.max(2, Runtime.getRuntime().availableProcessors()), true);
    private static final Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder b64Decoder = Base64.getDecoder();

    private Passwords() {}

    public static String hash(String password) {
        final byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        final byte[] hash = argon2id(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM);
        return "$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s"
                .formatted(MEMORY_KIB, ITERATIONS, PARALLELISM, b64.encodeToString(salt), b64.encodeToString(hash));
    }

    public static boolean matches(String password, String phc) {
        final String[] parts = phc.split("\\$");
        if (parts.length != 6 || !parts[1].equals("argon2id")) {
            return false;
        }
        final String[] params = parts[3].split(",");
        final int memory = Integer.parseInt(params[0].substring(2));
        final int iterations = Integer.parseInt(params[1].substring(2));
        final int parallelism = Integer.parseInt(params[2].substring(2));
        final byte[] expected = b64Decoder.decode(parts[5]);
        final byte[] actual = argon2id(password, b64Decoder.decode(parts[4]), memory, iterations, parallelism);
        return MessageDigest.isEqual(expected, actual);
    }

    static final int LENGTH_MIN = 10;
    static final int LENGTH_MAX = 200;

    /** Refuses a password a person chose that is too short to resist guessing, or absurdly long. */
    public static void checkStrength(String password, String field) {
        if (password == null || password.length() < LENGTH_MIN) {
            throw Problem.validation(field, "Use at least " + LENGTH_MIN + " characters");
        }
        if (password.length() > LENGTH_MAX) {
            throw Problem.validation(field, "Use at most " + LENGTH_MAX + " characters");
        }
    }

    /** A password for a person to type once and change: 20 characters, about 115 bits. */
    public static String generate() {
        final String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
        final StringBuilder password = new StringBuilder();
        for (int index = 0; index < 20; index++) {
            password.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return password.toString();
    }

    private static byte[] argon2id(String password, byte[] salt, int memoryKib, int iterations, int parallelism) {
        final Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt)
                .build();
        final Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(parameters);
        final byte[] hash = new byte[HASH_BYTES];
        hashing.acquireUninterruptibly();
        try {
            generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), hash);
        } finally {
            hashing.release();
        }
        return hash;
    }
}

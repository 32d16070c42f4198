package dev.settle.web;

import dev.settle.Problem;
import dev.settle.business.ApiKeys;
import dev.settle.db.WriteBatcher;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;

/**
 * Every API write goes through here: into the group-commit {@link WriteBatcher}, and through the
 * {@code Idempotency-Key} check. With a key, the key's record is written in the same transaction
 * as the effect: a retry of the same request gets the stored response (status and body) and
 * causes nothing; the same key with a different request is refused with 422. Two requests with
 * one key arriving together serialize on the record's primary key: the second waits for the first
 * to commit, then replays its answer.
 */
public final class ApiWrites {
  public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
  public static final String REPLAYED_HEADER = "Idempotent-Replayed";
  private static final int KEY_LENGTH_MAX = 255;

  private final WriteBatcher batcher;

  public ApiWrites(WriteBatcher batcher) {
    this.batcher = batcher;
  }

  /** What went back to the client, as stored for replays. */
  record Response(int status, String body, boolean replayed) {}

  /**
   * Runs {@code effect} once (per idempotency key) and writes its result as JSON with {@code
   * successStatus}; a {@link Problem} it throws is written as problem+json. {@code accountIds} are
   * the ledger accounts the effect will lock (see {@link WriteBatcher}).
   */
  public void submit(
      Context ctx,
      ApiKeys.Caller caller,
      Collection<Long> accountIds,
      int successStatus,
      Function<Handle, Object> effect) {
    final Optional<String> key = idempotencyKey(ctx);
    final byte[] fingerprint = fingerprint(ctx);
    final Response response =
        batcher.write(
            caller.businessId(),
            accountIds,
            new WriteBatcher.Work<>() {
              @Override
              public Response run(Handle handle) {
                if (key.isPresent()) {
                  final Optional<Response> earlier = claim(handle, caller.businessId(), key.get(), fingerprint);
                  if (earlier.isPresent()) {
                    return earlier.get();
                  }
                }
                final Response fresh = new Response(successStatus, Json.write(effect.apply(handle)), false);
                key.ifPresent(k -> complete(handle, caller.businessId(), k, fresh));
                return fresh;
              }

              @Override
              public void afterProblem(Handle handle, Problem problem) {
                if (key.isPresent() && problem.kind() != Problem.Kind.IDEMPOTENCY_MISMATCH) {
                  remember(handle, caller.businessId(), key.get(), fingerprint, problem);
                }
              }
            });
    ctx.status(response.status())
        .contentType(response.status() >= 400 ? Problems.CONTENT_TYPE : "application/json")
        .result(response.body());
    if (response.replayed()) {
      ctx.header(REPLAYED_HEADER, "true");
    }
  }

  /** The stored response for this key, or empty once this request owns the key. */
  private static Optional<Response> claim(Handle handle, long businessId, String key, byte[] fingerprint) {
    final boolean claimed =
        handle
            .createUpdate(
                """
                insert into idempotency_keys (business_id, key, request_fingerprint)
                values (:business_id, :key, :fingerprint)
                on conflict (business_id, key) do nothing
                """)
            .bind("business_id", businessId)
            .bind("key", key)
            .bind("fingerprint", fingerprint)
            .execute()
            == 1;
    if (claimed) {
      return Optional.empty();
    }
    final StoredKey stored =
        handle
            .createQuery(
                """
                select request_fingerprint, response_status, response_body
                from idempotency_keys
                where business_id = :business_id and key = :key
                """)
            .bind("business_id", businessId)
            .bind("key", key)
            .map((rs, ctx) -> new StoredKey(rs.getBytes(1), rs.getInt(2), rs.getString(3)))
            .one();
    if (!Arrays.equals(stored.fingerprint(), fingerprint)) {
      throw new Problem(
          Problem.Kind.IDEMPOTENCY_MISMATCH,
          IDEMPOTENCY_HEADER,
          "this Idempotency-Key was first used with a different method, path or body; use a new key");
    }
    return Optional.of(new Response(stored.status(), stored.body(), true));
  }

  private record StoredKey(byte[] fingerprint, int status, String body) {}

  private static void complete(Handle handle, long businessId, String key, Response response) {
    handle
        .createUpdate(
            """
            update idempotency_keys set response_status = :status, response_body = :body
            where business_id = :business_id and key = :key
            """)
        .bind("business_id", businessId)
        .bind("key", key)
        .bind("status", response.status())
        .bind("body", response.body())
        .execute();
  }

  /** A refused request is answered the same way on retry: its problem is stored like a success. */
  private static void remember(
      Handle handle, long businessId, String key, byte[] fingerprint, Problem problem) {
    handle
        .createUpdate(
            """
            insert into idempotency_keys
                (business_id, key, request_fingerprint, response_status, response_body)
            values (:business_id, :key, :fingerprint, :status, :body)
            on conflict (business_id, key) do nothing
            """)
        .bind("business_id", businessId)
        .bind("key", key)
        .bind("fingerprint", fingerprint)
        .bind("status", problem.kind().status)
        .bind("body", Problems.toJson(problem))
        .execute();
  }

  private static Optional<String> idempotencyKey(Context ctx) {
    final String key = ctx.header(IDEMPOTENCY_HEADER);
    if (key == null) {
      return Optional.empty();
    }
    if (key.isEmpty() || key.length() > KEY_LENGTH_MAX || !key.matches("[\\x21-\\x7E]+")) {
      throw Problem.validation(
          IDEMPOTENCY_HEADER, "Idempotency-Key must be 1 to 255 visible ASCII characters");
    }
    return Optional.of(key);
  }

  private static byte[] fingerprint(Context ctx) {
    try {
      final MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update((ctx.method() + " " + ctx.path() + "\n").getBytes(StandardCharsets.UTF_8));
      digest.update(ctx.bodyAsBytes());
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}

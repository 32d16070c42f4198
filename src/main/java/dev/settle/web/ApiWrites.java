package dev.settle.web;

import dev.settle.Problem;
import dev.settle.business.ApiKeys;
import dev.settle.db.WriteBatcher;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
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
     * Runs {@code effect} once (per idempotency key) and writes {@code toJson} of its result with
     * {@code successStatus}; a {@link Problem} it throws is written as problem+json. {@code
     * accountIds} are the ledger accounts the effect will lock (see {@link WriteBatcher}).
     */
    public <T> void submit(
            Context ctx,
            ApiKeys.Caller caller,
            Collection<Long> accountIds,
            int successStatus,
            WriteBatcher.Work<T> effect,
            Function<T, ?> toJson) {
        submit(ctx, caller, accountIds, result -> successStatus, effect, toJson);
    }

    /** As above, with the success status depending on the result (201 done, 202 waiting, say). */
    public <T> void submit(
            Context ctx,
            ApiKeys.Caller caller,
            Collection<Long> accountIds,
            java.util.function.ToIntFunction<T> successStatus,
            WriteBatcher.Work<T> effect,
            Function<T, ?> toJson) {
        final ApiWrite<T> write = new ApiWrite<>(
                caller.businessId(), idempotencyKey(ctx), fingerprint(ctx), successStatus, effect, toJson);
        final Response response = batcher.write(caller.businessId(), accountIds, write);
        ctx.status(response.status())
                .contentType(response.status() >= 400 ? Problems.CONTENT_TYPE : "application/json")
                .result(response.body());
        if (response.replayed()) {
            ctx.header(REPLAYED_HEADER, "true");
        }
    }

    /** One API write: its effect, wrapped in the idempotency check when a key came with it. */
    private record ApiWrite<T>(
            long businessId,
            Optional<String> key,
            byte[] fingerprint,
            java.util.function.ToIntFunction<T> successStatus,
            WriteBatcher.Work<T> effect,
            Function<T, ?> toJson)
            implements WriteBatcher.Work<Response> {

        @Override
        public Response run(Handle handle) {
            if (key.isPresent()) {
                final Optional<Response> earlier = claim(handle, businessId, key.get(), fingerprint);
                if (earlier.isPresent()) {
                    return earlier.get();
                }
            }
            final Response fresh = respond(effect.run(handle));
            key.ifPresent(k -> complete(handle, businessId, k, fresh));
            return fresh;
        }

        @Override
        public void afterProblem(Handle handle, Problem problem) {
            // A refusal is the answer for good; "unavailable" is not: a retry with the key may succeed.
            if (key.isPresent()
                    && problem.kind() != Problem.Kind.IDEMPOTENCY_MISMATCH
                    && problem.kind() != Problem.Kind.UNAVAILABLE) {
                remember(handle, businessId, key.get(), fingerprint, problem);
            }
        }

        /**
         * Neighbouring API writes of a batch share the round trips of their keys: claimed in one
         * statement, stored in one. Their effects run together too where they can (ledger posts),
         * else one after another.
         */
        @Override
        @SuppressWarnings("unchecked")
        public Optional<WriteBatcher.Group<Response>> group() {
            return Optional.of(new ApiGroup<>(
                    effect.group().orElse((WriteBatcher.Group<T>) (WriteBatcher.Group<?>) EACH_IN_TURN)));
        }

        Response respond(T result) {
            return new Response(successStatus.applyAsInt(result), Json.write(toJson.apply(result)), false);
        }
    }

    /** Effects with no way of running together: each runs in turn, in the batch's transaction. */
    private static final WriteBatcher.Group<Object> EACH_IN_TURN =
            (handle, works) -> works.stream().map(work -> work.run(handle)).toList();

    /**
     * Several API writes with two round trips for their keys: claim every key, run the effects as
     * their group, store every response. A key that is already taken (a retry) sends the batch back
     * to run one write at a time, where the retry is answered from its record.
     */
    private record ApiGroup<T>(WriteBatcher.Group<T> effects) implements WriteBatcher.Group<Response> {
        @Override
        @SuppressWarnings("unchecked")
        public List<Response> runAll(Handle handle, List<WriteBatcher.Work<Response>> works) {
            final List<ApiWrite<T>> writes =
                    works.stream().map(work -> (ApiWrite<T>) work).toList();
            final List<ApiWrite<T>> keyed =
                    writes.stream().filter(write -> write.key().isPresent()).toList();
            final List<Long> businessIds =
                    keyed.stream().map(ApiWrite::businessId).toList();
            final List<String> keys =
                    keyed.stream().map(write -> write.key().orElseThrow()).toList();
            if (!keyed.isEmpty()
                    && claimAll(
                                    handle,
                                    businessIds,
                                    keys,
                                    keyed.stream().map(ApiWrite::fingerprint).toList())
                            != keyed.size()) {
                throw new WriteBatcher.RunOneByOne("an idempotency key in the batch was already used");
            }
            final List<T> results =
                    effects.runAll(handle, writes.stream().map(ApiWrite::effect).toList());
            final List<Response> responses = new ArrayList<>(writes.size());
            final List<Response> keyedResponses = new ArrayList<>(keyed.size());
            for (int index = 0; index < writes.size(); index++) {
                final Response response = writes.get(index).respond(results.get(index));
                responses.add(response);
                if (writes.get(index).key().isPresent()) {
                    keyedResponses.add(response);
                }
            }
            if (!keyed.isEmpty()) {
                completeAll(handle, businessIds, keys, keyedResponses);
            }
            return responses;
        }

        private static int claimAll(
                Handle handle, List<Long> businessIds, List<String> keys, List<byte[]> fingerprints) {
            return handle.createQuery("""
                            insert into idempotency_keys (business_id, key, request_fingerprint)
                            select * from unnest(:business_ids, :keys, :fingerprints)
                            on conflict (business_id, key) do nothing
                            returning key
                            """)
                    .bindArray("business_ids", Long.class, businessIds)
                    .bindArray("keys", String.class, keys)
                    .bindArray("fingerprints", byte[].class, fingerprints)
                    .mapTo(String.class)
                    .list()
                    .size();
        }

        private static void completeAll(
                Handle handle, List<Long> businessIds, List<String> keys, List<Response> responses) {
            handle.createUpdate("""
                            update idempotency_keys k
                            set response_status = r.status, response_body = r.body
                            from unnest(:business_ids, :keys, :statuses, :bodies) as r (business_id, key, status, body)
                            where k.business_id = r.business_id and k.key = r.key
                            """)
                    .bindArray("business_ids", Long.class, businessIds)
                    .bindArray("keys", String.class, keys)
                    .bindArray(
                            "statuses",
                            Integer.class,
                            responses.stream().map(Response::status).toList())
                    .bindArray(
                            "bodies",
                            String.class,
                            responses.stream().map(Response::body).toList())
                    .execute();
        }
    }

    /** The stored response for this key, or empty once this request owns the key. */
    private static Optional<Response> claim(Handle handle, long businessId, String key, byte[] fingerprint) {
        final boolean claimed = handle.createUpdate("""
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
        final StoredKey stored = handle.createQuery("""
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
        handle.createUpdate("""
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
    private static void remember(Handle handle, long businessId, String key, byte[] fingerprint, Problem problem) {
        handle.createUpdate("""
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
            throw Problem.validation(IDEMPOTENCY_HEADER, "Idempotency-Key must be 1 to 255 visible ASCII characters");
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

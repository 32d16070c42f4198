-- The ledger core: tenants, staff, API keys, clients, accounts, journal entries, postings and
-- idempotency records. Every table is keyed by business_id first, so one business's rows can only
-- reference its own rows (composite foreign keys), and every query is scoped by tenant.
-- Money is BIGINT minor units in the business's one currency; there is no float anywhere.

create table businesses (
    id          bigint generated always as identity primary key,
    name        text not null check (length(name) between 1 and 200),
    currency    char(3) not null check (currency ~ '^[A-Z]{3}$'),
    time_zone   text not null check (length(time_zone) between 1 and 64),
    created_at  timestamptz not null default now()
);

create table staff_users (
    business_id    bigint not null references businesses (id),
    id             bigint generated always as identity,
    email          text not null check (length(email) between 3 and 254),
    display_name   text not null check (length(display_name) between 1 and 200),
    role           text not null check (role in ('owner', 'manager', 'front_desk')),
    password_hash  text not null,
    active         boolean not null default true,
    created_at     timestamptz not null default now(),
    primary key (business_id, id),
    unique (business_id, email)
);

create table api_keys (
    business_id  bigint not null references businesses (id),
    id           bigint generated always as identity,
    label        text not null check (length(label) between 1 and 100),
    -- SHA-256 of the whole key: keys are 256-bit random, so a fast hash is enough and a database
    -- read alone never yields a usable key.
    key_hash     bytea not null unique check (length(key_hash) = 32),
    key_prefix   text not null,
    created_at   timestamptz not null default now(),
    revoked_at   timestamptz,
    primary key (business_id, id)
);

create table clients (
    business_id  bigint not null references businesses (id),
    id           bigint generated always as identity,
    name         text not null check (length(name) between 1 and 200),
    email        text check (length(email) between 3 and 254),
    phone        text check (length(phone) between 3 and 40),
    created_at   timestamptz not null default now(),
    primary key (business_id, id)
);

-- An account's balance is kept in its normal direction: positive means "holds value" for every
-- kind. A posting's amount is signed the accounting way (debit +, credit -), so
--     balance_minor = normal_side * sum(postings.amount_minor)
-- Stored-value accounts (money or value held for someone) can never go below zero.
create table accounts (
    business_id    bigint not null references businesses (id),
    id             bigint generated always as identity,
    kind           text not null check (kind in (
                       'receivable', 'open_payments', 'credits',           -- per client
                       'gift_card',                                       -- per gift card
                       'cash', 'check', 'card', 'external',               -- tender clearing
                       'sales', 'tax', 'tips', 'promotions', 'adjustments')),
    client_id      bigint,
    gift_card_id   bigint,
    normal_side    smallint not null generated always as (
                       case when kind in ('open_payments', 'credits', 'gift_card', 'sales', 'tax', 'tips')
                            then -1 else 1 end) stored,
    balance_minor  bigint not null default 0,
    version        bigint not null default 0 check (version >= 0),
    created_at     timestamptz not null default now(),
    primary key (business_id, id),
    foreign key (business_id, client_id) references clients (business_id, id),
    constraint stored_value_never_negative
        check (balance_minor >= 0 or kind not in ('open_payments', 'credits', 'gift_card')),
    constraint client_accounts_have_a_client
        check ((kind in ('receivable', 'open_payments', 'credits')) = (client_id is not null)),
    constraint gift_card_accounts_have_a_card
        check ((kind = 'gift_card') = (gift_card_id is not null))
);
create unique index accounts_one_per_client_and_kind on accounts (business_id, client_id, kind)
    where client_id is not null;
create unique index accounts_one_per_business_kind on accounts (business_id, kind)
    where client_id is null and gift_card_id is null;
create unique index accounts_one_per_gift_card on accounts (business_id, gift_card_id)
    where gift_card_id is not null;

create table journal_entries (
    business_id        bigint not null references businesses (id),
    id                 bigint generated always as identity,
    kind               text not null check (kind ~ '^[a-z][a-z0-9_]{0,39}$'),
    effective_at       timestamptz not null,
    actor_staff_id     bigint,
    actor_api_key_id   bigint,
    memo               text check (length(memo) <= 500),
    client_id          bigint,
    invoice_id         bigint,
    gift_card_id       bigint,
    idempotency_key    text,
    reverses_entry_id  bigint,
    primary key (business_id, id),
    foreign key (business_id, actor_staff_id) references staff_users (business_id, id),
    foreign key (business_id, actor_api_key_id) references api_keys (business_id, id),
    foreign key (business_id, client_id) references clients (business_id, id),
    foreign key (business_id, reverses_entry_id) references journal_entries (business_id, id),
    constraint one_actor check (actor_staff_id is null or actor_api_key_id is null)
);
-- An entry can be reversed once. Partial, so the many entries that reverse nothing cost no index entry.
create unique index journal_entries_reversed_once on journal_entries (business_id, reverses_entry_id)
    where reverses_entry_id is not null;

-- One row per posting; (account, version) orders an account's history, and each row carries the
-- account's balance after it, so history and as-of reads never replay the ledger.
create table postings (
    business_id          bigint not null,
    account_id           bigint not null,
    account_version      bigint not null check (account_version > 0),
    entry_id             bigint not null,
    amount_minor         bigint not null check (amount_minor <> 0),
    balance_after_minor  bigint not null,
    posted_at            timestamptz not null,
    primary key (business_id, account_id, account_version),
    foreign key (business_id, account_id) references accounts (business_id, id),
    foreign key (business_id, entry_id) references journal_entries (business_id, id)
);
create index postings_by_entry on postings (business_id, entry_id);

-- Entries and postings are immutable. Corrections are reversing entries.
create function refuse_ledger_change() returns trigger language plpgsql as $$
begin
    raise exception 'journal entries and postings are immutable: % on % refused (post a reversal instead)',
        tg_op, tg_table_name
        using errcode = 'ST009';
end $$;

create trigger journal_entries_are_immutable before update or delete on journal_entries
    for each row execute function refuse_ledger_change();
create trigger journal_entries_are_not_truncated before truncate on journal_entries
    for each statement execute function refuse_ledger_change();
create trigger postings_are_immutable before update or delete on postings
    for each row execute function refuse_ledger_change();
create trigger postings_are_not_truncated before truncate on postings
    for each statement execute function refuse_ledger_change();

-- post one journal entry, all or nothing, in four statements: lock, check funds, write the
-- entry, then update every balance and write every posting at once. Error codes (class ST):
--   ST001 malformed entry (fewer than two postings, zero amount, not balanced)
--   ST002 unknown account (not in this business)
--   ST003 insufficient funds in a stored-value account
--   ST004 reversal refused (entry missing, or itself a reversal)
--   ST005 entry already reversed
create function ledger_post(
    p_business_id        bigint,
    p_kind               text,
    p_memo               text,
    p_actor_staff_id     bigint,
    p_actor_api_key_id   bigint,
    p_client_id          bigint,
    p_invoice_id         bigint,
    p_gift_card_id       bigint,
    p_idempotency_key    text,
    p_reverses_entry_id  bigint,
    p_account_ids        bigint[],
    p_amounts_minor      bigint[])
returns table (entry_id bigint, effective_at timestamptz, account_id bigint, account_version bigint,
               amount_minor bigint, balance_after_minor bigint)
language plpgsql
-- Its statements are index lookups whatever the arguments; planning them afresh on every call
-- (PostgreSQL's default for the first calls and whenever it guesses so) cost more than running them.
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
declare
    v_entry_id  bigint;
    v_now       timestamptz;
    v_shape     record;
    v_locked    record;
begin
    -- The entry's shape, in one pass over its lines.
    select count(*) as lines, count(distinct r.account_id) as accounts, coalesce(sum(r.amount), 0) as total,
           coalesce(bool_or(r.amount = 0 or r.amount is null or r.account_id is null), false) as has_zero
    into v_shape
    from unnest(p_account_ids, p_amounts_minor) as r (account_id, amount);
    if v_shape.lines < 2 or cardinality(p_account_ids) <> cardinality(p_amounts_minor) then
        raise exception 'an entry needs at least two postings' using errcode = 'ST001';
    end if;
    if v_shape.has_zero then
        raise exception 'a posting amount must not be zero' using errcode = 'ST001';
    end if;
    if v_shape.total <> 0 then
        raise exception 'postings must sum to zero' using errcode = 'ST001';
    end if;

    -- Lock every account of the entry in id order (one global order, so concurrent entries queue
    -- behind each other instead of deadlocking), and in the same statement find the first
    -- stored-value account the entry would take below zero.
    select count(*) as found,
           (array_agg(l.id order by l.id) filter (where l.short))[1] as short_id,
           (array_agg(l.kind order by l.id) filter (where l.short))[1] as short_kind,
           (array_agg(l.balance_minor order by l.id) filter (where l.short))[1] as short_holds,
           (array_agg(l.takes order by l.id) filter (where l.short))[1] as short_takes
    into v_locked
    from (select a.id, a.kind, a.balance_minor, -a.normal_side * d.amount as takes,
                 a.kind in ('open_payments', 'credits', 'gift_card')
                     and a.balance_minor + a.normal_side * d.amount < 0 as short
          from (select a.id, a.kind, a.balance_minor, a.normal_side from accounts a
                where a.business_id = p_business_id and a.id = any (p_account_ids)
                order by a.id
                for update) a
          join (select r.account_id, sum(r.amount) as amount
                from unnest(p_account_ids, p_amounts_minor) as r (account_id, amount)
                group by r.account_id) d on d.account_id = a.id) l;
    if v_locked.found <> v_shape.accounts then
        raise exception 'account % does not exist', (
            select r.account_id from unnest(p_account_ids) as r (account_id)
            where not exists (select 1 from accounts a where a.business_id = p_business_id and a.id = r.account_id)
            limit 1) using errcode = 'ST002';
    end if;
    -- A reversal is refused for what it is before any question of funds.
    if p_reverses_entry_id is not null then
        if not exists (select 1 from journal_entries e
                       where e.business_id = p_business_id and e.id = p_reverses_entry_id
                         and e.reverses_entry_id is null) then
            raise exception 'entry % cannot be reversed: it does not exist or is itself a reversal',
                p_reverses_entry_id using errcode = 'ST004';
        end if;
        if exists (select 1 from journal_entries e
                   where e.business_id = p_business_id and e.reverses_entry_id = p_reverses_entry_id) then
            raise exception 'entry % has already been reversed', p_reverses_entry_id using errcode = 'ST005';
        end if;
    end if;
    -- Refused before anything is written, so the caller hears which account is short and by how
    -- much; the table's CHECK stays as the last line of defence.
    if v_locked.short_id is not null then
        raise exception 'insufficient funds: account % (%) holds % but the entry takes %',
            v_locked.short_id, v_locked.short_kind, v_locked.short_holds, v_locked.short_takes
            using errcode = 'ST003', detail = v_locked.short_id::text;
    end if;

    -- Read the clock after the locks are held, so postings of one account are in time order.
    v_now := clock_timestamp();
    insert into journal_entries (business_id, kind, effective_at, actor_staff_id, actor_api_key_id, memo,
                                 client_id, invoice_id, gift_card_id, idempotency_key, reverses_entry_id)
    values (p_business_id, p_kind, v_now, p_actor_staff_id, p_actor_api_key_id, p_memo,
            p_client_id, p_invoice_id, p_gift_card_id, p_idempotency_key, p_reverses_entry_id)
    returning id into v_entry_id;

    -- Each account moves once by the sum of its lines; each line then gets the account's next
    -- version and the running balance after it (an account may appear on several lines).
    return query
    with requested as (
        select r.account_id, r.amount, r.ord
        from unnest(p_account_ids, p_amounts_minor) with ordinality as r (account_id, amount, ord)),
    per_account as (
        select r.account_id, sum(r.amount) as amount, count(*) as lines
        from requested r group by r.account_id),
    updated as (
        update accounts a
        set balance_minor = a.balance_minor + a.normal_side * per_account.amount,
            version = a.version + per_account.lines
        from per_account
        where a.business_id = p_business_id and a.id = per_account.account_id
        returning a.id, a.normal_side, a.balance_minor, a.version, per_account.amount, per_account.lines),
    numbered as (
        select r.account_id, r.amount,
               u.version - u.lines + row_number() over running as account_version,
               u.balance_minor - u.normal_side * (u.amount - sum(r.amount) over running) as balance_after
        from requested r
        join updated u on u.id = r.account_id
        window running as (partition by r.account_id order by r.ord)),
    inserted as (
        insert into postings (business_id, account_id, account_version, entry_id, amount_minor,
                              balance_after_minor, posted_at)
        select p_business_id, n.account_id, n.account_version, v_entry_id, n.amount, n.balance_after, v_now
        from numbered n
        returning postings.account_id, postings.account_version, postings.amount_minor,
                  postings.balance_after_minor)
    select v_entry_id, v_now, i.account_id, i.account_version, i.amount_minor, i.balance_after_minor
    from inserted i
    order by i.account_id, i.account_version;
end $$;

-- post several entries in one call (one round trip for a whole group-commit batch): entry i has
-- the scalars at index i and the next p_posting_counts[i] elements of the posting arrays. Stops
-- at the first entry refused, like ledger_post; the caller rolls back and posts them one by one.
create function ledger_post_many(
    p_business_ids        bigint[],
    p_kinds               text[],
    p_memos               text[],
    p_actor_staff_ids     bigint[],
    p_actor_api_key_ids   bigint[],
    p_client_ids          bigint[],
    p_idempotency_keys    text[],
    p_reverses_entry_ids  bigint[],
    p_posting_counts      int[],
    p_account_ids         bigint[],
    p_amounts_minor       bigint[])
returns table (entry_index int, entry_id bigint, effective_at timestamptz, account_id bigint,
               account_version bigint, amount_minor bigint, balance_after_minor bigint)
language plpgsql
set plan_cache_mode = force_generic_plan
as $$
declare
    v_index   int;
    v_offset  int := 0;
    v_count   int;
begin
    if (select sum(count) from unnest(p_posting_counts) as count) <> cardinality(p_account_ids) then
        raise exception 'posting counts do not match the postings given' using errcode = 'ST001';
    end if;
    for v_index in 1 .. coalesce(cardinality(p_business_ids), 0) loop
        v_count := p_posting_counts[v_index];
        return query
            select v_index, posted.*
            from ledger_post(p_business_ids[v_index], p_kinds[v_index], p_memos[v_index],
                             p_actor_staff_ids[v_index], p_actor_api_key_ids[v_index],
                             p_client_ids[v_index], null, null, p_idempotency_keys[v_index],
                             p_reverses_entry_ids[v_index],
                             p_account_ids[v_offset + 1 : v_offset + v_count],
                             p_amounts_minor[v_offset + 1 : v_offset + v_count]) as posted;
        v_offset := v_offset + v_count;
    end loop;
end $$;

-- Same key + same request = one effect and one answer. The row is written in the same
-- transaction as the effect, so a crash leaves either both or neither.
create table idempotency_keys (
    business_id          bigint not null references businesses (id),
    key                  text not null check (length(key) between 1 and 255),
    request_fingerprint  bytea not null,
    -- Set in the same transaction that inserted the row, so a committed row always has them.
    response_status      int,
    response_body        text,
    created_at           timestamptz not null default now(),
    primary key (business_id, key)
);
create index idempotency_keys_by_age on idempotency_keys (created_at);

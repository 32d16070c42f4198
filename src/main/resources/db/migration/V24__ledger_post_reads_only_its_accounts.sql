-- ledger_post as in V7, with its entry's accounts named by id in the two statements that joined
-- them from unnest(). The function runs generic plans (plan_cache_mode), which guess a business's
-- size from the average: where that guess is small, they read every account of the business and
-- hash them (73 read to post 3 in the benchmark's 16-client businesses), so a business larger
-- than the average pays for its size on every entry. "a.id = any (p_account_ids)" lets the
-- primary key find just the entry's own, whatever the guess.
create or replace function ledger_post(
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
    p_amounts_minor      bigint[],
    p_invoice_ids        bigint[])
returns table (entry_id bigint, effective_at timestamptz, account_id bigint, account_version bigint,
               amount_minor bigint, balance_after_minor bigint, invoice_id bigint)
language plpgsql
-- Its statements are index lookups whatever the arguments; planning them afresh on every call
-- (PostgreSQL's default for the first calls and whenever it guesses so) cost more than running them.
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
declare
    v_entry_id  bigint;
    v_now       timestamptz;
    v_as_of     timestamptz;
    v_shape     record;
    v_locked    record;
    v_invoices  record;
begin
    -- The entry's shape, in one pass over its lines.
    select count(*) as lines, count(distinct r.account_id) as accounts, coalesce(sum(r.amount), 0) as total,
           coalesce(bool_or(r.amount = 0 or r.amount is null or r.account_id is null), false) as has_zero
    into v_shape
    from unnest(p_account_ids, p_amounts_minor) as r (account_id, amount);
    if v_shape.lines < 2 or cardinality(p_account_ids) <> cardinality(p_amounts_minor)
       or cardinality(p_account_ids) <> cardinality(p_invoice_ids) then
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

    -- A receivable posting names the client's invoice it charges or pays, and only those do: a
    -- client's balance due then always equals what is unpaid on their invoices (invariant 4).
    -- Invoice rows move only under their client's receivable lock, taken above.
    select count(*) filter (where a.kind = 'receivable'
                              and (i.id is null or i.client_id <> a.client_id or i.voided_at is not null))
               as unlinked,
           count(*) filter (where a.kind <> 'receivable' and r.invoice_id is not null) as misplaced
    into v_invoices
    from unnest(p_account_ids, p_invoice_ids) as r (account_id, invoice_id)
    join accounts a on a.business_id = p_business_id and a.id = any (p_account_ids) and a.id = r.account_id
    left join invoices i on i.business_id = p_business_id and i.id = r.invoice_id;
    if v_invoices.unlinked > 0 then
        raise exception 'a posting to a balance due must name an open invoice of that client'
            using errcode = 'ST006';
    end if;
    if v_invoices.misplaced > 0 then
        raise exception 'only postings to a balance due name an invoice' using errcode = 'ST006';
    end if;
    select i.id, i.unpaid_minor, d.amount into v_invoices
    from (select r.invoice_id, sum(r.amount) as amount
          from unnest(p_invoice_ids, p_amounts_minor) as r (invoice_id, amount)
          where r.invoice_id is not null group by r.invoice_id) d
    join invoices i on i.business_id = p_business_id and i.id = d.invoice_id
    where i.unpaid_minor + d.amount < 0
    order by i.id
    limit 1;
    if v_invoices.id is not null then
        raise exception 'invoice % has % unpaid but the entry pays %', v_invoices.id, v_invoices.unpaid_minor,
            -v_invoices.amount using errcode = 'ST007', detail = v_invoices.id::text;
    end if;

    -- Read the clock after the locks are held, so postings of one account are in time order.
    v_now := clock_timestamp();
    -- History recorded late (a demo, an import from the spreadsheet a business kept before) carries
    -- the time it happened, set for the transaction in settle.effective_at. It may not be in the
    -- future, nor before the latest posting of an account it moves: each account's history stays in
    -- time order, so balances as of any instant still read straight off the postings.
    v_as_of := nullif(current_setting('settle.effective_at', true), '')::timestamptz;
    if v_as_of is not null then
        if v_as_of > v_now then
            raise exception 'an entry cannot be dated in the future' using errcode = 'ST001';
        end if;
        if exists (select 1 from accounts a
                   join postings p on p.business_id = a.business_id and p.account_id = a.id
                                  and p.account_version = a.version
                   where a.business_id = p_business_id and a.id = any (p_account_ids)
                     and p.posted_at > v_as_of) then
            raise exception 'an entry cannot be dated before the latest posting of an account it moves'
                using errcode = 'ST001';
        end if;
        v_now := v_as_of;
    end if;
    insert into journal_entries (business_id, kind, effective_at, actor_staff_id, actor_api_key_id, memo,
                                 client_id, invoice_id, gift_card_id, idempotency_key, reverses_entry_id)
    values (p_business_id, p_kind, v_now, p_actor_staff_id, p_actor_api_key_id, p_memo,
            p_client_id, p_invoice_id, p_gift_card_id, p_idempotency_key, p_reverses_entry_id)
    returning id into v_entry_id;

    update invoices i
    set unpaid_minor = i.unpaid_minor + d.amount
    from (select r.invoice_id, sum(r.amount) as amount
          from unnest(p_invoice_ids, p_amounts_minor) as r (invoice_id, amount)
          where r.invoice_id is not null group by r.invoice_id) d
    where i.business_id = p_business_id and i.id = d.invoice_id;

    -- Each account moves once by the sum of its lines; each line then gets the account's next
    -- version and the running balance after it (an account may appear on several lines).
    return query
    with requested as (
        select r.account_id, r.amount, r.invoice_id, r.ord
        from unnest(p_account_ids, p_amounts_minor, p_invoice_ids) with ordinality
             as r (account_id, amount, invoice_id, ord)),
    per_account as (
        select r.account_id, sum(r.amount) as amount, count(*) as lines
        from requested r group by r.account_id),
    updated as (
        update accounts a
        set balance_minor = a.balance_minor + a.normal_side * per_account.amount,
            version = a.version + per_account.lines
        from per_account
        where a.business_id = p_business_id and a.id = any (p_account_ids) and a.id = per_account.account_id
        returning a.id, a.normal_side, a.balance_minor, a.version, per_account.amount, per_account.lines),
    numbered as (
        select r.account_id, r.amount, r.invoice_id,
               u.version - u.lines + row_number() over running as account_version,
               u.balance_minor - u.normal_side * (u.amount - sum(r.amount) over running) as balance_after
        from requested r
        join updated u on u.id = r.account_id
        window running as (partition by r.account_id order by r.ord)),
    inserted as (
        insert into postings (business_id, account_id, account_version, entry_id, amount_minor,
                              balance_after_minor, posted_at, invoice_id)
        select p_business_id, n.account_id, n.account_version, v_entry_id, n.amount, n.balance_after, v_now,
               n.invoice_id
        from numbered n
        returning postings.account_id, postings.account_version, postings.amount_minor,
                  postings.balance_after_minor, postings.invoice_id)
    select v_entry_id, v_now, i.account_id, i.account_version, i.amount_minor, i.balance_after_minor, i.invoice_id
    from inserted i
    order by i.account_id, i.account_version;
end $$;


-- An entry's statements find each row they touch by its key, so a business with thousands of
-- clients posts as fast as one with ten.
--
-- ledger_post and the two commit triggers keep generic plans: planned once per session from the
-- average business. On a server of many small businesses, PostgreSQL guesses any business holds a
-- row or two, and joined an entry's postings to "the accounts (clients, invoices) of this
-- business", keeping the matches. A business of 10,000 clients then read all 30,000 of its
-- accounts several times for each entry (180,000 rows for a checkout and an open payment, 50 to
-- 100 ms, under the accounts' locks). V24's "a.id = any (ids)" did not prevent it: that plan used
-- the business alone and filtered the ids.
--
-- Here every such read is a LATERAL subquery fenced with OFFSET 0, taking its row by the full
-- primary key for each of the entry's own rows: the planner cannot turn it into a scan of the
-- business, whatever it guesses. Updates cannot be LATERAL; they run once per row, by key.

-- An entry's postings, each with its account read by key.
create function entry_postings(p_business_id bigint, p_entry_id bigint)
returns table (account_id bigint, account_kind text, client_id bigint, gift_card_id bigint, amount_minor bigint,
               balance_after_minor bigint, invoice_id bigint)
language sql stable as $$
    select p.account_id, a.kind, a.client_id, a.gift_card_id, p.amount_minor, p.balance_after_minor, p.invoice_id
    from postings p
    cross join lateral (select a.kind, a.client_id, a.gift_card_id from accounts a
                        where a.business_id = p.business_id and a.id = p.account_id
                        offset 0) a
    where p.business_id = p_business_id and p.entry_id = p_entry_id
$$;

-- As in V24, with every account and invoice read by key.
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
-- Its statements are key lookups whatever the arguments; planning them afresh on every call
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
    v_row       record;
    v_moved     record;
    -- Each account the entry moves, after it moved: id, normal side, balance, version, amount, lines.
    v_ids       bigint[] := '{}';
    v_sides     smallint[] := '{}';
    v_balances  bigint[] := '{}';
    v_versions  bigint[] := '{}';
    v_amounts   bigint[] := '{}';
    v_lines     bigint[] := '{}';
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
    -- behind each other instead of deadlocking: the nested loop takes them in its outer order), and
    -- in the same statement find the first stored-value account the entry would take below zero.
    select count(*) as found,
           (array_agg(l.id order by l.id) filter (where l.short))[1] as short_id,
           (array_agg(l.kind order by l.id) filter (where l.short))[1] as short_kind,
           (array_agg(l.balance_minor order by l.id) filter (where l.short))[1] as short_holds,
           (array_agg(l.takes order by l.id) filter (where l.short))[1] as short_takes
    into v_locked
    from (select a.id, a.kind, a.balance_minor, -a.normal_side * d.amount as takes,
                 a.kind in ('open_payments', 'credits', 'gift_card')
                     and a.balance_minor + a.normal_side * d.amount < 0 as short
          from (select r.account_id, sum(r.amount) as amount
                from unnest(p_account_ids, p_amounts_minor) as r (account_id, amount)
                group by r.account_id
                order by r.account_id) d
          cross join lateral (select a.id, a.kind, a.balance_minor, a.normal_side from accounts a
                              where a.business_id = p_business_id and a.id = d.account_id
                              offset 0
                              for update) a) l;
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
    cross join lateral (select a.kind, a.client_id from accounts a
                        where a.business_id = p_business_id and a.id = r.account_id
                        offset 0) a
    left join lateral (select i.id, i.client_id, i.voided_at from invoices i
                       where i.business_id = p_business_id and i.id = r.invoice_id
                       offset 0) i on true;
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
    cross join lateral (select i.id, i.unpaid_minor from invoices i
                        where i.business_id = p_business_id and i.id = d.invoice_id
                        offset 0) i
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
        if exists (select 1 from unnest(p_account_ids) as r (account_id)
                   cross join lateral (select a.version from accounts a
                                       where a.business_id = p_business_id and a.id = r.account_id
                                       offset 0) a
                   cross join lateral (select p.posted_at from postings p
                                       where p.business_id = p_business_id and p.account_id = r.account_id
                                         and p.account_version = a.version
                                       offset 0) latest
                   where latest.posted_at > v_as_of) then
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

    for v_row in
        select r.invoice_id, sum(r.amount)::bigint as amount
        from unnest(p_invoice_ids, p_amounts_minor) as r (invoice_id, amount)
        where r.invoice_id is not null
        group by r.invoice_id
        order by r.invoice_id
    loop
        update invoices i set unpaid_minor = i.unpaid_minor + v_row.amount
        where i.business_id = p_business_id and i.id = v_row.invoice_id;
    end loop;

    -- Each account moves once by the sum of its lines.
    for v_row in
        select r.account_id, sum(r.amount)::bigint as amount, count(*) as lines
        from unnest(p_account_ids, p_amounts_minor) as r (account_id, amount)
        group by r.account_id
        order by r.account_id
    loop
        update accounts a
        set balance_minor = a.balance_minor + a.normal_side * v_row.amount,
            version = a.version + v_row.lines
        where a.business_id = p_business_id and a.id = v_row.account_id
        returning a.normal_side, a.balance_minor, a.version into v_moved;
        v_ids := v_ids || v_row.account_id;
        v_sides := v_sides || v_moved.normal_side;
        v_balances := v_balances || v_moved.balance_minor;
        v_versions := v_versions || v_moved.version;
        v_amounts := v_amounts || v_row.amount;
        v_lines := v_lines || v_row.lines;
    end loop;

    -- Each line then gets the account's next version and the running balance after it (an account
    -- may appear on several lines).
    return query
    with requested as (
        select r.account_id, r.amount, r.invoice_id, r.ord
        from unnest(p_account_ids, p_amounts_minor, p_invoice_ids) with ordinality
             as r (account_id, amount, invoice_id, ord)),
    moved as (
        select u.id, u.normal_side, u.balance_minor, u.version, u.amount, u.lines
        from unnest(v_ids, v_sides, v_balances, v_versions, v_amounts, v_lines)
             as u (id, normal_side, balance_minor, version, amount, lines)),
    numbered as (
        select r.account_id, r.amount, r.invoice_id,
               u.version - u.lines + row_number() over running as account_version,
               u.balance_minor - u.normal_side * (u.amount - sum(r.amount) over running) as balance_after
        from requested r
        join moved u on u.id = r.account_id
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

-- As in V25, with the entry's accounts and clients read by key.
create or replace function client_notices_for_entry() returns trigger language plpgsql as $$
declare
    v_business record;
begin
    -- History recorded after the fact (an entry dated before its transaction began, decision 0007)
    -- tells no one: a live entry is stamped after its transaction starts.
    if new.effective_at < now() then
        return null;
    end if;
    select notify_receipts, notify_new_funds into v_business from businesses where id = new.business_id;
    if new.kind = 'checkout' and v_business.notify_receipts and new.client_id is not null
       and new.invoice_id is not null then
        insert into client_notices (business_id, kind, client_id, entry_id, status, skipped_reason)
        select new.business_id, 'receipt', c.id, new.id,
               case when w.why is null then 'pending' else 'skipped' end, w.why
        from clients c
        cross join client_notice_unsendable(c.archived_at, c.email) as w (why)
        where c.business_id = new.business_id and c.id = new.client_id
        on conflict do nothing;
    end if;
    if v_business.notify_new_funds and new.kind in ('credit_issued', 'open_payment', 'payment', 'checkout',
                                                    'card_payment', 'gift_card_load', 'payment_refund') then
        insert into client_notices (business_id, kind, client_id, entry_id, status, skipped_reason)
        select new.business_id, f.kind, f.client_id, new.id,
               case when w.why is null then 'pending' else 'skipped' end, w.why
        from (select case p.account_kind when 'credits' then 'new_credit' else 'new_open_payment' end as kind,
                     p.client_id
              from entry_postings(new.business_id, new.id) p
              where p.account_kind in ('credits', 'open_payments')
              group by p.account_kind, p.client_id
              having sum(p.amount_minor) < 0) f
        cross join lateral (select c.archived_at, c.email from clients c
                            where c.business_id = new.business_id and c.id = f.client_id
                            offset 0) c
        cross join client_notice_unsendable(c.archived_at, c.email) as w (why)
        on conflict do nothing;
    end if;
    return null;
end $$;

-- As in V17, with the entry's accounts, gift cards and invoices read by key.
create or replace function webhook_events_for_entry() returns trigger language plpgsql as $$
declare
    v_currency text;
    v_row record;
begin
    if not exists (select 1 from webhook_endpoints
                   where business_id = new.business_id and disabled_at is null) then
        return null;
    end if;
    select currency into v_currency from businesses where id = new.business_id;

    -- client.balance_changed: each client whose balance due, open payments or credits moved.
    for v_row in
        select distinct p.client_id from entry_postings(new.business_id, new.id) p
        where p.client_id is not null
    loop
        perform webhook_event(new.business_id, 'client.balance_changed', 'client:' || v_row.client_id, new.id,
            (select jsonb_build_object(
                        'client_id', v_row.client_id,
                        'balance_due_minor', coalesce(sum(balance_minor) filter (where kind = 'receivable'), 0),
                        'open_payments_minor', coalesce(sum(balance_minor) filter (where kind = 'open_payments'), 0),
                        'credits_minor', coalesce(sum(balance_minor) filter (where kind = 'credits'), 0),
                        'currency', v_currency)
             from accounts where business_id = new.business_id and client_id = v_row.client_id));
    end loop;

    -- gift_card.redeemed: value taken off a card, at checkout, redeemed on an invoice, or loaded
    -- onto a client's account (not a void, nor a reversal of the card's sale or promotion).
    if new.kind in ('checkout', 'gift_card_redemption', 'gift_card_load') then
        for v_row in
            select p.gift_card_id, g.last4, p.amount_minor, p.balance_after_minor
            from entry_postings(new.business_id, new.id) p
            cross join lateral (select g.last4 from gift_cards g
                                where g.business_id = new.business_id and g.id = p.gift_card_id
                                offset 0) g
            where p.account_kind = 'gift_card' and p.amount_minor > 0
        loop
            perform webhook_event(new.business_id, 'gift_card.redeemed',
                'gift_card:' || v_row.gift_card_id || ':' || new.id, new.id,
                jsonb_build_object('gift_card_id', v_row.gift_card_id, 'last4', v_row.last4,
                                   'amount_minor', v_row.amount_minor, 'balance_minor', v_row.balance_after_minor,
                                   'invoice_id', new.invoice_id, 'client_id', new.client_id,
                                   'loaded_onto_account', new.kind = 'gift_card_load', 'currency', v_currency));
        end loop;
    end if;

    -- invoice.paid: an issued invoice left with nothing unpaid by this entry's payment (a credit to
    -- the receivable naming it) or by a checkout paid in full; not a void, nor a reversal. Found
    -- from the entry's own postings, then each invoice by its key.
    if new.kind <> 'reversal' then
        for v_row in
            select i.id, i.client_id, i.total_minor
            from (select p.invoice_id from entry_postings(new.business_id, new.id) p
                  where p.invoice_id is not null and p.account_kind = 'receivable' and p.amount_minor < 0
                  union
                  select new.invoice_id where new.kind = 'checkout') paid
            cross join lateral (select i.id, i.client_id, i.total_minor, i.unpaid_minor, i.issued_at, i.voided_at
                                from invoices i
                                where i.business_id = new.business_id and i.id = paid.invoice_id
                                offset 0) i
            where i.unpaid_minor = 0 and i.issued_at is not null and i.voided_at is null and i.total_minor > 0
            order by i.id
        loop
            perform webhook_event(new.business_id, 'invoice.paid', 'invoice:' || v_row.id, new.id,
                jsonb_build_object('invoice_id', v_row.id, 'client_id', v_row.client_id,
                                   'total_minor', v_row.total_minor, 'currency', v_currency));
        end loop;
    end if;

    -- credit.expired: what of a client's credits ran out unused (an entry of that kind moving no
    -- client's credits, as the entries API could post, makes none).
    if new.kind = 'credit_expired' then
        for v_row in
            select p.client_id, p.amount_minor, p.balance_after_minor from entry_postings(new.business_id, new.id) p
            where p.account_kind = 'credits' and p.amount_minor > 0
        loop
            perform webhook_event(new.business_id, 'credit.expired', 'entry:' || new.id || ':' || v_row.client_id,
                new.id, jsonb_build_object('client_id', v_row.client_id, 'amount_minor', v_row.amount_minor,
                                           'credits_minor', v_row.balance_after_minor, 'currency', v_currency));
        end loop;
    end if;
    return null;
end $$;

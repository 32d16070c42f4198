-- Webhooks (issue 9, decision 0017). Owners register endpoints; events are written by the database
-- itself when a transaction that posted ledger entries commits (a deferred trigger on
-- journal_entries), so an event exists exactly when its entry does, whichever code path posted it.
-- A job delivers each (event, endpoint) pair, signed, retrying with backoff; every attempt is kept.

create table webhook_endpoints (
    business_id    bigint not null references businesses (id),
    id             bigint generated always as identity,
    url            text not null check (length(url) <= 2000 and url ~* '^https?://'),
    description    text check (length(description) between 1 and 200),
    -- The event types sent to it.
    events         text[] not null check (cardinality(events) between 1 and 20),
    -- The signing secret, sealed (SecretBox) and bound to the business; shown to the owner once.
    secret_sealed  text not null,
    created_at     timestamptz not null default clock_timestamp(),
    created_by_staff_id bigint,
    disabled_at    timestamptz,
    primary key (business_id, id),
    foreign key (business_id, created_by_staff_id) references staff_users (business_id, id)
);

create table webhook_events (
    business_id  bigint not null references businesses (id),
    id           bigint generated always as identity,
    type         text not null check (type ~ '^[a-z_]+\.[a-z_]+$'),
    -- What the event is about ('client:12'): with tx_id, one event per subject per transaction, its
    -- data read at commit, when every entry of the transaction is in.
    subject      text not null,
    data         jsonb not null,
    entry_id     bigint not null,
    tx_id        bigint not null default txid_current(),
    created_at   timestamptz not null default clock_timestamp(),
    primary key (business_id, id),
    foreign key (business_id, entry_id) references journal_entries (business_id, id),
    unique (business_id, type, subject, tx_id)
);

create table webhook_deliveries (
    business_id      bigint not null,
    event_id         bigint not null,
    endpoint_id      bigint not null,
    status           text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
    attempts         int not null default 0 check (attempts >= 0),
    next_attempt_at  timestamptz not null default clock_timestamp(),
    delivered_at     timestamptz,
    primary key (business_id, event_id, endpoint_id),
    foreign key (business_id, event_id) references webhook_events (business_id, id),
    foreign key (business_id, endpoint_id) references webhook_endpoints (business_id, id)
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_by_endpoint on webhook_deliveries (business_id, endpoint_id, event_id desc);

-- The delivery log: every try, with what the endpoint answered.
create table webhook_attempts (
    business_id      bigint not null,
    event_id         bigint not null,
    endpoint_id      bigint not null,
    attempt          int not null check (attempt > 0),
    attempted_at     timestamptz not null default clock_timestamp(),
    response_status  int,
    error            text check (length(error) <= 500),
    duration_ms      int not null check (duration_ms >= 0),
    primary key (business_id, event_id, endpoint_id, attempt),
    foreign key (business_id, event_id, endpoint_id) references webhook_deliveries (business_id, event_id, endpoint_id)
);

-- One event of a type about a subject per transaction; its delivery to every endpoint taking it.
create function webhook_event(p_business_id bigint, p_type text, p_subject text, p_entry_id bigint, p_data jsonb)
returns void language plpgsql as $$
declare
    v_event_id bigint;
begin
    insert into webhook_events (business_id, type, subject, entry_id, data)
    values (p_business_id, p_type, p_subject, p_entry_id, p_data)
    on conflict (business_id, type, subject, tx_id) do nothing
    returning id into v_event_id;
    if v_event_id is not null then
        insert into webhook_deliveries (business_id, event_id, endpoint_id)
        select p_business_id, v_event_id, e.id from webhook_endpoints e
        where e.business_id = p_business_id and e.disabled_at is null and p_type = any (e.events);
    end if;
end $$;

-- Runs at commit for each entry the transaction posted, and reads the state the commit leaves.
create function webhook_events_for_entry() returns trigger language plpgsql as $$
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
        select distinct a.client_id from postings p
        join accounts a on a.business_id = p.business_id and a.id = p.account_id
        where p.business_id = new.business_id and p.entry_id = new.id and a.client_id is not null
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
            select a.gift_card_id, g.last4, p.amount_minor, p.balance_after_minor from postings p
            join accounts a on a.business_id = p.business_id and a.id = p.account_id and a.kind = 'gift_card'
            join gift_cards g on g.business_id = a.business_id and g.id = a.gift_card_id
            where p.business_id = new.business_id and p.entry_id = new.id and p.amount_minor > 0
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
            select i.id, i.client_id, i.total_minor from invoices i
            where i.business_id = new.business_id
              and i.id in (select p.invoice_id from postings p
                           join accounts a on a.business_id = p.business_id and a.id = p.account_id
                           where p.business_id = new.business_id and p.entry_id = new.id
                             and p.invoice_id is not null and a.kind = 'receivable' and p.amount_minor < 0
                           union
                           select new.invoice_id where new.kind = 'checkout')
              and i.unpaid_minor = 0 and i.issued_at is not null and i.voided_at is null and i.total_minor > 0
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
            select a.client_id, p.amount_minor, p.balance_after_minor from postings p
            join accounts a on a.business_id = p.business_id and a.id = p.account_id and a.kind = 'credits'
            where p.business_id = new.business_id and p.entry_id = new.id and p.amount_minor > 0
        loop
            perform webhook_event(new.business_id, 'credit.expired', 'entry:' || new.id || ':' || v_row.client_id,
                new.id, jsonb_build_object('client_id', v_row.client_id, 'amount_minor', v_row.amount_minor,
                                           'credits_minor', v_row.balance_after_minor, 'currency', v_currency));
        end loop;
    end if;
    return null;
end $$;

create constraint trigger journal_entries_webhook_events after insert on journal_entries
    deferrable initially deferred for each row execute function webhook_events_for_entry();

-- Card payments through a processor (issue 8). A payment is recorded in the ledger only once the
-- processor confirms it, and exactly once: the card_payments row is locked while it is settled,
-- and its entry_id is set in the same transaction as the entry.
alter table businesses
    add column card_processor text not null default 'none' check (card_processor in ('none', 'test'));

create table card_payments (
    business_id     bigint not null references businesses (id),
    id              bigint generated always as identity,
    processor       text not null check (processor in ('test')),
    intent_id       text not null check (length(intent_id) between 1 and 100),
    client_id       bigint not null,
    invoice_id      bigint not null,
    amount_minor    bigint not null check (amount_minor > 0),
    status          text not null default 'pending' check (status in ('pending', 'succeeded', 'declined')),
    card_last4      text check (card_last4 ~ '^[0-9]{4}$'),
    decline_reason  text check (length(decline_reason) <= 500),
    entry_id        bigint,
    created_at      timestamptz not null default clock_timestamp(),
    settled_at      timestamptz,
    primary key (business_id, id),
    unique (processor, intent_id),
    foreign key (business_id, client_id) references clients (business_id, id),
    foreign key (business_id, invoice_id) references invoices (business_id, id),
    foreign key (business_id, entry_id) references journal_entries (business_id, id),
    check ((status = 'succeeded') = (entry_id is not null))
);

-- The test processor stands in for an outside service (the demo and tests use it): it keeps its
-- own record of payment intents, apart from Settle's. Card numbers are never stored: only last 4.
create table test_processor_intents (
    id              text primary key check (length(id) between 1 and 100),
    business_id     bigint not null references businesses (id),
    amount_minor    bigint not null check (amount_minor > 0),
    currency        text not null,
    status          text not null default 'requires_payment'
                        check (status in ('requires_payment', 'succeeded', 'declined')),
    card_last4      text check (card_last4 ~ '^[0-9]{4}$'),
    decline_reason  text,
    return_url      text not null check (length(return_url) <= 500),
    created_at      timestamptz not null default clock_timestamp()
);

-- What a client's money movement was, beyond its postings: the tender and its reference (check
-- number, external id), the reason, a note. One row per journal entry made by a client money
-- operation; the entry stays the record of the money, this row says why and how.
create table client_operations (
    business_id   bigint not null,
    entry_id      bigint not null,
    client_id     bigint not null,
    kind          text not null check (kind in (
                      'open_payment', 'open_payment_refund', 'credit_issued', 'credit_expired')),
    tender        text check (tender in ('cash', 'check', 'card', 'external')),
    reference     text check (length(reference) between 1 and 100),
    reason        text check (reason in ('referral', 'goodwill', 'promotion', 'refund_as_credit', 'other')),
    note          text check (length(note) between 1 and 500),
    primary key (business_id, entry_id),
    foreign key (business_id, entry_id) references journal_entries (business_id, id),
    foreign key (business_id, client_id) references clients (business_id, id)
);
create index client_operations_by_client on client_operations (business_id, client_id, entry_id);

-- Credits are spent soonest-expiring first and expire on their day, so each grant is kept with
-- what is left of it. remaining_minor changes only in the transaction of the entry that spends or
-- expires it (recorded in credit_grant_uses); the verifier holds a client's credits balance equal
-- to the sum of what is left of their grants.
create table credit_grants (
    business_id      bigint not null,
    id               bigint generated always as identity,
    client_id        bigint not null,
    entry_id         bigint not null,
    amount_minor     bigint not null check (amount_minor > 0),
    remaining_minor  bigint not null,
    expires_on       date,
    primary key (business_id, id),
    foreign key (business_id, client_id) references clients (business_id, id),
    foreign key (business_id, entry_id) references journal_entries (business_id, id),
    check (remaining_minor between 0 and amount_minor)
);
-- What spending and expiry look for: a client's grants with something left, soonest expiry first.
create index credit_grants_left on credit_grants (business_id, client_id, expires_on, id)
    where remaining_minor > 0;
create index credit_grants_expiring on credit_grants (expires_on) where remaining_minor > 0;

create table credit_grant_uses (
    business_id   bigint not null,
    entry_id      bigint not null,
    grant_id      bigint not null,
    amount_minor  bigint not null check (amount_minor > 0),
    primary key (business_id, entry_id, grant_id),
    foreign key (business_id, entry_id) references journal_entries (business_id, id),
    foreign key (business_id, grant_id) references credit_grants (business_id, id)
);

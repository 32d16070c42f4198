-- The client portal (issue 8): sign-in by a link emailed to the client, used once within 15
-- minutes; then a session like staff's. Only hashes of the link and session tokens are stored.
create table portal_links (
    token_hash   bytea primary key check (length(token_hash) = 32),
    business_id  bigint not null,
    client_id    bigint not null,
    created_at   timestamptz not null default clock_timestamp(),
    expires_at   timestamptz not null,
    used_at      timestamptz,
    foreign key (business_id, client_id) references clients (business_id, id)
);
create index portal_links_by_client on portal_links (business_id, client_id, created_at);

create table portal_sessions (
    token_hash   bytea primary key check (length(token_hash) = 32),
    business_id  bigint not null,
    client_id    bigint not null,
    csrf_token   text not null,
    created_at   timestamptz not null default clock_timestamp(),
    expires_at   timestamptz not null,
    foreign key (business_id, client_id) references clients (business_id, id)
);

alter table emails drop constraint emails_kind_check;
alter table emails add constraint emails_kind_check
    check (kind in ('receipt', 'funds_digest', 'gift_card', 'portal_link'));

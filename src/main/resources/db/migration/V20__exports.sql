-- Long exports (issue 9): a client's whole history as CSV can be 100,000 rows. It is written in the
-- background while the page shows how far it has got; the finished file is kept here for a day
-- (the hourly purge forgets it), so any instance can hand it over.
create table exports (
    business_id  bigint not null references businesses (id),
    id           bigint generated always as identity,
    filename     text not null check (filename ~ '^[A-Za-z0-9._-]{1,120}$'),
    started_by   bigint not null,
    status       text not null default 'running' check (status in ('running', 'done', 'failed')),
    rows_written integer not null default 0 check (rows_written >= 0),
    -- How many rows there will be, when that is known up front (for a progress bar).
    rows_expected integer check (rows_expected >= 0),
    content      bytea check (octet_length(content) <= 100000000),
    error        text check (length(error) <= 500),
    created_at   timestamptz not null default now(),
    -- Bumped with each step: a running export that stops moving died with its instance.
    updated_at   timestamptz not null default now(),
    primary key (business_id, id),
    foreign key (business_id, started_by) references staff_users (business_id, id),
    check ((status = 'done') = (content is not null)),
    check ((status = 'failed') = (error is not null))
);
create index exports_by_age on exports (created_at);

-- Households (decision 0010): clients linked so that their open payments and credits are one
-- pool any of them can spend, while each keeps their own accounts (every movement still names the
-- member whose money moved) and their own balance due.
create table households (
    business_id  bigint not null references businesses (id),
    id           bigint generated always as identity,
    created_at   timestamptz not null default now(),
    primary key (business_id, id)
);

alter table clients add column household_id bigint;
alter table clients
    add constraint clients_household_fkey foreign key (business_id, household_id) references households (business_id, id);
create index clients_by_household on clients (business_id, household_id) where household_id is not null;

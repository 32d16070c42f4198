-- The daily tender report (issue 9) over a year of a busy business would read a million postings;
-- this keeps what each tender account took and paid back per quarter hour instead, so a year is
-- 35,000 small rows per tender. Quarter hours in UTC make whole days in every time zone (all
-- offsets in use are multiples of 15 minutes), so a business that changes its zone needs nothing
-- rebuilt. A job adds each tender account's new postings (by version, up to through_version) a
-- minute or so after they are written; the report adds the postings past through_version itself.
-- Writing entries pays nothing for it (a row per quarter hour updated with every checkout was the
-- first try: one business's throughput fell by three quarters). `verify` checks it.
create table tender_quarters (
    business_id     bigint not null,
    quarter         timestamptz not null,
    account_id      bigint not null,
    taken_minor     bigint not null check (taken_minor >= 0),
    refunded_minor  bigint not null check (refunded_minor >= 0),
    primary key (business_id, quarter, account_id),
    foreign key (business_id, account_id) references accounts (business_id, id)
);

-- How far each tender account's postings are in tender_quarters; no row means none are.
create table tender_quarters_through (
    business_id      bigint not null,
    account_id       bigint not null,
    through_version  bigint not null check (through_version >= 0),
    primary key (business_id, account_id),
    foreign key (business_id, account_id) references accounts (business_id, id)
);

-- The job's question, "which tender accounts moved since": four rows per business.
create index accounts_tender on accounts (business_id, id) where kind in ('cash', 'check', 'card', 'external');

-- What exists now, summed as of one moment: no entry is posted while this runs.
lock table postings, accounts in share mode;
insert into tender_quarters (business_id, quarter, account_id, taken_minor, refunded_minor)
select p.business_id, date_bin('15 minutes', p.posted_at, timestamptz '2000-01-01 00:00:00+00'), p.account_id,
       sum(greatest(p.amount_minor, 0)), sum(greatest(-p.amount_minor, 0))
from postings p
join accounts a on a.business_id = p.business_id and a.id = p.account_id
where a.kind in ('cash', 'check', 'card', 'external') and p.account_version <= a.version
group by 1, 2, 3;

insert into tender_quarters_through (business_id, account_id, through_version)
select business_id, id, version from accounts
where kind in ('cash', 'check', 'card', 'external') and version > 0;

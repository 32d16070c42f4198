-- The daily tender report (issue 9) over a year of a busy business reads a million postings; this
-- keeps what each tender account took and paid back per quarter hour instead, so a year is 35,000
-- small rows per tender. Quarter hours in UTC make whole days in every time zone (all offsets in
-- use are multiples of 15 minutes), so a business that changes its zone needs nothing rebuilt.
-- Derived from the postings only, written in the posting's own statement, and checked against
-- them by `verify`.
create table tender_quarters (
    business_id     bigint not null,
    quarter         timestamptz not null,
    account_id      bigint not null,
    taken_minor     bigint not null check (taken_minor >= 0),
    refunded_minor  bigint not null check (refunded_minor >= 0),
    primary key (business_id, quarter, account_id),
    foreign key (business_id, account_id) references accounts (business_id, id)
);

-- Every posting statement adds its tender postings. The row of a tender account and quarter is
-- only ever written while that account's own row is locked by ledger_post, so this adds no new
-- waiting and no new order to take locks in.
create function tender_quarters_add() returns trigger language plpgsql as $$
begin
    insert into tender_quarters as q (business_id, quarter, account_id, taken_minor, refunded_minor)
    select n.business_id, date_bin('15 minutes', n.posted_at, timestamptz '2000-01-01 00:00:00+00'), n.account_id,
           sum(greatest(n.amount_minor, 0)), sum(greatest(-n.amount_minor, 0))
    from new_postings n
    join accounts a on a.business_id = n.business_id and a.id = n.account_id
    where a.kind in ('cash', 'check', 'card', 'external')
    group by 1, 2, 3
    on conflict (business_id, quarter, account_id) do update
    set taken_minor = q.taken_minor + excluded.taken_minor,
        refunded_minor = q.refunded_minor + excluded.refunded_minor;
    return null;
end $$;

create trigger postings_tender_quarters after insert on postings
    referencing new table as new_postings
    for each statement execute function tender_quarters_add();

insert into tender_quarters (business_id, quarter, account_id, taken_minor, refunded_minor)
select p.business_id, date_bin('15 minutes', p.posted_at, timestamptz '2000-01-01 00:00:00+00'), p.account_id,
       sum(greatest(p.amount_minor, 0)), sum(greatest(-p.amount_minor, 0))
from postings p
join accounts a on a.business_id = p.business_id and a.id = p.account_id
where a.kind in ('cash', 'check', 'card', 'external')
group by 1, 2, 3;

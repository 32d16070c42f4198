-- Notices to clients (issue 9): a receipt after checkout, new credit or open payment on the account,
-- a credit about to expire, and a gift card bought for someone delivered. Each kind can be turned
-- off per business. A notice is written in the transaction of what it tells (the entry's notices by
-- a deferred trigger at commit, like webhooks); a job words it in the business's locale and queues
-- the email in the outbox, and the row stays as its log.
-- Off for businesses that exist already (their clients never agreed to new email); on for new ones.
alter table businesses
    add column notify_receipts boolean not null default false,
    add column notify_new_funds boolean not null default false,
    add column notify_credit_expiring boolean not null default false,
    add column notify_gift_card_delivered boolean not null default false,
    add column credit_expiring_notice_days int not null default 7 check (credit_expiring_notice_days between 1 and 60);
alter table businesses
    alter column notify_receipts set default true,
    alter column notify_new_funds set default true,
    alter column notify_credit_expiring set default true,
    alter column notify_gift_card_delivered set default true;

alter table emails drop constraint emails_kind_check;
alter table emails add constraint emails_kind_check
    check (kind in ('receipt', 'funds_digest', 'gift_card', 'portal_link', 'statement', 'notice'));

create table client_notices (
    business_id   bigint not null references businesses (id),
    id            bigint generated always as identity,
    kind          text not null check (kind in (
                      'receipt', 'new_credit', 'new_open_payment', 'credit_expiring', 'gift_card_delivered')),
    client_id     bigint not null,
    -- What it tells of: the entry (receipt, new funds, gift card delivered) or the credit grant.
    entry_id      bigint,
    grant_id      bigint,
    -- What the words need that the entry doesn't hold (a gift card's recipient, say).
    details       jsonb not null default '{}',
    created_at    timestamptz not null default clock_timestamp(),
    status        text not null default 'pending' check (status in ('pending', 'queued', 'skipped')),
    -- Why it was not sent: the kind turned off since, or no email address.
    skipped_reason text check (length(skipped_reason) <= 200),
    email_id      bigint,
    primary key (business_id, id),
    foreign key (business_id, client_id) references clients (business_id, id),
    foreign key (business_id, entry_id) references journal_entries (business_id, id),
    foreign key (business_id, grant_id) references credit_grants (business_id, id),
    foreign key (business_id, email_id) references emails (business_id, id),
    check ((entry_id is null) <> (grant_id is null))
);
create unique index client_notices_once_per_entry on client_notices (business_id, kind, entry_id, client_id)
    where entry_id is not null;
create unique index client_notices_once_per_grant on client_notices (business_id, kind, grant_id)
    where grant_id is not null;
create index client_notices_pending on client_notices (created_at) where status = 'pending';
create index client_notices_by_client on client_notices (business_id, client_id, id desc);

-- At commit, for each entry: a receipt for a client's checkout; a credit given, or money kept on a
-- client's account as an open payment (the entry leaves more there than before). Only for kinds
-- the business has on.
create function client_notices_for_entry() returns trigger language plpgsql as $$
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
        insert into client_notices (business_id, kind, client_id, entry_id)
        values (new.business_id, 'receipt', new.client_id, new.id)
        on conflict do nothing;
    end if;
    if v_business.notify_new_funds then
        insert into client_notices (business_id, kind, client_id, entry_id)
        select new.business_id, case a.kind when 'credits' then 'new_credit' else 'new_open_payment' end,
               a.client_id, new.id
        from postings p
        join accounts a on a.business_id = p.business_id and a.id = p.account_id
        where p.business_id = new.business_id and p.entry_id = new.id
          and a.kind in ('credits', 'open_payments')
          and new.kind in ('credit_issued', 'open_payment', 'payment', 'checkout', 'card_payment',
                           'gift_card_load', 'payment_refund')
        group by a.kind, a.client_id
        having sum(p.amount_minor) < 0
        on conflict do nothing;
    end if;
    return null;
end $$;

create constraint trigger journal_entries_client_notices after insert on journal_entries
    deferrable initially deferred for each row execute function client_notices_for_entry();

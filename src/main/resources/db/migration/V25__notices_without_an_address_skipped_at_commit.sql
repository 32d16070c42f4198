-- A notice that cannot go (its client archived, or without an email address) is written skipped,
-- with why, by the trigger that writes it, as the notices job would have written it a moment later.
-- Walk-ins without an address are most of a desk's receipts at some businesses; the job read each
-- one's business and client and wrote it back, a burst of round trips every two seconds that the
-- desk's own checkouts waited behind. The job still checks again before it words a pending one.
create function client_notice_unsendable(p_archived_at timestamptz, p_email text) returns text
language sql immutable as $$
    select case when p_archived_at is not null then 'the client is archived'
                when p_email is null then 'the client has no email address' end
$$;

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
    if v_business.notify_new_funds then
        insert into client_notices (business_id, kind, client_id, entry_id, status, skipped_reason)
        select new.business_id, f.kind, f.client_id, new.id,
               case when w.why is null then 'pending' else 'skipped' end, w.why
        from (select case a.kind when 'credits' then 'new_credit' else 'new_open_payment' end as kind,
                     a.client_id
              from postings p
              join accounts a on a.business_id = p.business_id and a.id = p.account_id
              where p.business_id = new.business_id and p.entry_id = new.id
                and a.kind in ('credits', 'open_payments')
                and new.kind in ('credit_issued', 'open_payment', 'payment', 'checkout', 'card_payment',
                                 'gift_card_load', 'payment_refund')
              group by a.kind, a.client_id
              having sum(p.amount_minor) < 0) f
        join clients c on c.business_id = new.business_id and c.id = f.client_id
        cross join client_notice_unsendable(c.archived_at, c.email) as w (why)
        on conflict do nothing;
    end if;
    return null;
end $$;

-- Checkout (issue 6): what paid an invoice, tender by tender, for its receipt and for refunds.
-- Payments made outside a checkout (on an open invoice) are rows too.
-- The ledger entry is the record of the money; these rows say how it was handed over.
create table invoice_payments (
    business_id     bigint not null,
    id              bigint generated always as identity,
    invoice_id      bigint not null,
    entry_id        bigint not null,
    tender          text not null check (tender in ('cash', 'check', 'card', 'external', 'credit', 'open_payment')),
    amount_minor    bigint not null check (amount_minor > 0),
    -- Cash handed over, and the change given back from it.
    tendered_minor  bigint,
    change_minor    bigint not null default 0 check (change_minor >= 0),
    reference       text check (length(reference) between 1 and 100),
    card_last4      text check (card_last4 ~ '^[0-9]{4}$'),
    -- Given back so far; moved only with the refund's ledger entry.
    refunded_minor  bigint not null default 0,
    primary key (business_id, id),
    foreign key (business_id, invoice_id) references invoices (business_id, id),
    foreign key (business_id, entry_id) references journal_entries (business_id, id),
    check (tendered_minor is null or tendered_minor = amount_minor + change_minor),
    check (change_minor = 0 or tender = 'cash'),
    check (refunded_minor between 0 and amount_minor)
);
create index invoice_payments_by_invoice on invoice_payments (business_id, invoice_id, id);

-- Gift cards (issue 7, decision 0013). A card is a liability: its value is the balance of its own
-- 'gift_card' account, moved only by ledger entries (sale, promotion, redemption, load onto a
-- client, void). The code itself is never stored: only its SHA-256 (with the business id, so equal
-- codes in two businesses differ) for lookup, and its last four characters to show.
create table gift_cards (
    business_id            bigint not null references businesses (id),
    id                     bigint generated always as identity,
    code_hash              bytea not null check (length(code_hash) = 32),
    last4                  text not null check (last4 ~ '^[A-Z0-9]{4}$'),
    amount_minor           bigint not null check (amount_minor > 0),
    funded_by              text not null check (funded_by in ('sale', 'promotion')),
    invoice_id             bigint,
    reason                 text check (length(reason) between 1 and 500),
    recipient_name         text check (length(recipient_name) between 1 and 200),
    expires_on             date,
    created_at             timestamptz not null default clock_timestamp(),
    created_by_staff_id    bigint,
    created_by_api_key_id  bigint,
    voided_at              timestamptz,
    primary key (business_id, id),
    unique (business_id, code_hash),
    foreign key (business_id, invoice_id) references invoices (business_id, id),
    check ((funded_by = 'sale') = (invoice_id is not null))
);
create index gift_cards_by_invoice on gift_cards (business_id, invoice_id) where invoice_id is not null;

alter table accounts
    add constraint accounts_gift_card_fkey foreign key (business_id, gift_card_id) references gift_cards (business_id, id);

-- What a business lets a card be sold for, and whether cards expire (most places forbid it: none
-- by default; when set, the sale warns).
alter table businesses
    add column gift_card_min_minor bigint not null default 500 check (gift_card_min_minor > 0),
    add column gift_card_max_minor bigint not null default 100000,
    add column gift_card_expiry_months int check (gift_card_expiry_months between 1 and 120),
    -- The amounts the desk sells most, offered as one-click lines on a new ticket.
    add column gift_card_presets_minor bigint[] not null default '{2500,5000,10000}'
        check (cardinality(gift_card_presets_minor) <= 6),
    add constraint gift_card_range check (gift_card_max_minor >= gift_card_min_minor);

-- A gift card can pay an invoice, and a payment made with one goes back onto it when refunded.
alter table invoice_payments drop constraint invoice_payments_tender_check;
alter table invoice_payments
    add constraint invoice_payments_tender_check
        check (tender in ('cash', 'check', 'card', 'external', 'credit', 'open_payment', 'gift_card')),
    add column gift_card_id bigint,
    add foreign key (business_id, gift_card_id) references gift_cards (business_id, id),
    add check ((tender = 'gift_card') = (gift_card_id is not null));

-- Balance checks by code, throttled: each try counts against who asks (an address for the public
-- page, the staff member or API key otherwise) and against the code's first characters until it
-- proves right, so neither many guesses from one asker (however parallel) nor one card guessed from
-- many gets far.
create table gift_card_lookup_failures (
    id         bigint generated always as identity primary key,
    scope      text not null check (scope in ('asker', 'prefix')),
    key        text not null check (length(key) between 1 and 100),
    failed_at  timestamptz not null default clock_timestamp()
);
create index gift_card_lookup_failures_by_key on gift_card_lookup_failures (scope, key, failed_at);

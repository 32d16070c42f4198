-- Issue 8, continued: Stripe beside the test processor, saved cards, staff "Charge Client", and
-- card payments of the whole balance due or of a gift card bought in the portal.
alter table businesses drop constraint businesses_card_processor_check;
alter table businesses add constraint businesses_card_processor_check
    check (card_processor in ('none', 'test', 'stripe'));

-- A business's Stripe keys, sealed with Settle's own key (AES-GCM, see decision 0016): a copy of
-- the database alone does not give them away. Only the key's last 4 are kept in the clear.
create table stripe_connections (
    business_id           bigint primary key references businesses (id),
    secret_key_sealed     text not null,
    webhook_secret_sealed text not null,
    secret_key_last4      text not null check (length(secret_key_last4) = 4),
    live_mode             boolean not null,
    account_id            text not null check (length(account_id) between 1 and 100),
    account_name          text check (length(account_name) <= 200),
    connected_at          timestamptz not null default clock_timestamp(),
    connected_by_staff_id bigint,
    last_webhook_at       timestamptz,
    foreign key (business_id, connected_by_staff_id) references staff_users (business_id, id)
);

-- A client as the processor knows them (a Stripe customer), made when they first save a card.
-- account_ref names the Stripe account (empty for the test processor): customers and cards of one
-- account are no use once another account is connected.
create table processor_customers (
    business_id  bigint not null,
    client_id    bigint not null,
    processor    text not null check (processor in ('test', 'stripe')),
    account_ref  text not null check (length(account_ref) <= 100),
    customer_ref text not null check (length(customer_ref) between 1 and 100),
    primary key (business_id, client_id, processor, account_ref),
    foreign key (business_id, client_id) references clients (business_id, id)
);

-- Cards a client chose to keep on file: the processor's ids, brand and last 4, never the number.
create table saved_cards (
    business_id        bigint not null,
    id                 bigint generated always as identity,
    client_id          bigint not null,
    processor          text not null check (processor in ('test', 'stripe')),
    account_ref        text not null check (length(account_ref) <= 100),
    customer_ref       text not null check (length(customer_ref) between 1 and 100),
    payment_method_ref text not null check (length(payment_method_ref) between 1 and 100),
    brand              text not null check (length(brand) between 1 and 40),
    last4              text not null check (last4 ~ '^[0-9]{4}$'),
    exp_month          int check (exp_month between 1 and 12),
    exp_year           int check (exp_year between 2000 and 2200),
    created_at         timestamptz not null default clock_timestamp(),
    removed_at         timestamptz,
    primary key (business_id, id),
    unique (business_id, processor, payment_method_ref),
    foreign key (business_id, client_id) references clients (business_id, id)
);
create index saved_cards_by_client on saved_cards (business_id, client_id) where removed_at is null;

-- What a card payment is for: one invoice, the balance due (oldest invoices first, the rest kept
-- as an open payment), an open payment (all of it kept), or a gift card the client buys in the
-- portal (made when the payment is confirmed, and emailed to its recipient).
alter table card_payments alter column invoice_id drop not null;
alter table card_payments drop constraint card_payments_processor_check;
alter table card_payments add constraint card_payments_processor_check check (processor in ('test', 'stripe'));
alter table card_payments
    add column purpose              text not null default 'invoice'
                                        check (purpose in ('invoice', 'balance', 'open_payment', 'gift_card')),
    add column save_card            boolean not null default false,
    add column saved_card_id        bigint,
    add column charged_by_staff_id  bigint,
    add column charged_by_api_key_id bigint,
    add column charge_key           text check (length(charge_key) <= 400),
    add column gift_recipient_name  text check (length(gift_recipient_name) <= 200),
    add column gift_recipient_email text check (length(gift_recipient_email) <= 254),
    add column gift_message         text check (length(gift_message) <= 500),
    add column gift_card_id         bigint,
    add foreign key (business_id, saved_card_id) references saved_cards (business_id, id),
    add foreign key (business_id, charged_by_staff_id) references staff_users (business_id, id),
    add foreign key (business_id, charged_by_api_key_id) references api_keys (business_id, id),
    add foreign key (business_id, gift_card_id) references gift_cards (business_id, id),
    add check ((purpose = 'invoice') = (invoice_id is not null)),
    add check ((purpose = 'gift_card') = (gift_recipient_email is not null)),
    add check (gift_card_id is null or purpose = 'gift_card'),
    -- A retried charge of a saved card (same key) finds the first, and never charges again.
    add unique (business_id, charge_key);

-- The test processor's side: a second step (the bank asks the payer to confirm), and cards kept
-- for later (only whether a later charge succeeds, and the last 4).
alter table test_processor_intents drop constraint test_processor_intents_status_check;
alter table test_processor_intents add constraint test_processor_intents_status_check
    check (status in ('requires_payment', 'requires_action', 'succeeded', 'declined'));
alter table test_processor_intents
    add column save_for       text check (length(save_for) <= 100),
    add column payment_method text,
    add column refunded_minor bigint not null default 0 check (refunded_minor between 0 and amount_minor);

-- Refunds the test processor made, by the key Settle sent: a repeat of a key refunds nothing more.
create table test_processor_refunds (
    idempotency_key text primary key check (length(idempotency_key) <= 400),
    intent_id       text not null references test_processor_intents (id),
    amount_minor    bigint not null check (amount_minor > 0),
    created_at      timestamptz not null default clock_timestamp()
);

create table test_processor_cards (
    id            text primary key check (length(id) between 1 and 100),
    business_id   bigint not null references businesses (id),
    customer_ref  text not null check (length(customer_ref) <= 100),
    last4         text not null check (last4 ~ '^[0-9]{4}$'),
    charges_fail  boolean not null,
    created_at    timestamptz not null default clock_timestamp()
);

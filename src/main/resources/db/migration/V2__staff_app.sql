-- The staff web app: business settings, staff sessions in PostgreSQL (so several Settle instances
-- can serve one business), sign-in throttling, and the indexes client search needs.

alter table businesses
    -- A BCP 47 tag from the list Settle offers (BusinessSettings.LOCALES): money and dates are
    -- shown to people in this locale.
    add column locale text not null default 'en-US' check (locale ~ '^[a-z]{2,3}(-[A-Z]{2})?$'),
    add column gift_cards_enabled boolean not null default true,
    add column portal_shows_funds boolean not null default false,
    add column auto_apply_funds boolean not null default false,
    -- A manual balance adjustment above this amount needs a second manager's approval; null means
    -- no adjustment needs one.
    add column adjustment_approval_limit_minor bigint check (adjustment_approval_limit_minor >= 0);

alter table staff_users
    -- Set for a password someone else chose (a new staff member, a reset): the next sign-in asks
    -- for a new one before anything else.
    add column must_change_password boolean not null default false,
    add column deactivated_at timestamptz;

create index staff_users_by_email on staff_users (email);

-- A signed-in browser. The cookie holds a 256-bit random token; only its SHA-256 is stored, so a
-- read of this table cannot be replayed as a session. Keyed by the token (it is what a request
-- presents, before any business is known), and carrying its business like every other row.
create table staff_sessions (
    token_hash    bytea primary key check (length(token_hash) = 32),
    business_id   bigint not null,
    staff_id      bigint not null,
    csrf_token    text not null check (length(csrf_token) = 43),
    created_at    timestamptz not null default now(),
    last_seen_at  timestamptz not null default now(),
    expires_at    timestamptz not null,
    -- A one-time message for the next page shown ("Settings saved").
    flash         text check (length(flash) <= 500),
    foreign key (business_id, staff_id) references staff_users (business_id, id)
);
create index staff_sessions_by_staff on staff_sessions (business_id, staff_id);
create index staff_sessions_by_expiry on staff_sessions (expires_at);

-- Wrong passwords, by the email typed (not by account: an attacker guessing at an address that
-- does not exist is slowed down the same way, and learns nothing from the difference).
create table signin_failures (
    email      text not null check (length(email) <= 254),
    failed_at  timestamptz not null default now()
);
create index signin_failures_by_email on signin_failures (email, failed_at);

create index clients_by_name on clients (business_id, lower(name));

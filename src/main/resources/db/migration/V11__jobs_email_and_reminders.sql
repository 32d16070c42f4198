-- Jobs (db-scheduler, decision 0012): its own table, as the library defines it. It holds no
-- business's data: each task reads the businesses itself, tenant by tenant.
create table scheduled_tasks (
    task_name             text not null,
    task_instance         text not null,
    task_data             bytea,
    execution_time        timestamptz not null,
    picked                boolean not null,
    picked_by             text,
    last_success          timestamptz,
    last_failure          timestamptz,
    consecutive_failures  int,
    last_heartbeat        timestamptz,
    version               bigint not null,
    priority              smallint,
    primary key (task_name, task_instance)
);
create index scheduled_tasks_execution_time on scheduled_tasks (execution_time);
create index scheduled_tasks_last_heartbeat on scheduled_tasks (last_heartbeat);
create index scheduled_tasks_priority_execution_time on scheduled_tasks (priority desc, execution_time asc);

-- Every email Settle sends, written in the transaction of what it tells (an outbox): a job sends
-- it after commit, so an email is never sent for something rolled back, nor lost when the app
-- dies. With no mail server set up, it is kept here for staff to read ('kept').
create table emails (
    business_id          bigint not null references businesses (id),
    id                   bigint generated always as identity,
    kind                 text not null check (kind in ('receipt', 'funds_digest', 'gift_card')),
    to_address           text not null check (length(to_address) between 3 and 254),
    subject              text not null check (length(subject) between 1 and 300),
    body                 text not null check (length(body) <= 100000),
    invoice_id           bigint,
    created_by_staff_id  bigint,
    created_at           timestamptz not null default clock_timestamp(),
    status               text not null default 'queued' check (status in ('queued', 'sent', 'kept', 'failed')),
    attempts             int not null default 0,
    -- A failed try waits longer each time: 1, 2, 4, 8 minutes.
    next_attempt_at      timestamptz not null default clock_timestamp(),
    sent_at              timestamptz,
    last_error           text,
    -- A gift card's email carries its code: once sent (or kept), the code is blanked but for its
    -- last four characters, so the outbox, like the rest of the database, holds no usable code.
    redact_codes         boolean not null default false,
    primary key (business_id, id),
    foreign key (business_id, invoice_id) references invoices (business_id, id)
);
create index emails_queued on emails (next_attempt_at) where status = 'queued';
create index emails_by_business on emails (business_id, id desc);

-- A funds reminder staff dismissed, with the figures it showed: it stays away until they change.
create table funds_reminder_dismissals (
    business_id            bigint not null,
    client_id              bigint not null,
    balance_due_minor      bigint not null,
    funds_minor            bigint not null,
    dismissed_at           timestamptz not null default clock_timestamp(),
    dismissed_by_staff_id  bigint,
    primary key (business_id, client_id),
    foreign key (business_id, client_id) references clients (business_id, id)
);

-- The daily digest of clients with funds and something owed: one row per business and local day,
-- so two app instances never both send it.
create table funds_digests (
    business_id  bigint not null references businesses (id),
    local_date   date not null,
    clients      int not null,
    sent_at      timestamptz not null default clock_timestamp(),
    primary key (business_id, local_date)
);

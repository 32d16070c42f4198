-- Clients are edited and archived, never deleted: entries name them. An archived client is left out
-- of searches and can take no new money movements; their history stays.
alter table clients
    add column archived_at timestamptz,
    add column updated_at timestamptz not null default now();

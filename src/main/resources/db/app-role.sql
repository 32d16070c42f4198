-- A role for Settle to run as in production: it reads and writes what the app needs, and can
-- never change or remove a posted entry, by privilege as well as by trigger. Run it as the owner
-- of Settle's tables after `./settle migrate` (which must run as the owner), then give the app
-- DATABASE_URL=postgresql://settle_app:...@host/db. The role must not be a superuser: a superuser
-- can turn the immutability triggers off (session_replication_role).
do $$ begin
    if not exists (select 1 from pg_roles where rolname = 'settle_app') then
        create role settle_app login;
    end if;
end $$;
grant usage on schema public to settle_app;
grant select, insert, update, delete on all tables in schema public to settle_app;
grant usage, select on all sequences in schema public to settle_app;
grant execute on all functions in schema public to settle_app;
-- Entries and postings are written once and never changed (DOMAIN.md).
revoke update, delete, truncate on journal_entries, postings from settle_app;

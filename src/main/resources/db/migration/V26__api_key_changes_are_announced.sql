-- Each Settle remembers the API keys it has found live, with the business and currency each
-- stands for, so a request need not look its key up (web/LiveApiKeys). A revocation, or a change of
-- a business's currency (allowed until money is first recorded), is announced to all of them,
-- however it is made (a staff page, another instance, SQL by hand), and each then forgets every key
-- it remembered. The notice goes out when the transaction commits, never before.
create function announce_api_key_change() returns trigger language plpgsql as $$
begin
    perform pg_notify('settle_api_keys_changed', '');
    return null;
end $$;

create trigger api_key_revocations_are_announced
    after update of revoked_at on api_keys
    for each row when (old.revoked_at is null and new.revoked_at is not null)
    execute function announce_api_key_change();

create trigger currency_changes_are_announced_to_api_keys
    after update of currency on businesses
    for each row when (old.currency is distinct from new.currency)
    execute function announce_api_key_change();

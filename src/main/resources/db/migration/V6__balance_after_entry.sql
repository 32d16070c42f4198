-- An account's balance just after a given entry: the balance_after_minor of its latest posting at
-- or before that entry. An account's postings are in entry order along its versions (entries take
-- their ids while holding the account's lock), so a binary search over versions finds it in about
-- log2(postings) primary-key probes, however long the account's history: a client's history page
-- can show all three running balances on every row, filtered or not, at any depth.
create function account_balance_after_entry(p_business_id bigint, p_account_id bigint, p_entry_id bigint)
returns bigint
language plpgsql
stable
as $$
declare
    v_low      bigint := 1;
    v_high     bigint;
    v_middle   bigint;
    v_entry    bigint;
    v_balance  bigint;
    v_found    bigint := 0;
begin
    select version into v_high from accounts where business_id = p_business_id and id = p_account_id;
    while v_low <= coalesce(v_high, 0) loop
        v_middle := (v_low + v_high) / 2;
        select entry_id, balance_after_minor into v_entry, v_balance
        from postings
        where business_id = p_business_id and account_id = p_account_id and account_version = v_middle;
        if v_entry <= p_entry_id then
            v_found := v_balance;
            v_low := v_middle + 1;
        else
            v_high := v_middle - 1;
        end if;
    end loop;
    return v_found;
end $$;

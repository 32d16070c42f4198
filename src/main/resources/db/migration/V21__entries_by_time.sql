-- Reports at an instant (issue 9) start from the stored figures, which are today's (account
-- balances, invoices' unpaid amounts, what is left of credit grants; all held to the postings by
-- `verify`), and take back what entries after the instant did. Those entries are found here, so a
-- report costs what happened since its instant, not the whole ledger.
create index journal_entries_by_time on journal_entries (business_id, effective_at);
-- Credits that expired in a span (the breakage report), without walking every entry of the span.
create index journal_entries_credit_expiries on journal_entries (business_id, effective_at)
    where kind = 'credit_expired';

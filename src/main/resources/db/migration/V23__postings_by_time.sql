-- Reports at an instant take back what happened after it (decision 0020). V21 found those entries
-- by time and then each entry's postings by entry: two index probes per posting, about 600 ms for
-- a month of a 10M-posting business. A posting carries its entry's time (`verify` checks it), so
-- the postings after an instant are one range of this index, read in the order they were written:
-- about 40 ms for the same month, and an index of about the same size as the one it replaces.
create index postings_by_time on postings (business_id, posted_at);
drop index journal_entries_by_time;

-- Client statements (issue 9) go by email as a PDF attachment, made when the email is queued, so
-- what is sent is what staff asked for even if the ledger moves before the outbox job runs.
alter table emails drop constraint emails_kind_check;
alter table emails add constraint emails_kind_check
    check (kind in ('receipt', 'funds_digest', 'gift_card', 'portal_link', 'statement'));
alter table emails
    add column attachment_name text check (attachment_name ~ '^[A-Za-z0-9._-]{1,100}$'),
    add column attachment_pdf bytea check (octet_length(attachment_pdf) <= 10000000),
    add constraint emails_attachment_whole check ((attachment_name is null) = (attachment_pdf is null));

-- Tax rates per line kind (issue 6): a checkout's tax lines are worked out from these, so the desk
-- never types tax. Thousandths of a percent as a whole number (8875 for New York City's 8.875%),
-- like money: no floating point or arbitrary numeric in the schema. Zero: the kind is not taxed.
alter table businesses
    add column service_tax_millipercent int not null default 0
        check (service_tax_millipercent between 0 and 99999),
    add column product_tax_millipercent int not null default 0
        check (product_tax_millipercent between 0 and 99999);

-- An invoice's entries (its checkout, voids, refunds), found without reading the business's others:
-- voiding a ticket looks up what its checkout paid towards older invoices.
create index journal_entries_by_invoice on journal_entries (business_id, invoice_id) where invoice_id is not null;

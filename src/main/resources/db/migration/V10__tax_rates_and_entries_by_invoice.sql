-- Tax rates per line kind (issue 6): a checkout's tax lines are worked out from these, so the desk
-- never types tax. A percent with up to three decimals (8.875 for New York City); exact numeric,
-- never a float. Zero means the kind is not taxed.
alter table businesses
    add column service_tax_percent numeric(6, 3) not null default 0
        check (service_tax_percent >= 0 and service_tax_percent < 100),
    add column product_tax_percent numeric(6, 3) not null default 0
        check (product_tax_percent >= 0 and product_tax_percent < 100);

-- An invoice's entries (its checkout, voids, refunds), found without reading the business's others:
-- voiding a ticket looks up what its checkout paid towards older invoices.
create index journal_entries_by_invoice on journal_entries (business_id, invoice_id) where invoice_id is not null;

-- How many months without a movement make a gift card's or open payment's value dormant on the
-- breakage and unclaimed value report (unclaimed-property rules count from the last activity).
alter table businesses
    add column dormant_after_months int not null default 12 check (dormant_after_months between 1 and 120);

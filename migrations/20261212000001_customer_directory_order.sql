-- The staff directory sorted by name reads this index in order instead of
-- sorting every customer for each page.
CREATE INDEX users_customers_name_idx ON users (lower(display_name), id) WHERE role = 'customer';

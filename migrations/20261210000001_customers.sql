-- The staff console's customer directory and customer view: one search box
-- over names, emails, domains, hosting accounts, invoice numbers, Stripe
-- customer ids and ticket numbers (trigram indexes answer "contains"),
-- locking a user, staff notes on a customer, and the audit of every staff
-- action on one (who, when, why).

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX users_email_trgm ON users USING gin (lower(email) gin_trgm_ops);
CREATE INDEX users_name_trgm ON users USING gin (lower(display_name) gin_trgm_ops);
CREATE INDEX domains_name_trgm ON domains USING gin (name gin_trgm_ops);
CREATE INDEX hosting_accounts_name_trgm ON hosting_accounts USING gin (lower(name) gin_trgm_ops);
CREATE INDEX hosting_accounts_primary_domain_trgm ON hosting_accounts USING gin (primary_domain gin_trgm_ops);
CREATE INDEX invoices_number_lower_idx ON invoices (lower(number)) WHERE number IS NOT NULL;
CREATE INDEX billing_customers_stripe_lower_idx ON billing_customers (lower(stripe_customer_id));
CREATE INDEX users_created_idx ON users (created_at DESC, id DESC);

-- A locked user cannot sign in and has no live session; they are told to
-- contact support.
ALTER TABLE users
    ADD COLUMN locked_at     timestamptz,
    ADD COLUMN locked_reason text CHECK (length(locked_reason) <= 500);

-- Never shown to the customer.
CREATE TABLE staff_notes (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    author_id   uuid REFERENCES users (id) ON DELETE SET NULL,
    body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_notes_customer_idx ON staff_notes (customer_id, created_at DESC);

-- Every staff action on a customer, with the reason given. Kept two years
-- (services::retention); a removed customer's entries stay, unattached.
CREATE TABLE staff_audit (
    id          bigserial PRIMARY KEY,
    actor_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    customer_id uuid REFERENCES users (id) ON DELETE SET NULL,
    action      text NOT NULL CHECK (action IN ('lock', 'unlock', 'end_sessions', 'note')),
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_audit_customer_idx ON staff_audit (customer_id, created_at DESC);
CREATE INDEX staff_audit_created_brin ON staff_audit USING brin (created_at);
CREATE INDEX email_outbox_to_idx ON email_outbox (lower(to_address), created_at DESC);

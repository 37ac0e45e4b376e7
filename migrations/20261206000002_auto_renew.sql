-- Automatic renewal: 14 days before a name expires, a renewal order is
-- made and charged to the saved card of whoever turned it on; a declined
-- charge is tried again every 2 days (the owners are warned each time) and
-- the name is renewed only once paid.

-- Who turned automatic renewal on (their card is charged).
ALTER TABLE registered_domains
    ADD COLUMN auto_renew_by uuid REFERENCES users (id) ON DELETE SET NULL;

ALTER TABLE domain_orders
    -- Made by the platform for an automatic renewal (paid off-session).
    ADD COLUMN automatic boolean NOT NULL DEFAULT false,
    ADD COLUMN charge_attempts integer NOT NULL DEFAULT 0 CHECK (charge_attempts >= 0),
    -- When the saved card is charged (again); NULL: no more tries.
    ADD COLUMN next_charge_at timestamptz;

CREATE INDEX domain_orders_charge_idx ON domain_orders (next_charge_at)
    WHERE automatic AND status = 'awaiting_payment';
-- One automatic renewal per name and expiry.
CREATE UNIQUE INDEX domain_orders_one_automatic_idx ON domain_orders (name, expires_before)
    WHERE automatic;

-- Transfers in: a name registered elsewhere moves to our reseller account
-- with the auth code its owner got from the current registrar. Paid like
-- a registration; the worker submits it and follows its status.

ALTER TABLE domain_orders DROP CONSTRAINT domain_orders_kind_check;
ALTER TABLE domain_orders ADD CONSTRAINT domain_orders_kind_check
    CHECK (kind IN ('register', 'renew', 'transfer'));
ALTER TABLE domain_orders DROP CONSTRAINT domain_orders_status_check;
ALTER TABLE domain_orders ADD CONSTRAINT domain_orders_status_check CHECK (status IN (
    'awaiting_payment', 'paid', 'registering', 'transferring', 'registered',
    'refunding', 'refunded', 'failed', 'expired'));

ALTER TABLE domain_orders
    -- The auth code: kept only until the transfer is submitted.
    ADD COLUMN auth_code text CHECK (length(auth_code) BETWEEN 4 AND 64),
    -- The registrar's transfer, and its status as last read (the buyer is
    -- emailed when it changes).
    ADD COLUMN transfer_id text,
    ADD COLUMN transfer_status text;

DROP INDEX domain_orders_due_idx;
CREATE INDEX domain_orders_due_idx ON domain_orders (next_attempt_at)
    WHERE status IN ('paid', 'registering', 'transferring', 'refunding');
-- One registration or transfer of a name in flight or done at a time.
DROP INDEX domain_orders_one_live_idx;
CREATE UNIQUE INDEX domain_orders_one_live_idx ON domain_orders (name)
    WHERE kind IN ('register', 'transfer') AND status IN ('paid', 'registering', 'transferring', 'registered');

-- The manual registrar: for operators without a reseller account, a paid
-- order becomes a task for staff ('staff_task'), who register the name by
-- hand and mark it done with its expiry, or refund it.
ALTER TABLE domain_orders DROP CONSTRAINT domain_orders_status_check;
ALTER TABLE domain_orders ADD CONSTRAINT domain_orders_status_check CHECK (status IN (
    'awaiting_payment', 'paid', 'registering', 'transferring', 'staff_task', 'registered',
    'refunding', 'refunded', 'failed', 'expired'));
DROP INDEX domain_orders_one_live_idx;
CREATE UNIQUE INDEX domain_orders_one_live_idx ON domain_orders (name)
    WHERE kind IN ('register', 'transfer')
      AND status IN ('paid', 'registering', 'transferring', 'staff_task', 'registered');
DROP INDEX domain_orders_one_renewal_idx;
CREATE UNIQUE INDEX domain_orders_one_renewal_idx ON domain_orders (name)
    WHERE kind = 'renew' AND status IN ('paid', 'registering', 'staff_task');
CREATE INDEX domain_orders_staff_task_idx ON domain_orders (paid_at) WHERE status = 'staff_task';

ALTER TABLE registered_domains DROP CONSTRAINT registered_domains_registrar_check;
ALTER TABLE registered_domains ADD CONSTRAINT registered_domains_registrar_check
    CHECK (registrar IN ('namecheap', 'manual'));

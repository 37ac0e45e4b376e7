-- A payment for a domain order that no longer awaited one (paid twice: an
-- automatic renewal's charge and the owner's own payment at once, or two
-- payment pages): the registration worker refunds it.
CREATE TABLE stray_payments (
    payment_intent  text PRIMARY KEY,
    order_id        uuid REFERENCES domain_orders (id) ON DELETE SET NULL,
    found_at        timestamptz NOT NULL,
    refund_id       text,
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz
);
CREATE INDEX stray_payments_due_idx ON stray_payments (next_attempt_at) WHERE refund_id IS NULL;

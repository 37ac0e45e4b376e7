-- Billing with Stripe: who pays (a Stripe customer per paying user), what
-- is paid (a subscription per hosting account on a paid plan), what was
-- billed (invoices), what was bought (orders), and every webhook event
-- received. Amounts are integer minor units of their currency.

-- A plan's Stripe product and its current price (`ksf stripe sync-plans`).
ALTER TABLE plans
    ADD COLUMN stripe_product_id text UNIQUE,
    ADD COLUMN stripe_price_id   text UNIQUE,
    -- The price the Stripe price was made for: a changed price needs a new one.
    ADD COLUMN stripe_price_minor bigint;

CREATE TABLE billing_customers (
    user_id            uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    stripe_customer_id text NOT NULL UNIQUE,
    created_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE subscriptions (
    stripe_subscription_id text PRIMARY KEY,
    account_id             uuid NOT NULL REFERENCES hosting_accounts (id) ON DELETE CASCADE,
    stripe_customer_id     text NOT NULL,
    status                 text NOT NULL CHECK (status IN (
                               'incomplete', 'incomplete_expired', 'trialing', 'active',
                               'past_due', 'canceled', 'unpaid', 'paused')),
    stripe_price_id        text NOT NULL,
    plan_id                uuid REFERENCES plans (id),
    amount_minor           bigint NOT NULL CHECK (amount_minor >= 0),
    currency               text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    current_period_start   timestamptz,
    current_period_end     timestamptz,
    cancel_at_period_end   boolean NOT NULL DEFAULT false,
    canceled_at            timestamptz,
    -- When a payment first failed; the grace period counts from here.
    past_due_since         timestamptz,
    -- The newest event applied (its `created`, then its id): an older event
    -- about this subscription never overwrites a newer state.
    applied_at             timestamptz NOT NULL,
    applied_event          text NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);
-- One live subscription per hosting account.
CREATE UNIQUE INDEX subscriptions_one_live ON subscriptions (account_id)
    WHERE status NOT IN ('canceled', 'incomplete_expired');
CREATE INDEX subscriptions_account_idx ON subscriptions (account_id);

CREATE TABLE invoices (
    stripe_invoice_id      text PRIMARY KEY,
    account_id             uuid REFERENCES hosting_accounts (id) ON DELETE SET NULL,
    stripe_subscription_id text,
    stripe_customer_id     text NOT NULL,
    number                 text,
    status                 text NOT NULL CHECK (status IN ('draft', 'open', 'paid', 'uncollectible', 'void')),
    amount_due_minor       bigint NOT NULL CHECK (amount_due_minor >= 0),
    amount_paid_minor      bigint NOT NULL CHECK (amount_paid_minor >= 0),
    currency               text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    hosted_invoice_url     text,
    invoice_pdf            text,
    period_start           timestamptz,
    period_end             timestamptz,
    created                timestamptz NOT NULL,
    paid_at                timestamptz,
    applied_at             timestamptz NOT NULL,
    applied_event          text NOT NULL
);
CREATE INDEX invoices_account_idx ON invoices (account_id, created DESC);
CREATE INDEX invoices_paid_idx ON invoices (paid_at) WHERE status = 'paid';

-- What a user set out to buy: one Checkout Session each.
CREATE TABLE orders (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id          uuid NOT NULL REFERENCES hosting_accounts (id) ON DELETE CASCADE,
    user_id             uuid REFERENCES users (id) ON DELETE SET NULL,
    plan_id             uuid NOT NULL REFERENCES plans (id),
    kind                text NOT NULL CHECK (kind IN ('new_account', 'reactivation', 'upgrade')),
    stripe_session_id   text UNIQUE,
    checkout_url        text,
    -- Stripe's sessions expire after a day: an older one is made anew,
    -- with the next attempt number in its idempotency key.
    session_opened_at   timestamptz,
    session_attempt     integer NOT NULL DEFAULT 0,
    status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'expired')),
    created_at          timestamptz NOT NULL DEFAULT now(),
    paid_at             timestamptz
);
CREATE INDEX orders_account_idx ON orders (account_id, created_at DESC);

-- Every webhook event received, stored before it is acknowledged; the
-- worker applies them once each.
CREATE TABLE stripe_events (
    id              text PRIMARY KEY,
    type            text NOT NULL,
    -- The object it is about and that object's time: the worker applies a
    -- subscription's events oldest first.
    object_id       text,
    created         timestamptz NOT NULL,
    payload         jsonb NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    processed_at    timestamptz,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text
);
CREATE INDEX stripe_events_pending_idx ON stripe_events (next_attempt_at, created) WHERE processed_at IS NULL;
CREATE INDEX stripe_events_received_idx ON stripe_events (received_at DESC);

-- Suspended by billing (unpaid past the grace period), so paying the open
-- invoice resumes it; a suspension by staff is never lifted by a payment.
ALTER TABLE hosting_accounts ADD COLUMN billing_hold boolean NOT NULL DEFAULT false;

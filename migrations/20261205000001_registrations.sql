-- Domain registration: the TLDs the operator sells, the orders customers
-- pay through Stripe, and the domains registered at the registrar.

-- The TLD catalogue. Cost prices come from the registrar (refreshed daily);
-- the retail price is fixed or the cost plus a margin.
CREATE TABLE tlds (
    name                text PRIMARY KEY CHECK (name ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$'),
    on_sale             boolean NOT NULL DEFAULT true,
    position            integer NOT NULL DEFAULT 0,
    currency            text NOT NULL DEFAULT 'usd' CHECK (currency ~ '^[a-z]{3}$'),
    -- Yearly prices in minor units; NULL until the registrar has told us.
    cost_register_minor bigint CHECK (cost_register_minor >= 0),
    cost_renew_minor    bigint CHECK (cost_renew_minor >= 0),
    cost_transfer_minor bigint CHECK (cost_transfer_minor >= 0),
    cost_refreshed_at   timestamptz,
    -- A fixed retail price wins over the margin rule.
    fixed_register_minor bigint CHECK (fixed_register_minor >= 0),
    margin_percent      integer NOT NULL DEFAULT 20 CHECK (margin_percent BETWEEN 0 AND 1000),
    whois_privacy       boolean NOT NULL DEFAULT true
);

-- What a customer buys: a registration (later: a transfer or a renewal).
-- Paid through a Stripe Checkout Session (mode payment); the worker
-- registers the name only once the webhook confirms the payment.
CREATE TABLE domain_orders (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id          uuid NOT NULL REFERENCES hosting_accounts (id) ON DELETE CASCADE,
    user_id             uuid REFERENCES users (id) ON DELETE SET NULL,
    -- Lower-case ASCII (punycode), as the registrar is sent it.
    name                text NOT NULL CHECK (length(name) BETWEEN 3 AND 253 AND name = lower(name)),
    tld                 text NOT NULL,
    kind                text NOT NULL DEFAULT 'register' CHECK (kind IN ('register', 'renew')),
    -- A renewal: the expiry when it was ordered (the worker compares the
    -- registrar's with it, so a renewal is never made twice).
    expires_before      timestamptz,
    years               integer NOT NULL CHECK (years BETWEEN 1 AND 10),
    price_minor         bigint NOT NULL CHECK (price_minor > 0),
    currency            text NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
    auto_renew          boolean NOT NULL,
    whois_privacy       boolean NOT NULL,
    -- The registrant (also admin, tech and billing contact), validated by
    -- the app's Contact before it is stored ({} for a renewal).
    contact             jsonb NOT NULL,
    status              text NOT NULL DEFAULT 'awaiting_payment' CHECK (status IN (
                            'awaiting_payment', 'paid', 'registering', 'registered',
                            'refunding', 'refunded', 'failed', 'expired')),
    stripe_session_id   text UNIQUE,
    checkout_url        text,
    session_opened_at   timestamptz,
    session_attempt     integer NOT NULL DEFAULT 0,
    payment_intent      text,
    -- The worker's bookkeeping: how often it tried, when it tries next,
    -- and what the registrar last said.
    attempts            integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at     timestamptz,
    failure             text,
    refund_id           text,
    -- The zone made for the order (removed again if the name is refunded).
    domain_id           uuid REFERENCES domains (id) ON DELETE SET NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    paid_at             timestamptz,
    finished_at         timestamptz
);
CREATE INDEX domain_orders_account_idx ON domain_orders (account_id, created_at DESC);
CREATE INDEX domain_orders_due_idx ON domain_orders (next_attempt_at)
    WHERE status IN ('paid', 'registering', 'refunding');
-- The staff chart of names registered per day.
CREATE INDEX domain_orders_finished_idx ON domain_orders (finished_at) WHERE status = 'registered';
-- One registration of a name in flight or done at a time.
CREATE UNIQUE INDEX domain_orders_one_live_idx ON domain_orders (name)
    WHERE kind = 'register' AND status IN ('paid', 'registering', 'registered');
-- One renewal of a name in flight at a time.
CREATE UNIQUE INDEX domain_orders_one_renewal_idx ON domain_orders (name)
    WHERE kind = 'renew' AND status IN ('paid', 'registering');

-- A domain we registered for a customer: what the registrar holds.
CREATE TABLE registered_domains (
    name                text PRIMARY KEY CHECK (length(name) BETWEEN 3 AND 253 AND name = lower(name)),
    account_id          uuid NOT NULL REFERENCES hosting_accounts (id) ON DELETE CASCADE,
    order_id            uuid REFERENCES domain_orders (id) ON DELETE SET NULL,
    registrar           text NOT NULL CHECK (registrar IN ('namecheap')),
    registrar_domain_id text,
    registered_at       timestamptz NOT NULL,
    expires_at          timestamptz NOT NULL,
    auto_renew          boolean NOT NULL,
    whois_privacy       boolean NOT NULL,
    -- The last expiry reminder sent for the current expiry: 30, 7 or 1
    -- days before (NULL: none yet; a renewal clears it).
    reminded_days       integer CHECK (reminded_days IN (30, 7, 1)),
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX registered_domains_account_idx ON registered_domains (account_id);
CREATE INDEX registered_domains_expiry_idx ON registered_domains (expires_at);

-- What the last daily reconciliation found different between the
-- registrar's list of our domains and ours (replaced at each run).
CREATE TABLE registrar_differences (
    name          text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('only_at_registrar', 'only_here', 'expiry_differs')),
    ours          timestamptz,
    theirs        timestamptz,
    found_at      timestamptz NOT NULL,
    PRIMARY KEY (name, kind)
);

-- The registrant details a user last used, to prefill the next purchase.
CREATE TABLE registrant_contacts (
    user_id     uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    contact     jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The TLDs offered on a fresh install (the operator edits the catalogue).
INSERT INTO tlds (name, position) VALUES
    ('com', 1), ('net', 2), ('org', 3), ('io', 4), ('dev', 5), ('de', 6);

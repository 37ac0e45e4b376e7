-- Hosting: the plan catalogue, hosting accounts, their members and
-- invitations, usage samples from hosting nodes and the nodes' API tokens.

CREATE TABLE plans (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Stable identifier used by code and the demo seed ("starter").
    code                    text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9-]{2,32}$'),
    name                    text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    storage_quota_bytes     bigint NOT NULL CHECK (storage_quota_bytes > 0),
    bandwidth_quota_bytes   bigint NOT NULL CHECK (bandwidth_quota_bytes > 0),
    max_sites               integer NOT NULL CHECK (max_sites > 0),
    -- Monthly price in minor units (cents) of `currency`.
    price_minor             bigint NOT NULL CHECK (price_minor >= 0),
    currency                text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- Retired plans stay for the accounts on them but are not offered.
    available               boolean NOT NULL DEFAULT true,
    sort_order              integer NOT NULL DEFAULT 0,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE hosting_accounts (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    plan_id         uuid NOT NULL REFERENCES plans (id),
    -- Lower-case ASCII (IDNA) form, validated by the app's DomainName.
    primary_domain  text NOT NULL CHECK (length(primary_domain) BETWEEN 3 AND 253),
    region          text NOT NULL,
    status          text NOT NULL DEFAULT 'active'
                    CHECK (status IN ('pending', 'active', 'suspended', 'cancelled')),
    suspended_reason text,
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    cancelled_at    timestamptz
);
CREATE INDEX hosting_accounts_name_idx ON hosting_accounts (lower(name));

CREATE TABLE hosting_members (
    account_id  uuid NOT NULL REFERENCES hosting_accounts (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('owner', 'admin', 'developer', 'billing', 'viewer')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, user_id)
);
CREATE INDEX hosting_members_user_idx ON hosting_members (user_id);
-- At most one owner; the app keeps it exactly one.
CREATE UNIQUE INDEX hosting_members_one_owner ON hosting_members (account_id) WHERE role = 'owner';

CREATE TABLE hosting_invitations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL REFERENCES hosting_accounts (id) ON DELETE CASCADE,
    email       text NOT NULL,
    role        text NOT NULL CHECK (role IN ('admin', 'developer', 'billing', 'viewer')),
    token_hash  bytea NOT NULL UNIQUE,
    invited_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    accepted_by uuid REFERENCES users (id) ON DELETE SET NULL,
    revoked_at  timestamptz
);
CREATE INDEX hosting_invitations_account_idx ON hosting_invitations (account_id);

-- Hosting events join the one activity log.
ALTER TABLE activity_log ADD COLUMN account_id uuid REFERENCES hosting_accounts (id) ON DELETE CASCADE;
CREATE INDEX activity_log_account_idx ON activity_log (account_id, created_at DESC, id DESC)
    WHERE account_id IS NOT NULL;

-- API tokens of hosting nodes (usage ingestion). Shown once, stored hashed.
CREATE TABLE node_tokens (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    token_hash   bytea NOT NULL UNIQUE,
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

-- One row per account and sample time; resending a sample changes nothing.
-- bandwidth_bytes: bytes served since the account's previous sample.
CREATE TABLE usage_samples (
    account_id      uuid NOT NULL REFERENCES hosting_accounts (id) ON DELETE CASCADE,
    sampled_at      timestamptz NOT NULL,
    storage_bytes   bigint NOT NULL CHECK (storage_bytes >= 0),
    bandwidth_bytes bigint NOT NULL CHECK (bandwidth_bytes >= 0),
    PRIMARY KEY (account_id, sampled_at)
);

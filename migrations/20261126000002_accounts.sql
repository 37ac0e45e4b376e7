-- Accounts: sessions, single-use email tokens, the email outbox, sign-in
-- attempts, known devices and per-account rate-limit counters.

-- A new address waits here until its owner proves it by the emailed link.
ALTER TABLE users ADD COLUMN pending_email text CHECK (length(pending_email) BETWEEN 3 AND 254);
ALTER TABLE users ADD COLUMN password_changed_at timestamptz NOT NULL DEFAULT now();

CREATE TABLE sessions (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- SHA-256 of the cookie token; the token itself is never stored.
    token_hash          bytea NOT NULL UNIQUE,
    user_id             uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at          timestamptz NOT NULL DEFAULT now(),
    last_seen_at        timestamptz NOT NULL DEFAULT now(),
    -- When the user last proved who they are (password, link): step-up checks read it.
    authenticated_at    timestamptz NOT NULL DEFAULT now(),
    ip                  text,
    user_agent          text,
    idle_expires_at     timestamptz NOT NULL,
    absolute_expires_at timestamptz NOT NULL,
    revoked_at          timestamptz
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);

-- Single-use links sent by email: verify address, reset password, confirm new address.
CREATE TABLE email_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash  bytea NOT NULL UNIQUE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'change_email')),
    -- The address the link was sent to (for change_email: the new address).
    email       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX email_tokens_user_purpose_idx ON email_tokens (user_id, purpose);

-- Every email leaves through this table, written in the transaction of the
-- change that causes it. Workers claim rows with FOR UPDATE SKIP LOCKED and
-- a lease; the row id is the provider's idempotency key.
CREATE TABLE email_outbox (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind            text NOT NULL,
    to_address      text NOT NULL,
    subject         text NOT NULL,
    html_body       text NOT NULL,
    text_body       text NOT NULL,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'failed', 'captured')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    -- A claimed row is leased until this time; a crashed worker's lease runs out.
    locked_until    timestamptz,
    last_error      text,
    provider_id     text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX email_outbox_due_idx ON email_outbox (next_attempt_at) WHERE status = 'pending';

CREATE TABLE sign_in_attempts (
    id          bigserial PRIMARY KEY,
    email       text NOT NULL,
    user_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    succeeded   boolean NOT NULL,
    ip          text,
    user_agent  text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_attempts_email_idx ON sign_in_attempts (lower(email), created_at);

-- Browsers a user has signed in from, to notice a new one.
CREATE TABLE known_devices (
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_hash   bytea NOT NULL,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, device_hash)
);

-- Per-account counters for rate limits (sign-in, reset, verification resend).
CREATE TABLE rate_limit_events (
    id          bigserial PRIMARY KEY,
    bucket      text NOT NULL,
    key         text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rate_limit_events_idx ON rate_limit_events (bucket, key, created_at);

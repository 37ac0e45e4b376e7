-- Hardening: trusted browsers for the sign-in pause, redacted copies of
-- emails that carry links, node tokens tied to a region.

-- A browser that signed in to an account (device cookie, stored hashed):
-- failures from it are counted apart, so strangers cannot lock it out.
CREATE TABLE trusted_devices (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX trusted_devices_user_idx ON trusted_devices (user_id);

-- Which trusted browser an attempt came from (none: an unknown one).
ALTER TABLE sign_in_attempts ADD COLUMN device_id uuid;
CREATE INDEX sign_in_attempts_failures_idx ON sign_in_attempts (lower(email), device_id, created_at)
    WHERE NOT succeeded;

-- Emails with single-use links keep a copy without the link; once sent,
-- the copy replaces the body, so the database holds no live link.
ALTER TABLE email_outbox ADD COLUMN redacted_html text, ADD COLUMN redacted_text text;

-- A node reports usage only for accounts of its region. Tokens made
-- before this have none and are refused until replaced.
ALTER TABLE node_tokens ADD COLUMN region text;

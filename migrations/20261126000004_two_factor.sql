-- Two-factor authentication (TOTP), recovery codes, and the short-lived
-- state between a correct password and a correct code.

CREATE TABLE two_factor (
    user_id         uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- The TOTP secret sealed with AES-256-GCM (nonce || ciphertext) under
    -- the key from KSF_SECRET_KEY; never stored in the clear.
    secret_sealed   bytea NOT NULL,
    -- NULL while enrolment waits for the first correct code.
    enabled_at      timestamptz,
    -- The newest time step a code was accepted for: older or equal steps
    -- are refused (replay guard).
    last_used_step  bigint,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE recovery_codes (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- SHA-256 of the normalised code (50 random bits each).
    code_hash   bytea NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recovery_codes_user_idx ON recovery_codes (user_id);

-- Password accepted, code still to come. Not a session: it opens no page.
CREATE TABLE pending_sign_ins (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash  bytea NOT NULL UNIQUE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pending_sign_ins_user_idx ON pending_sign_ins (user_id);

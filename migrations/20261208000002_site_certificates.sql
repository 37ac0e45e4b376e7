-- Each site's certificates as its node serves them, reported by the node's
-- agent after each round of checks (the latest report replaces the last).
CREATE TABLE site_certificates (
    account_id uuid NOT NULL REFERENCES hosting_accounts (id) ON DELETE CASCADE,
    host       text NOT NULL CHECK (length(host) BETWEEN 1 AND 253),
    issuer     text CHECK (length(issuer) <= 200),
    issued_at  timestamptz,
    expires_at timestamptz,
    error      text CHECK (length(error) <= 500),
    checked_at timestamptz NOT NULL,
    PRIMARY KEY (account_id, host)
);
-- Certificates expiring soon, for staff and the dashboard.
CREATE INDEX site_certificates_expiry_idx ON site_certificates (expires_at) WHERE expires_at IS NOT NULL;

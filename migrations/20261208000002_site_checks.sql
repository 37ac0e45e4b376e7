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
-- Whether a certificate needs a look at `at`: missing, not yet or no
-- longer valid, or with less than a third of its life left (Caddy renews
-- at two thirds: 90-day ACME certificates at 30 days, its own 12-hour ones
-- at 4 hours). The one rule for the account page, dashboard and /metrics.
CREATE FUNCTION certificate_needs_look(issued timestamptz, expires timestamptz, at timestamptz)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT issued IS NULL OR expires IS NULL OR at < issued OR at >= expires - (expires - issued) / 3
$$;

-- Certificates expiring soon, for staff and the dashboard.
CREATE INDEX site_certificates_expiry_idx ON site_certificates (expires_at) WHERE expires_at IS NOT NULL;

-- Each site's health as its node last saw it: its home page's answer
-- through the node's Caddy, and any error serving it as asked.
CREATE TABLE site_health (
    account_id uuid PRIMARY KEY REFERENCES hosting_accounts (id) ON DELETE CASCADE,
    up         boolean NOT NULL,
    status     integer CHECK (status BETWEEN 100 AND 599),
    millis     integer NOT NULL CHECK (millis >= 0),
    error      text CHECK (length(error) <= 500),
    site_error text CHECK (length(site_error) <= 500),
    checked_at timestamptz NOT NULL
);

-- A site going up or down updates its members' dashboards (and staff's):
-- a new kind of live event (`domain::live::EventKind::Site`).
ALTER TABLE events DROP CONSTRAINT events_kind_known;
ALTER TABLE events ADD CONSTRAINT events_kind_known
    CHECK (kind IN ('activity', 'billing', 'notification', 'sign_up', 'ticket', 'usage', 'site'));

CREATE FUNCTION site_health_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR OLD.up IS DISTINCT FROM NEW.up THEN
        INSERT INTO events (kind, account_id) VALUES ('site', NEW.account_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER site_health_event AFTER INSERT OR UPDATE ON site_health
    FOR EACH ROW EXECUTE FUNCTION site_health_event();

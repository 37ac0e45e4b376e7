-- Email delivery (Resend's webhooks): what happened to each sent email,
-- the events themselves (stored once by their Svix id), and the addresses
-- no longer mailed after a hard bounce or a complaint. Only additions:
-- the previous release ignores the new columns and tables.
ALTER TABLE email_outbox
    ADD COLUMN delivery text CHECK (delivery IN ('delayed', 'delivered', 'bounced', 'complained')),
    ADD COLUMN delivery_at timestamptz;
CREATE INDEX email_outbox_provider_idx ON email_outbox (provider_id) WHERE provider_id IS NOT NULL;

-- A suppressed email is kept (its row says why it was not sent).
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_status_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_status_check
    CHECK (status IN ('pending', 'sent', 'failed', 'captured', 'suppressed'));

CREATE TABLE email_events (
    id text PRIMARY KEY,
    type text NOT NULL,
    email_id text NOT NULL,
    payload jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_events_received_idx ON email_events (received_at);

CREATE TABLE email_suppressions (
    -- Lower-cased.
    address text PRIMARY KEY CHECK (address = lower(address)),
    reason text NOT NULL CHECK (reason IN ('bounced', 'complained')),
    detail text,
    created_at timestamptz NOT NULL DEFAULT now()
);

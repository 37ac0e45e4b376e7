-- Operations: the figures /metrics reads each scrape, each through an index
-- (the outbox and the webhook log grow with the business).
CREATE INDEX email_outbox_created_idx ON email_outbox (created_at);

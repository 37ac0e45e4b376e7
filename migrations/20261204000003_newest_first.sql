-- Two queues were sorted whole on every read, found by the benchmarks'
-- query plans:
--
-- * staff's activity feed (every account's events, newest first): only a
--   BRIN index covered created_at, so each dashboard render sorted the log;
-- * the Stripe event worker's claim of the oldest due event: with a month's
--   renewals waiting (30,000 events), each claim scanned and sorted them
--   all, and the workers spent their time there, not applying events.
CREATE INDEX activity_log_newest_idx ON activity_log (created_at DESC, id DESC)
    WHERE account_id IS NOT NULL;
CREATE INDEX stripe_events_due_order_idx ON stripe_events (created, received_at)
    WHERE processed_at IS NULL;

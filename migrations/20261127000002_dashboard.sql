-- The dashboard: usage rollups, live events and notifications.

-- Usage per account and hour, and per account and UTC day, kept current by
-- the same statement that stores samples. Charts and meters read these,
-- never raw samples. `storage_bytes` is that of the latest sample in the
-- bucket (`storage_at` says when it was taken, so a late sample for an
-- earlier time does not overwrite a newer figure); bandwidth is summed.
CREATE TABLE usage_hourly (
    account_id      uuid NOT NULL REFERENCES hosting_accounts (id) ON DELETE CASCADE,
    hour            timestamptz NOT NULL,
    bandwidth_bytes bigint NOT NULL CHECK (bandwidth_bytes >= 0),
    storage_bytes   bigint NOT NULL CHECK (storage_bytes >= 0),
    storage_at      timestamptz NOT NULL,
    PRIMARY KEY (account_id, hour)
);

CREATE TABLE usage_daily (
    account_id      uuid NOT NULL REFERENCES hosting_accounts (id) ON DELETE CASCADE,
    day             date NOT NULL,
    bandwidth_bytes bigint NOT NULL CHECK (bandwidth_bytes >= 0),
    storage_bytes   bigint NOT NULL CHECK (storage_bytes >= 0),
    storage_at      timestamptz NOT NULL,
    PRIMARY KEY (account_id, day)
);
CREATE INDEX usage_daily_day_idx ON usage_daily (day);

-- Each account's newest storage figure, and bandwidth per account and
-- month: what the dashboards' tiles read for thousands of accounts at once.
CREATE TABLE usage_latest (
    account_id    uuid PRIMARY KEY REFERENCES hosting_accounts (id) ON DELETE CASCADE,
    storage_bytes bigint NOT NULL CHECK (storage_bytes >= 0),
    storage_at    timestamptz NOT NULL
);

CREATE TABLE usage_monthly (
    account_id      uuid NOT NULL REFERENCES hosting_accounts (id) ON DELETE CASCADE,
    month           date NOT NULL,
    bandwidth_bytes bigint NOT NULL CHECK (bandwidth_bytes >= 0),
    PRIMARY KEY (account_id, month)
);
CREATE INDEX usage_monthly_month_idx ON usage_monthly (month);

-- The samples stored before rollups existed.
INSERT INTO usage_hourly (account_id, hour, bandwidth_bytes, storage_bytes, storage_at)
SELECT account_id, date_trunc('hour', sampled_at),
       LEAST(sum(bandwidth_bytes), 9223372036854775807)::bigint,
       (array_agg(storage_bytes ORDER BY sampled_at DESC))[1], max(sampled_at)
FROM usage_samples GROUP BY 1, 2;

INSERT INTO usage_daily (account_id, day, bandwidth_bytes, storage_bytes, storage_at)
SELECT account_id, (sampled_at AT TIME ZONE 'UTC')::date,
       LEAST(sum(bandwidth_bytes), 9223372036854775807)::bigint,
       (array_agg(storage_bytes ORDER BY sampled_at DESC))[1], max(sampled_at)
FROM usage_samples GROUP BY 1, 2;

INSERT INTO usage_latest (account_id, storage_bytes, storage_at)
SELECT DISTINCT ON (account_id) account_id, storage_bytes, sampled_at
FROM usage_samples ORDER BY account_id, sampled_at DESC;

INSERT INTO usage_monthly (account_id, month, bandwidth_bytes)
SELECT account_id, date_trunc('month', sampled_at AT TIME ZONE 'UTC')::date,
       LEAST(sum(bandwidth_bytes), 9223372036854775807)::bigint
FROM usage_samples GROUP BY 1, 2;

-- Pruning old raw samples scans by time.
CREATE INDEX usage_samples_time_idx ON usage_samples (sampled_at);

-- What happened, for live updates: a row per event, announced with
-- NOTIFY ksf_events (payload: the id). Each is visible to the members of
-- its hosting account, to one user, or to staff; streams resume after a
-- reconnect from the last id they saw. Old rows are pruned.
CREATE TABLE events (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL,
    account_id  uuid REFERENCES hosting_accounts (id) ON DELETE CASCADE,
    user_id     uuid REFERENCES users (id) ON DELETE CASCADE,
    staff       boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_created_idx ON events (created_at);

-- Things a user should see even when they were away: an invitation for
-- them, an account suspended, later ticket replies and failed payments.
CREATE TABLE notifications (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        text NOT NULL,
    title       text NOT NULL,
    link        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz
);
CREATE INDEX notifications_unread_idx ON notifications (user_id, created_at DESC) WHERE read_at IS NULL;

-- Every event is announced when its transaction commits.
CREATE FUNCTION announce_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ksf_events', NEW.id::text);
    RETURN NULL;
END $$;
CREATE TRIGGER events_announce AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION announce_event();

-- Whatever writes a hosting account's activity (every change to it does)
-- tells the account's members; new sign-ups tell staff; notifications
-- tell their user. In the database, so no code path can forget.
CREATE FUNCTION activity_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.account_id IS NOT NULL THEN
        INSERT INTO events (kind, account_id) VALUES ('activity', NEW.account_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER activity_log_event AFTER INSERT ON activity_log
    FOR EACH ROW EXECUTE FUNCTION activity_event();

CREATE FUNCTION user_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (kind, staff) VALUES ('sign_up', true);
    RETURN NULL;
END $$;
CREATE TRIGGER users_event AFTER INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION user_event();

CREATE FUNCTION notification_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (kind, user_id) VALUES ('notification', NEW.user_id);
    RETURN NULL;
END $$;
CREATE TRIGGER notifications_event AFTER INSERT OR UPDATE ON notifications
    FOR EACH ROW EXECUTE FUNCTION notification_event();

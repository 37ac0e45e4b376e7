-- Signed-in sessions and rendered dashboards are no longer kept in the
-- server's memory (a session is one lookup by its unique token hash, and
-- every page is rendered afresh), so nothing listens for user changes.
DROP TRIGGER sessions_user_change ON sessions;
DROP TRIGGER sessions_user_change_delete ON sessions;
DROP TRIGGER users_user_change ON users;
DROP TRIGGER two_factor_user_change ON two_factor;
DROP TRIGGER hosting_members_user_change ON hosting_members;
DROP FUNCTION announce_user_change();

-- The live stream's event kinds are one Rust enum (`domain::live::EventKind`)
-- shared by the server and the browser; the database accepts exactly those,
-- so a trigger or a service cannot send a kind nobody listens for.
DELETE FROM events WHERE kind NOT IN ('activity', 'billing', 'notification', 'sign_up', 'ticket', 'usage');
ALTER TABLE events ADD CONSTRAINT events_kind_known
    CHECK (kind IN ('activity', 'billing', 'notification', 'sign_up', 'ticket', 'usage'));

-- The staff dashboard's "busiest accounts" for the last 7, 30 and 90 days
-- summed every account's days of the period on each request (0.5 s at
-- 20,000 accounts). Each account's total per period is kept here instead,
-- as of `usage_windows_state.day`: statement triggers on usage_daily add
-- what changes inside the periods, and when the day changes the periods
-- are summed afresh (`usage_windows_roll`, run each minute by the server).
-- Until then the chart sums the days itself, so it is exact either way.
CREATE TABLE usage_windows (
    days            smallint NOT NULL CHECK (days IN (7, 30, 90)),
    account_id      uuid NOT NULL REFERENCES hosting_accounts (id) ON DELETE CASCADE,
    bandwidth_bytes numeric NOT NULL,
    PRIMARY KEY (days, account_id)
);
CREATE INDEX usage_windows_busiest_idx ON usage_windows (days, bandwidth_bytes DESC);

CREATE TABLE usage_windows_state (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    day      date NOT NULL
);

-- Sums the periods ending `today` afresh; does nothing if they already end
-- there. Takes the platform totals' lock, so no ingest adds to a period
-- while it is summed.
CREATE FUNCTION usage_windows_roll(today date) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('usage_platform'));
    IF EXISTS (SELECT 1 FROM usage_windows_state WHERE day = today) THEN
        RETURN false;
    END IF;
    DELETE FROM usage_windows;
    INSERT INTO usage_windows (days, account_id, bandwidth_bytes)
    SELECT w.days, d.account_id, sum(d.bandwidth_bytes)
    FROM usage_daily d JOIN (VALUES (7), (30), (90)) AS w(days)
      ON d.day > today - w.days AND d.day <= today
    GROUP BY w.days, d.account_id;
    INSERT INTO usage_windows_state (day) VALUES (today)
    ON CONFLICT (only_row) DO UPDATE SET day = EXCLUDED.day;
    RETURN true;
END $$;

CREATE FUNCTION usage_windows_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    today date;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('usage_platform'));
    SELECT day INTO today FROM usage_windows_state;
    IF today IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        -- Rows of an account being deleted go with it: update, never insert.
        UPDATE usage_windows u SET bandwidth_bytes = u.bandwidth_bytes - d.b
        FROM (SELECT w.days, o.account_id, sum(o.bandwidth_bytes) AS b
              FROM old_rows o JOIN (VALUES (7), (30), (90)) AS w(days)
                ON o.day > today - w.days AND o.day <= today
              GROUP BY 1, 2) d
        WHERE u.days = d.days AND u.account_id = d.account_id;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO usage_windows AS u (days, account_id, bandwidth_bytes)
        SELECT w.days, n.account_id, sum(n.bandwidth_bytes)
        FROM new_rows n JOIN (VALUES (7), (30), (90)) AS w(days)
          ON n.day > today - w.days AND n.day <= today
        GROUP BY w.days, n.account_id
        ON CONFLICT (days, account_id) DO UPDATE SET bandwidth_bytes = u.bandwidth_bytes + EXCLUDED.bandwidth_bytes;
    ELSE
        INSERT INTO usage_windows AS u (days, account_id, bandwidth_bytes)
        SELECT w.days, c.account_id, sum(c.b)
        FROM (SELECT account_id, day, bandwidth_bytes::numeric AS b FROM new_rows
              UNION ALL
              SELECT account_id, day, -bandwidth_bytes::numeric FROM old_rows) c
        JOIN (VALUES (7), (30), (90)) AS w(days) ON c.day > today - w.days AND c.day <= today
        GROUP BY w.days, c.account_id
        ON CONFLICT (days, account_id) DO UPDATE SET bandwidth_bytes = u.bandwidth_bytes + EXCLUDED.bandwidth_bytes;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER usage_daily_windows_insert AFTER INSERT ON usage_daily
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usage_windows_apply();
CREATE TRIGGER usage_daily_windows_update AFTER UPDATE ON usage_daily
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usage_windows_apply();
CREATE TRIGGER usage_daily_windows_delete AFTER DELETE ON usage_daily
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usage_windows_apply();

SELECT usage_windows_roll((now() AT TIME ZONE 'UTC')::date);

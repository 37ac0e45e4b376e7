-- The staff dashboard's "platform storage" and "accounts near quota" tiles
-- joined every hosting account with its latest usage on each render
-- (bench_dashboard: 34 req/s). Both are kept by triggers now, like the
-- counts in `platform_counts`:
--
-- * 'storage' in platform_counts is the sum of usage_latest over every
--   account (a delta per statement, no join, so a cascade delete is right
--   too); the tile subtracts the few cancelled accounts through a partial
--   index.
-- * accounts_near_quota holds each open account at or above 90 % of its
--   plan's storage, or of its bandwidth in its newest month of usage. The
--   month is kept so a reader asks for its own month: last month's
--   bandwidth never counts in this one.

CREATE TABLE accounts_near_quota (
    account_id      uuid PRIMARY KEY REFERENCES hosting_accounts (id) ON DELETE CASCADE,
    -- The account's name, so the tile's five names need no join.
    name            text NOT NULL,
    storage_share   float8 NOT NULL,
    month           date,
    bandwidth_share float8 NOT NULL
);

CREATE INDEX hosting_accounts_cancelled_idx ON hosting_accounts (id) WHERE status = 'cancelled';

-- Recomputes the given accounts' rows (in account order, so concurrent
-- writers lock them in the same order).
CREATE FUNCTION near_quota_refresh(ids uuid[]) RETURNS void LANGUAGE sql AS $$
    WITH figures AS (
        SELECT a.id, a.name,
               coalesce(l.storage_bytes, 0)::float8 / p.storage_quota_bytes AS storage_share,
               m.month,
               coalesce(m.bandwidth_bytes, 0)::float8 / p.bandwidth_quota_bytes AS bandwidth_share
        FROM hosting_accounts a
        JOIN plans p ON p.id = a.plan_id
        LEFT JOIN usage_latest l ON l.account_id = a.id
        LEFT JOIN LATERAL (
            SELECT month, bandwidth_bytes FROM usage_monthly
            WHERE account_id = a.id ORDER BY month DESC LIMIT 1) m ON true
        WHERE a.id = ANY (ids) AND a.status <> 'cancelled'
    ), near AS (
        SELECT * FROM figures WHERE storage_share >= 0.9 OR bandwidth_share >= 0.9
    ), gone AS (
        DELETE FROM accounts_near_quota
        WHERE account_id = ANY (ids) AND account_id NOT IN (SELECT id FROM near)
    )
    -- An upsert, not delete-and-insert: two writers refreshing one account
    -- at once must not both insert it.
    INSERT INTO accounts_near_quota AS q (account_id, name, storage_share, month, bandwidth_share)
    SELECT id, name, storage_share, month, bandwidth_share FROM near ORDER BY id
    ON CONFLICT (account_id) DO UPDATE SET
        name = EXCLUDED.name, storage_share = EXCLUDED.storage_share, month = EXCLUDED.month,
        bandwidth_share = EXCLUDED.bandwidth_share;
$$;

CREATE FUNCTION near_quota_usage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM near_quota_refresh(array(SELECT DISTINCT account_id FROM new_rows ORDER BY 1));
    RETURN NULL;
END $$;

CREATE TRIGGER usage_monthly_near_quota_insert AFTER INSERT ON usage_monthly
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION near_quota_usage();
CREATE TRIGGER usage_monthly_near_quota_update AFTER UPDATE ON usage_monthly
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION near_quota_usage();

CREATE FUNCTION usage_latest_kept() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta numeric := 0;
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM near_quota_refresh(array(SELECT account_id FROM new_rows ORDER BY 1));
        delta := delta + (SELECT coalesce(sum(storage_bytes), 0) FROM new_rows);
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        delta := delta - (SELECT coalesce(sum(storage_bytes), 0) FROM old_rows);
    END IF;
    IF delta <> 0 THEN
        PERFORM platform_counts_add(jsonb_build_object('storage', delta));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER usage_latest_kept_insert AFTER INSERT ON usage_latest
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_latest_kept();
CREATE TRIGGER usage_latest_kept_update AFTER UPDATE ON usage_latest
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_latest_kept();
CREATE TRIGGER usage_latest_kept_delete AFTER DELETE ON usage_latest
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_latest_kept();

-- A change of plan or status moves an account in or out of the list (a
-- new name is copied).
CREATE FUNCTION near_quota_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM near_quota_refresh(array(
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.plan_id <> o.plan_id OR n.status <> o.status OR n.name <> o.name ORDER BY 1));
    RETURN NULL;
END $$;

CREATE TRIGGER hosting_accounts_near_quota AFTER UPDATE ON hosting_accounts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION near_quota_accounts();

-- So does a change of a plan's quotas, for every account on it.
CREATE FUNCTION near_quota_plans() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM near_quota_refresh(array(
        SELECT a.id FROM hosting_accounts a
        JOIN new_rows n ON n.id = a.plan_id JOIN old_rows o ON o.id = n.id
        WHERE n.storage_quota_bytes <> o.storage_quota_bytes
           OR n.bandwidth_quota_bytes <> o.bandwidth_quota_bytes
        ORDER BY 1));
    RETURN NULL;
END $$;

CREATE TRIGGER plans_near_quota AFTER UPDATE ON plans
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION near_quota_plans();

SELECT platform_counts_add(jsonb_build_object('storage', (SELECT coalesce(sum(storage_bytes), 0) FROM usage_latest)));
SELECT near_quota_refresh(array(SELECT id FROM hosting_accounts ORDER BY 1));

-- The staff dashboard counted every customer and hosting account on each
-- request (bench_dashboard: 30 req/s, sequential scans of both tables on
-- every render). The counts are kept here by statement triggers instead,
-- the way the platform usage rollups are kept: 'customers', 'accounts:'
-- and a status, and 'plan:' and a plan id (accounts not cancelled).

CREATE TABLE platform_counts (
    key text PRIMARY KEY,
    n   bigint NOT NULL
);

CREATE FUNCTION platform_counts_add(deltas jsonb) RETURNS void LANGUAGE sql AS $$
    INSERT INTO platform_counts AS c (key, n)
    SELECT key, value::bigint FROM jsonb_each_text(deltas) WHERE value::bigint <> 0 ORDER BY key
    ON CONFLICT (key) DO UPDATE SET n = c.n + EXCLUDED.n;
$$;

CREATE FUNCTION platform_counts_users() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta bigint := 0;
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        delta := delta + (SELECT count(*) FROM new_rows WHERE role = 'customer');
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        delta := delta - (SELECT count(*) FROM old_rows WHERE role = 'customer');
    END IF;
    PERFORM platform_counts_add(jsonb_build_object('customers', delta));
    RETURN NULL;
END $$;

CREATE TRIGGER users_platform_counts_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION platform_counts_users();
CREATE TRIGGER users_platform_counts_update AFTER UPDATE ON users
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION platform_counts_users();
CREATE TRIGGER users_platform_counts_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION platform_counts_users();

CREATE FUNCTION platform_counts_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    deltas jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_object_agg(key, n) INTO deltas FROM (
            SELECT key, sum(n) AS n FROM (
                SELECT 'accounts:' || status AS key, 1 AS n FROM new_rows
                UNION ALL SELECT 'plan:' || plan_id, 1 FROM new_rows WHERE status <> 'cancelled') d
            GROUP BY key) g;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_object_agg(key, n) INTO deltas FROM (
            SELECT key, sum(n) AS n FROM (
                SELECT 'accounts:' || status AS key, -1 AS n FROM old_rows
                UNION ALL SELECT 'plan:' || plan_id, -1 FROM old_rows WHERE status <> 'cancelled') d
            GROUP BY key) g;
    ELSE
        SELECT jsonb_object_agg(key, n) INTO deltas FROM (
            SELECT key, sum(n) AS n FROM (
                SELECT 'accounts:' || status AS key, 1 AS n FROM new_rows
                UNION ALL SELECT 'plan:' || plan_id, 1 FROM new_rows WHERE status <> 'cancelled'
                UNION ALL SELECT 'accounts:' || status, -1 FROM old_rows
                UNION ALL SELECT 'plan:' || plan_id, -1 FROM old_rows WHERE status <> 'cancelled') d
            GROUP BY key HAVING sum(n) <> 0) g;
    END IF;
    -- Only a change of status or plan writes (an edit nets to nothing).
    -- Writers take the totals one transaction at a time, so concurrent
    -- account changes cannot deadlock on them.
    IF deltas IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('platform_counts'));
        PERFORM platform_counts_add(deltas);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER hosting_accounts_platform_counts_insert AFTER INSERT ON hosting_accounts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION platform_counts_accounts();
CREATE TRIGGER hosting_accounts_platform_counts_update AFTER UPDATE ON hosting_accounts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION platform_counts_accounts();
CREATE TRIGGER hosting_accounts_platform_counts_delete AFTER DELETE ON hosting_accounts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION platform_counts_accounts();

-- The counts as they are now.
INSERT INTO platform_counts (key, n)
SELECT 'customers', count(*) FROM users WHERE role = 'customer'
UNION ALL SELECT 'accounts:' || status, count(*) FROM hosting_accounts GROUP BY status
UNION ALL SELECT 'plan:' || plan_id, count(*) FROM hosting_accounts WHERE status <> 'cancelled' GROUP BY plan_id;

-- Sign-ups of the last days (the tile's week and today, the chart) read
-- through an index instead of every user.
CREATE INDEX users_customers_created_at ON users (created_at) WHERE role = 'customer';

-- Hosting nodes as staff run them: the addresses visitors reach them at
-- (the web records of the domains of the sites they serve follow them),
-- and their storage as well as their number of sites. A plan says what
-- happens when a site has served its month's bandwidth: shown only, or
-- paused (a 503 page until the next month or a bigger plan).

ALTER TABLE node_tokens
    ADD COLUMN public_ipv4 text CHECK (public_ipv4 IS NULL OR family(public_ipv4::inet) = 4),
    ADD COLUMN public_ipv6 text CHECK (public_ipv6 IS NULL OR family(public_ipv6::inet) = 6),
    ADD COLUMN capacity_storage_bytes bigint NOT NULL DEFAULT 1000000000000
        CHECK (capacity_storage_bytes BETWEEN 1000000000 AND 1000000000000000);

ALTER TABLE plans
    ADD COLUMN over_bandwidth text NOT NULL DEFAULT 'show' CHECK (over_bandwidth IN ('show', 'pause'));

ALTER TABLE hosting_accounts
    ADD COLUMN bandwidth_paused boolean NOT NULL DEFAULT false;

-- Whether `account` on `plan` has served its bandwidth for `month` and the
-- plan pauses it then.
CREATE FUNCTION bandwidth_exhausted(account uuid, plan uuid, month date) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce((
        SELECT p.over_bandwidth = 'pause' AND m.bandwidth_bytes >= p.bandwidth_quota_bytes
        FROM plans p JOIN usage_monthly m ON m.account_id = account AND m.month = bandwidth_exhausted.month
        WHERE p.id = plan), false);
$$;

-- Sets `bandwidth_paused` of `ids` for `month`, noting each change in the
-- account's activity (which reaches its members' feeds). The site changes
-- on its node through hosting_accounts_site_changed.
CREATE FUNCTION bandwidth_pause_refresh(ids uuid[], month date) RETURNS void LANGUAGE sql AS $$
    WITH changed AS (
        UPDATE hosting_accounts a SET bandwidth_paused = NOT a.bandwidth_paused
        WHERE a.id = ANY (ids) AND a.status <> 'cancelled'
          AND a.bandwidth_paused IS DISTINCT FROM bandwidth_exhausted(a.id, a.plan_id, month)
        RETURNING a.id, a.bandwidth_paused)
    INSERT INTO activity_log (account_id, action, details)
    SELECT id, CASE WHEN bandwidth_paused THEN 'site_bandwidth_paused' ELSE 'site_bandwidth_restored' END, '{}'
    FROM changed ORDER BY id;
$$;

CREATE FUNCTION usage_monthly_bandwidth_pause() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bandwidth_pause_refresh(
        array(SELECT DISTINCT account_id FROM new_rows
              WHERE month = date_trunc('month', now() AT TIME ZONE 'UTC')::date ORDER BY 1),
        date_trunc('month', now() AT TIME ZONE 'UTC')::date);
    RETURN NULL;
END $$;
CREATE TRIGGER usage_monthly_bandwidth_pause_insert AFTER INSERT ON usage_monthly
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_monthly_bandwidth_pause();
CREATE TRIGGER usage_monthly_bandwidth_pause_update AFTER UPDATE ON usage_monthly
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_monthly_bandwidth_pause();

-- A bigger plan (or one that only shows) lifts the pause at once.
CREATE FUNCTION hosting_accounts_plan_bandwidth() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bandwidth_pause_refresh(ARRAY[NEW.id], date_trunc('month', now() AT TIME ZONE 'UTC')::date);
    RETURN NULL;
END $$;
CREATE TRIGGER hosting_accounts_plan_bandwidth AFTER UPDATE OF plan_id ON hosting_accounts
    FOR EACH ROW WHEN (OLD.plan_id IS DISTINCT FROM NEW.plan_id)
    EXECUTE FUNCTION hosting_accounts_plan_bandwidth();
-- ... and so does a plan's new quota or rule, for every account on it.
CREATE FUNCTION plans_bandwidth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bandwidth_pause_refresh(
        array(SELECT id FROM hosting_accounts WHERE plan_id = NEW.id AND status <> 'cancelled' ORDER BY id),
        date_trunc('month', now() AT TIME ZONE 'UTC')::date);
    RETURN NULL;
END $$;
CREATE TRIGGER plans_bandwidth_changed AFTER UPDATE OF bandwidth_quota_bytes, over_bandwidth ON plans
    FOR EACH ROW EXECUTE FUNCTION plans_bandwidth_changed();

DROP TRIGGER hosting_accounts_site_changed ON hosting_accounts;
CREATE TRIGGER hosting_accounts_site_changed
    AFTER INSERT OR DELETE OR UPDATE OF node_id, status, primary_domain, release_id, bandwidth_paused ON hosting_accounts
    FOR EACH ROW EXECUTE FUNCTION hosting_accounts_site_changed();

-- Checks of each site from outside its node (the portal asks the node's
-- public address for the site's home page), next to the agent's own.
ALTER TABLE site_health
    ADD COLUMN outside_up         boolean,
    ADD COLUMN outside_status     integer CHECK (outside_status BETWEEN 100 AND 599),
    ADD COLUMN outside_error      text CHECK (length(outside_error) <= 500),
    ADD COLUMN outside_checked_at timestamptz;
-- Up: the node's own check and, once made, the outside one both got an answer.
ALTER TABLE site_health
    ADD COLUMN answering boolean GENERATED ALWAYS AS (up AND outside_up IS NOT FALSE) STORED;

CREATE OR REPLACE FUNCTION site_health_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR OLD.answering IS DISTINCT FROM NEW.answering THEN
        INSERT INTO events (kind, account_id) VALUES ('site', NEW.account_id);
    END IF;
    RETURN NULL;
END $$;

-- Zone changes made because a site moved (its web records followed it).
ALTER TABLE dns_changes DROP CONSTRAINT dns_changes_source_check;
ALTER TABLE dns_changes ADD CONSTRAINT dns_changes_source_check
    CHECK (source IN ('created', 'editor', 'template', 'import', 'revert', 'hosting'));

-- What a node holds: its sites (cancelled ones not counted) and the
-- storage their plans take. Placement fills nodes by it.
CREATE FUNCTION node_load(node uuid, OUT used bigint, OUT committed bigint) LANGUAGE sql STABLE AS $$
    SELECT count(*), coalesce(sum(p.storage_quota_bytes), 0)::bigint
    FROM hosting_accounts a JOIN plans p ON p.id = a.plan_id
    WHERE a.node_id = node AND a.status <> 'cancelled';
$$;
CREATE INDEX hosting_accounts_bandwidth_paused_idx ON hosting_accounts (id) WHERE bandwidth_paused;
CREATE INDEX site_deploys_created_brin ON site_deploys USING brin (created_at);

-- Nodes made before storage was counted get room for what their sites'
-- plans already take, so none is full the moment this runs.
UPDATE node_tokens SET capacity_storage_bytes =
    least(1000000000000000, greatest(capacity_storage_bytes, (SELECT committed FROM node_load(id))));

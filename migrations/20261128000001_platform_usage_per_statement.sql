-- The platform rollups were kept by row triggers: one ingest statement
-- covering 20,000 accounts updated the same platform row 20,000 times in
-- one transaction, each update walking the row's growing chain of
-- versions (seeding the dashboard benchmark's 3.4 M hourly rows did not
-- finish in 15 minutes). Statement triggers with transition tables add
-- one sum per hour or day per statement instead; the figures stay equal.
-- Concurrent ingests take the totals in turn (an advisory lock held to
-- commit, as the hot total row was before): one statement's insert and
-- update triggers lock total rows in two passes, in any order.

DROP TRIGGER usage_hourly_platform ON usage_hourly;
DROP TRIGGER usage_daily_platform ON usage_daily;
DROP FUNCTION usage_platform_hourly_sync();
DROP FUNCTION usage_platform_daily_sync();

CREATE FUNCTION usage_platform_hourly_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('usage_platform'));
    IF TG_OP = 'INSERT' THEN
        INSERT INTO usage_platform_hourly AS p (hour, storage_bytes, bandwidth_bytes)
        SELECT hour, sum(storage_bytes), sum(bandwidth_bytes) FROM new_rows GROUP BY hour
        ON CONFLICT (hour) DO UPDATE SET
            storage_bytes = p.storage_bytes + EXCLUDED.storage_bytes,
            bandwidth_bytes = p.bandwidth_bytes + EXCLUDED.bandwidth_bytes;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO usage_platform_hourly AS p (hour, storage_bytes, bandwidth_bytes)
        SELECT hour, -sum(storage_bytes), -sum(bandwidth_bytes) FROM old_rows GROUP BY hour
        ON CONFLICT (hour) DO UPDATE SET
            storage_bytes = p.storage_bytes + EXCLUDED.storage_bytes,
            bandwidth_bytes = p.bandwidth_bytes + EXCLUDED.bandwidth_bytes;
    ELSE
        INSERT INTO usage_platform_hourly AS p (hour, storage_bytes, bandwidth_bytes)
        SELECT hour, sum(s), sum(b) FROM (
            SELECT hour, storage_bytes AS s, bandwidth_bytes AS b FROM new_rows
            UNION ALL
            SELECT hour, -storage_bytes, -bandwidth_bytes FROM old_rows) d
        GROUP BY hour
        ON CONFLICT (hour) DO UPDATE SET
            storage_bytes = p.storage_bytes + EXCLUDED.storage_bytes,
            bandwidth_bytes = p.bandwidth_bytes + EXCLUDED.bandwidth_bytes;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER usage_hourly_platform_insert AFTER INSERT ON usage_hourly
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usage_platform_hourly_apply();
CREATE TRIGGER usage_hourly_platform_update AFTER UPDATE ON usage_hourly
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usage_platform_hourly_apply();
CREATE TRIGGER usage_hourly_platform_delete AFTER DELETE ON usage_hourly
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usage_platform_hourly_apply();

CREATE FUNCTION usage_platform_daily_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('usage_platform'));
    IF TG_OP = 'INSERT' THEN
        INSERT INTO usage_platform_daily AS p (day, storage_bytes, bandwidth_bytes)
        SELECT day, sum(storage_bytes), sum(bandwidth_bytes) FROM new_rows GROUP BY day
        ON CONFLICT (day) DO UPDATE SET
            storage_bytes = p.storage_bytes + EXCLUDED.storage_bytes,
            bandwidth_bytes = p.bandwidth_bytes + EXCLUDED.bandwidth_bytes;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO usage_platform_daily AS p (day, storage_bytes, bandwidth_bytes)
        SELECT day, -sum(storage_bytes), -sum(bandwidth_bytes) FROM old_rows GROUP BY day
        ON CONFLICT (day) DO UPDATE SET
            storage_bytes = p.storage_bytes + EXCLUDED.storage_bytes,
            bandwidth_bytes = p.bandwidth_bytes + EXCLUDED.bandwidth_bytes;
    ELSE
        INSERT INTO usage_platform_daily AS p (day, storage_bytes, bandwidth_bytes)
        SELECT day, sum(s), sum(b) FROM (
            SELECT day, storage_bytes AS s, bandwidth_bytes AS b FROM new_rows
            UNION ALL
            SELECT day, -storage_bytes, -bandwidth_bytes FROM old_rows) d
        GROUP BY day
        ON CONFLICT (day) DO UPDATE SET
            storage_bytes = p.storage_bytes + EXCLUDED.storage_bytes,
            bandwidth_bytes = p.bandwidth_bytes + EXCLUDED.bandwidth_bytes;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER usage_daily_platform_insert AFTER INSERT ON usage_daily
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usage_platform_daily_apply();
CREATE TRIGGER usage_daily_platform_update AFTER UPDATE ON usage_daily
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usage_platform_daily_apply();
CREATE TRIGGER usage_daily_platform_delete AFTER DELETE ON usage_daily
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usage_platform_daily_apply();

-- Platform-wide usage per hour and per day, for the staff dashboard's
-- charts: summing every account's rollups for each request scanned
-- hundreds of thousands of rows. Kept equal to the sums of usage_hourly and
-- usage_daily by triggers (each row change adds its difference), so the
-- ingest statement stays as it is. Sums are numeric: thousands of accounts
-- can pass bigint; readers cap them.

CREATE TABLE usage_platform_hourly (
    hour            timestamptz PRIMARY KEY,
    storage_bytes   numeric NOT NULL,
    bandwidth_bytes numeric NOT NULL
);

CREATE TABLE usage_platform_daily (
    day             date PRIMARY KEY,
    storage_bytes   numeric NOT NULL,
    bandwidth_bytes numeric NOT NULL
);

CREATE FUNCTION usage_platform_hourly_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE usage_platform_hourly
        SET storage_bytes = storage_bytes - OLD.storage_bytes,
            bandwidth_bytes = bandwidth_bytes - OLD.bandwidth_bytes
        WHERE hour = OLD.hour;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO usage_platform_hourly AS p (hour, storage_bytes, bandwidth_bytes)
        VALUES (NEW.hour, NEW.storage_bytes, NEW.bandwidth_bytes)
        ON CONFLICT (hour) DO UPDATE SET
            storage_bytes = p.storage_bytes + EXCLUDED.storage_bytes,
            bandwidth_bytes = p.bandwidth_bytes + EXCLUDED.bandwidth_bytes;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION usage_platform_daily_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE usage_platform_daily
        SET storage_bytes = storage_bytes - OLD.storage_bytes,
            bandwidth_bytes = bandwidth_bytes - OLD.bandwidth_bytes
        WHERE day = OLD.day;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO usage_platform_daily AS p (day, storage_bytes, bandwidth_bytes)
        VALUES (NEW.day, NEW.storage_bytes, NEW.bandwidth_bytes)
        ON CONFLICT (day) DO UPDATE SET
            storage_bytes = p.storage_bytes + EXCLUDED.storage_bytes,
            bandwidth_bytes = p.bandwidth_bytes + EXCLUDED.bandwidth_bytes;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER usage_hourly_platform AFTER INSERT OR UPDATE OR DELETE ON usage_hourly
    FOR EACH ROW EXECUTE FUNCTION usage_platform_hourly_sync();
CREATE TRIGGER usage_daily_platform AFTER INSERT OR UPDATE OR DELETE ON usage_daily
    FOR EACH ROW EXECUTE FUNCTION usage_platform_daily_sync();

INSERT INTO usage_platform_hourly (hour, storage_bytes, bandwidth_bytes)
SELECT hour, sum(storage_bytes), sum(bandwidth_bytes) FROM usage_hourly GROUP BY hour;

INSERT INTO usage_platform_daily (day, storage_bytes, bandwidth_bytes)
SELECT day, sum(storage_bytes), sum(bandwidth_bytes) FROM usage_daily GROUP BY day;

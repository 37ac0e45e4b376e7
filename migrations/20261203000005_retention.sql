-- Retention (services::retention): the hourly prune finds old rows of the
-- append-only logs through their creation time. BRIN: these tables are
-- written in time order, so a tiny index bounds the scan to the old pages.
CREATE INDEX activity_log_created_brin ON activity_log USING brin (created_at);
CREATE INDEX rate_limit_events_created_brin ON rate_limit_events USING brin (created_at);
CREATE INDEX sign_in_attempts_created_brin ON sign_in_attempts USING brin (created_at);

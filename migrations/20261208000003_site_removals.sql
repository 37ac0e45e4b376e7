-- Sites a node must delete from its disk: moved to another node (at once),
-- or cancelled for longer than the retention period (30 days: the files
-- stay until then, in case the customer comes back). The node is told
-- explicitly, never by a site's absence, so an empty or wrong state can
-- never make it delete anything; it says when it has (`done_at`).
CREATE TABLE site_removals (
    node_id    uuid NOT NULL REFERENCES node_tokens (id) ON DELETE CASCADE,
    account_id uuid NOT NULL REFERENCES hosting_accounts (id) ON DELETE CASCADE,
    reason     text NOT NULL CHECK (reason IN ('moved', 'cancelled')),
    due_at     timestamptz NOT NULL,
    done_at    timestamptz,
    PRIMARY KEY (node_id, account_id)
);
CREATE INDEX site_removals_due_idx ON site_removals (node_id, due_at) WHERE done_at IS NULL;

CREATE FUNCTION hosting_accounts_site_removal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Moved: the old node deletes it now; moved back, it keeps it.
    IF OLD.node_id IS DISTINCT FROM NEW.node_id THEN
        IF OLD.node_id IS NOT NULL THEN
            INSERT INTO site_removals (node_id, account_id, reason, due_at)
            VALUES (OLD.node_id, NEW.id, 'moved', now())
            ON CONFLICT (node_id, account_id) DO UPDATE SET reason = 'moved', due_at = now(), done_at = NULL;
        END IF;
        IF NEW.node_id IS NOT NULL THEN
            DELETE FROM site_removals WHERE node_id = NEW.node_id AND account_id = NEW.id AND done_at IS NULL;
        END IF;
    END IF;
    -- Cancelled: deleted after the retention period, unless it comes back.
    IF NEW.node_id IS NOT NULL AND OLD.status IS DISTINCT FROM NEW.status THEN
        IF NEW.status = 'cancelled' THEN
            INSERT INTO site_removals (node_id, account_id, reason, due_at)
            VALUES (NEW.node_id, NEW.id, 'cancelled', now() + interval '30 days')
            ON CONFLICT (node_id, account_id) DO UPDATE SET reason = 'cancelled', due_at = now() + interval '30 days', done_at = NULL;
        ELSIF OLD.status = 'cancelled' THEN
            DELETE FROM site_removals WHERE node_id = NEW.node_id AND account_id = NEW.id AND done_at IS NULL;
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER hosting_accounts_site_removal
    AFTER UPDATE OF node_id, status ON hosting_accounts
    FOR EACH ROW EXECUTE FUNCTION hosting_accounts_site_removal();

-- Sites on hosting nodes: a node is what a node token names, serving the
-- sites of its region's accounts placed on it. The agent on the node
-- follows the desired state through `generation`, which every change that
-- alters what the node serves bumps (and announces on `ksf_node_state`).

ALTER TABLE node_tokens
    ADD COLUMN capacity_sites integer NOT NULL DEFAULT 500 CHECK (capacity_sites BETWEEN 0 AND 100000),
    ADD COLUMN generation     bigint NOT NULL DEFAULT 1,
    ADD COLUMN agent_version  text CHECK (length(agent_version) <= 40),
    ADD COLUMN agent_seen_at  timestamptz;

ALTER TABLE hosting_accounts
    ADD COLUMN node_id uuid REFERENCES node_tokens (id) ON DELETE SET NULL;
CREATE INDEX hosting_accounts_node_idx ON hosting_accounts (node_id) WHERE node_id IS NOT NULL;
CREATE INDEX hosting_accounts_unplaced_idx ON hosting_accounts (region) WHERE node_id IS NULL AND status <> 'cancelled';

CREATE FUNCTION bump_node_generation(node uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF node IS NOT NULL THEN
        UPDATE node_tokens SET generation = generation + 1 WHERE id = node;
        PERFORM pg_notify('ksf_node_state', node::text);
    END IF;
END $$;

-- An account placed, moved, renamed, suspended, resumed or cancelled.
CREATE FUNCTION hosting_accounts_site_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM bump_node_generation(NEW.node_id);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM bump_node_generation(OLD.node_id);
    ELSE
        PERFORM bump_node_generation(NEW.node_id);
        IF OLD.node_id IS DISTINCT FROM NEW.node_id THEN
            PERFORM bump_node_generation(OLD.node_id);
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER hosting_accounts_site_changed
    AFTER INSERT OR DELETE OR UPDATE OF node_id, status, primary_domain ON hosting_accounts
    FOR EACH ROW EXECUTE FUNCTION hosting_accounts_site_changed();

-- A domain added to or removed from an account routes to its site.
CREATE FUNCTION domains_site_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM bump_node_generation((SELECT node_id FROM hosting_accounts WHERE id = OLD.account_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM bump_node_generation((SELECT node_id FROM hosting_accounts WHERE id = NEW.account_id));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER domains_site_changed
    AFTER INSERT OR DELETE OR UPDATE OF account_id, name ON domains
    FOR EACH ROW EXECUTE FUNCTION domains_site_changed();

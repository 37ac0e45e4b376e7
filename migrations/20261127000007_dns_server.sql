-- The authoritative server (`ksf dns`) keeps every active zone in memory
-- and reloads one zone when it hears its name on `ksf_dns`: a change of
-- records always bumps the domain's serial, so watching the domains row
-- covers records, status and removal. The notification is sent at commit.
CREATE FUNCTION notify_dns_zone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('ksf_dns', OLD.name);
    ELSE
        PERFORM pg_notify('ksf_dns', NEW.name);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER domains_notify_dns
    AFTER INSERT OR DELETE OR UPDATE OF status, serial ON domains
    FOR EACH ROW EXECUTE FUNCTION notify_dns_zone();

-- The delegation check: when the parent's servers were last asked, and
-- what is wrong with the delegation (NULL when it points at us).
ALTER TABLE domains
    ADD COLUMN delegation_checked_at timestamptz,
    ADD COLUMN delegation_problem text CHECK (length(delegation_problem) <= 500);

-- A suspended or cancelled account's zones stop being served (and come
-- back with it), so its status change is each of its zones' change too.
CREATE FUNCTION notify_dns_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ksf_dns', d.name) FROM domains d WHERE d.account_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER hosting_accounts_notify_dns
    AFTER UPDATE OF status ON hosting_accounts
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION notify_dns_account();

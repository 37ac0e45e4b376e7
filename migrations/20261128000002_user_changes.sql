-- Server processes keep signed-in sessions and rendered dashboards in
-- memory for a few seconds. Whatever changes what a user may do or see,
-- outside the events feed, is announced here (payload: the user's id) at
-- commit, so every process drops what it kept for that user: a session
-- revoked or re-confirmed, a role, name or email changed, two-factor
-- turned on or off, a membership added, changed or removed.

CREATE FUNCTION announce_user_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'users' THEN
        PERFORM pg_notify('ksf_users', coalesce(NEW.id, OLD.id)::text);
    ELSE
        PERFORM pg_notify('ksf_users', coalesce(NEW.user_id, OLD.user_id)::text);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER sessions_user_change
    AFTER UPDATE OF revoked_at, authenticated_at ON sessions
    FOR EACH ROW EXECUTE FUNCTION announce_user_change();
CREATE TRIGGER sessions_user_change_delete AFTER DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION announce_user_change();
CREATE TRIGGER users_user_change AFTER UPDATE OF role, email, display_name OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION announce_user_change();
CREATE TRIGGER two_factor_user_change AFTER INSERT OR DELETE OR UPDATE OF enabled_at ON two_factor
    FOR EACH ROW EXECUTE FUNCTION announce_user_change();
CREATE TRIGGER hosting_members_user_change AFTER INSERT OR UPDATE OR DELETE ON hosting_members
    FOR EACH ROW EXECUTE FUNCTION announce_user_change();

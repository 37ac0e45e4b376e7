-- Signed-in sessions and rendered dashboards are no longer kept in the
-- server's memory (a session is one lookup by its unique token hash, and
-- every page is rendered afresh), so nothing listens for user changes.
DROP TRIGGER sessions_user_change ON sessions;
DROP TRIGGER sessions_user_change_delete ON sessions;
DROP TRIGGER users_user_change ON users;
DROP TRIGGER two_factor_user_change ON two_factor;
DROP TRIGGER hosting_members_user_change ON hosting_members;
DROP FUNCTION announce_user_change();

-- The live stream's event kinds are one Rust enum (`domain::live::EventKind`)
-- shared by the server and the browser; the database accepts exactly those,
-- so a trigger or a service cannot send a kind nobody listens for.
DELETE FROM events WHERE kind NOT IN ('activity', 'billing', 'notification', 'sign_up', 'ticket', 'usage');
ALTER TABLE events ADD CONSTRAINT events_kind_known
    CHECK (kind IN ('activity', 'billing', 'notification', 'sign_up', 'ticket', 'usage'));

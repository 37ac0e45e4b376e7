-- Staff roles (domain::staff::STAFF_PERMISSIONS says what each may do),
-- "view as customer" on a staff session, the two-person reset of a
-- customer's two-factor, and the wider staff audit.

ALTER TABLE users
    ADD COLUMN staff_role text CHECK (staff_role IN ('admin', 'support', 'billing', 'readonly'));
-- Everyone who was staff could do everything.
UPDATE users SET staff_role = 'admin' WHERE role = 'staff';
ALTER TABLE users ADD CONSTRAINT users_staff_role_only_for_staff
    CHECK (role = 'staff' OR staff_role IS NULL);

-- The previous release makes staff without a role while both run: they
-- get the least one, and an admin raises it.
CREATE FUNCTION staff_role_for_older_writers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.role = 'staff' AND NEW.staff_role IS NULL THEN
        NEW.staff_role := 'readonly';
    ELSIF NEW.role = 'customer' THEN
        NEW.staff_role := NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER users_staff_role BEFORE INSERT OR UPDATE OF role, staff_role ON users
    FOR EACH ROW EXECUTE FUNCTION staff_role_for_older_writers();
ALTER TABLE users ADD CONSTRAINT users_staff_have_a_role
    CHECK (role = 'customer' OR staff_role IS NOT NULL);

-- A staff session viewing the portal as a customer, until a time (15
-- minutes at most, services::customers::view_as).
ALTER TABLE sessions
    ADD COLUMN view_as_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN view_as_until   timestamptz;

-- A reset of a customer's two-factor: asked for by one staff member with
-- the identity checks they made, carried out when another approves.
CREATE TABLE two_factor_resets (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    requested_by uuid REFERENCES users (id) ON DELETE SET NULL,
    reason       text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    checks       text[] NOT NULL CHECK (cardinality(checks) BETWEEN 1 AND 10),
    requested_at timestamptz NOT NULL DEFAULT now(),
    approved_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    approved_at  timestamptz,
    cancelled_at timestamptz,
    CHECK (approved_by IS NULL OR approved_by <> requested_by)
);
-- One waiting request per customer.
CREATE UNIQUE INDEX two_factor_resets_waiting
    ON two_factor_resets (customer_id) WHERE approved_at IS NULL AND cancelled_at IS NULL;

-- services::customers::actions::StaffAction names every action.
ALTER TABLE staff_audit DROP CONSTRAINT staff_audit_action_check;
ALTER TABLE staff_audit ADD CONSTRAINT staff_audit_action_check CHECK (action IN (
    'lock', 'unlock', 'end_sessions', 'note', 'role_change', 'view_as', 'resend_verification',
    'change_email', 'two_factor_reset_requested', 'two_factor_reset_approved',
    'two_factor_reset_cancelled', 'data_export'));
CREATE INDEX staff_audit_actor_idx ON staff_audit (actor_id, created_at DESC);
CREATE INDEX staff_audit_newest_idx ON staff_audit (created_at DESC, id DESC);
-- The audit log reads users' security events newest first.
CREATE INDEX activity_log_user_newest_idx ON activity_log (created_at DESC, id DESC)
    WHERE user_id IS NOT NULL;

-- A customer's data as a ZIP of JSON files (GDPR articles 15 and 20),
-- built in the background and downloaded with an emailed link for 24
-- hours. Kept in the database so any app server can hand it out; the
-- archive itself is dropped when the link expires (services::export).
CREATE TABLE data_exports (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The customer, or the staff member who prepared it for them.
    requested_by uuid REFERENCES users (id) ON DELETE SET NULL,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready', 'failed', 'expired')),
    token_hash   bytea UNIQUE,
    archive      bytea,
    size_bytes   bigint CHECK (size_bytes >= 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    ready_at     timestamptz,
    expires_at   timestamptz,
    CHECK (status <> 'ready' OR (archive IS NOT NULL AND token_hash IS NOT NULL AND expires_at IS NOT NULL))
);
CREATE INDEX data_exports_pending_idx ON data_exports (created_at) WHERE status = 'pending';
CREATE INDEX data_exports_ready_idx ON data_exports (expires_at) WHERE status = 'ready';
CREATE INDEX data_exports_user_idx ON data_exports (user_id, created_at DESC);


-- /metrics counts these often; each set is small.
CREATE INDEX users_locked_idx ON users (locked_at) WHERE locked_at IS NOT NULL;
CREATE INDEX sessions_viewing_idx ON sessions (view_as_until) WHERE view_as_user_id IS NOT NULL;

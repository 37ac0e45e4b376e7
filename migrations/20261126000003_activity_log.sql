-- One log of security and account events (later issues add hosting,
-- billing and DNS events): who did what, to whose account, from where.
CREATE TABLE activity_log (
    id              bigserial PRIMARY KEY,
    -- Whose account the event belongs to (shown on their security page).
    user_id         uuid REFERENCES users (id) ON DELETE CASCADE,
    -- Who did it (the same user, staff, or NULL for the system).
    actor_id        uuid REFERENCES users (id) ON DELETE SET NULL,
    action          text NOT NULL,
    details         jsonb NOT NULL DEFAULT '{}',
    ip              text,
    user_agent      text,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activity_log_user_idx ON activity_log (user_id, created_at DESC, id DESC);

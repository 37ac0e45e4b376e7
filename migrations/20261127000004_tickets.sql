-- Support tickets: a thread of replies (and staff-only notes) about one
-- customer's question, optionally about one of their hosting accounts.

CREATE TABLE tickets (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- What people quote ("ticket #1042") and what URLs carry.
    number            bigint GENERATED ALWAYS AS IDENTITY (START WITH 1001) UNIQUE,
    author_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id        uuid REFERENCES hosting_accounts (id) ON DELETE SET NULL,
    subject           text NOT NULL CHECK (length(subject) BETWEEN 1 AND 150),
    category          text NOT NULL CHECK (category IN ('technical', 'billing', 'account', 'domains', 'other')),
    priority          text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    state             text NOT NULL DEFAULT 'open'
                      CHECK (state IN ('open', 'awaiting_staff', 'awaiting_customer', 'resolved', 'closed')),
    assignee_id       uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    -- Since when the side that must act next has been waiting ("waiting
    -- longest" sorts by it).
    waiting_since     timestamptz NOT NULL,
    first_response_at timestamptz,
    resolved_at       timestamptz,
    closed_at         timestamptz,
    rating            text CHECK (rating IN ('good', 'bad')),
    rating_comment    text CHECK (length(rating_comment) <= 2000),
    rated_at          timestamptz,
    -- The words of the subject and of every message (notes too: only staff
    -- search), kept by the triggers below: one index answers a search, and
    -- a search with a common word can walk the newest tickets first.
    search            tsvector NOT NULL DEFAULT ''
);
CREATE INDEX tickets_author_idx ON tickets (author_id, updated_at DESC);
CREATE INDEX tickets_account_idx ON tickets (account_id, updated_at DESC) WHERE account_id IS NOT NULL;
CREATE INDEX tickets_queue_idx ON tickets (state, waiting_since);
CREATE INDEX tickets_updated_idx ON tickets (updated_at DESC);
CREATE INDEX tickets_assignee_idx ON tickets (assignee_id, updated_at DESC) WHERE assignee_id IS NOT NULL;
CREATE INDEX tickets_created_idx ON tickets (created_at);
CREATE INDEX tickets_resolved_idx ON tickets (resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX tickets_search_idx ON tickets USING gin (search);

CREATE TABLE ticket_messages (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    ticket_id   uuid NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    author_id   uuid REFERENCES users (id) ON DELETE SET NULL,
    -- Written by staff (a reply or, with `internal`, a note).
    by_staff    boolean NOT NULL,
    -- A staff note: never shown, sent or streamed to customers.
    internal    boolean NOT NULL DEFAULT false CHECK (by_staff OR NOT internal),
    body        text NOT NULL CHECK (octet_length(body) BETWEEN 1 AND 65536),
    -- The Markdown rendered and sanitised once, when written.
    body_html   text NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX ticket_messages_thread_idx ON ticket_messages (ticket_id, created_at);

CREATE FUNCTION ticket_subject_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search := setweight(to_tsvector('english', NEW.subject), 'A');
    RETURN NEW;
END $$;
CREATE TRIGGER tickets_subject_words BEFORE INSERT ON tickets
    FOR EACH ROW EXECUTE FUNCTION ticket_subject_words();

-- A message adds its words (without positions) to its ticket's. A ticket
-- whose words would pass PostgreSQL's 1 MB tsvector limit keeps those it
-- has: the message is still saved.
CREATE FUNCTION ticket_message_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        UPDATE tickets SET search = search || strip(to_tsvector('english', NEW.body)) WHERE id = NEW.ticket_id;
    EXCEPTION WHEN program_limit_exceeded THEN
        RAISE WARNING 'ticket %: too many distinct words to index more', NEW.ticket_id;
    END;
    RETURN NULL;
END $$;
CREATE TRIGGER ticket_messages_words AFTER INSERT ON ticket_messages
    FOR EACH ROW EXECUTE FUNCTION ticket_message_words();

-- Files live in the storage (KSF_DATA_DIR by default), not the database.
CREATE TABLE ticket_attachments (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    ticket_id    uuid NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    message_id   uuid NOT NULL REFERENCES ticket_messages (id) ON DELETE CASCADE,
    file_name    text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    content_type text NOT NULL,
    size_bytes   bigint NOT NULL CHECK (size_bytes BETWEEN 1 AND 10485760),
    storage_key  text NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL
);
CREATE INDEX ticket_attachments_message_idx ON ticket_attachments (message_id);

-- Ticket events reach the ticket's audience (its author and the members of
-- its account whose role allows support) and staff; a staff note's event
-- (`internal`) reaches staff only.
ALTER TABLE events
    ADD COLUMN ticket_id uuid REFERENCES tickets (id) ON DELETE CASCADE,
    ADD COLUMN internal boolean NOT NULL DEFAULT false;

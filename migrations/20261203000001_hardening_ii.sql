-- `ksf dns` says here when a zone it should serve cannot be built (a stored
-- row that no longer reads back): the domain page shows it, and the other
-- zones are served all the same. NULL while the zone is served. Writing it
-- does not announce a zone change (the notify trigger watches status and
-- serial only).
ALTER TABLE domains
    ADD COLUMN serving_problem text CHECK (length(serving_problem) <= 500);

-- Each zone gets name server names of its own (two names under the
-- platform's name server domain, all answering at the platform's name
-- servers). Changing the NS records at the registry to exactly these names
-- proves control of the domain, so a name left delegated to us after its
-- zone was removed cannot be taken over by whoever adds it next. A name is
-- never given to another zone: rows stay when their domain goes.
CREATE TABLE assigned_nameservers (
    name        text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 253),
    domain_id   uuid REFERENCES domains (id) ON DELETE SET NULL,
    assigned_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assigned_nameservers_domain_idx ON assigned_nameservers (domain_id);

-- A pending domain is removed 14 days after it was added (freeing the
-- name); its owners are emailed 3 days before.
ALTER TABLE domains ADD COLUMN expiry_warned_at timestamptz;
CREATE INDEX domains_pending_idx ON domains (created_at) WHERE status = 'pending';

-- Attachment quotas sum a customer's files by the messages they wrote.
CREATE INDEX ticket_messages_author_idx ON ticket_messages (author_id) WHERE NOT by_staff;

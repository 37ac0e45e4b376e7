-- Domains and their DNS zones: one zone per domain, unique across the
-- platform; records by type with their data as the app's typed JSON; every
-- change recorded with the records before and after.

CREATE TABLE domains (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL REFERENCES hosting_accounts (id) ON DELETE CASCADE,
    -- Lower-case ASCII (IDNA) form, validated by the app's DomainName.
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 3 AND 253 AND name = lower(name)),
    status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active', 'suspended')),
    -- SOA serial, YYYYMMDDnn; only ever increases.
    serial      bigint NOT NULL CHECK (serial BETWEEN 1 AND 4294967295),
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX domains_account_idx ON domains (account_id);

CREATE TABLE dns_records (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    domain_id   uuid NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    -- Relative to the zone; '@' is the zone itself.
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 253),
    type        text NOT NULL CHECK (type IN ('A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SRV', 'CAA')),
    ttl         integer NOT NULL CHECK (ttl BETWEEN 60 AND 604800),
    -- The app's RecordData, tagged by type.
    data        jsonb NOT NULL CHECK (data->>'type' = type),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dns_records_domain_idx ON dns_records (domain_id, name, type);

-- Every change to a zone: who, when, from where (editor, template, import,
-- revert), and each touched record's id with its data before and after
-- (null: it did not exist). A revert is a new change.
CREATE TABLE dns_changes (
    id          bigserial PRIMARY KEY,
    domain_id   uuid NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    actor_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    source      text NOT NULL CHECK (source IN ('created', 'editor', 'template', 'import', 'revert')),
    summary     text NOT NULL CHECK (length(summary) BETWEEN 1 AND 500),
    entries     jsonb NOT NULL,
    serial      bigint NOT NULL,
    reverts     bigint REFERENCES dns_changes (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dns_changes_domain_idx ON dns_changes (domain_id, id DESC);

-- Deploys: a customer uploads an archive of their site; the node serving
-- the account downloads it, unpacks it into a new release and switches to
-- it. `hosting_accounts.release_id` is the deploy the site should serve
-- (NULL: the default page); changing it is what a deploy or a rollback is.

CREATE TABLE site_deploys (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id     uuid NOT NULL REFERENCES hosting_accounts (id) ON DELETE CASCADE,
    uploaded_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL,
    file_name      text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
    format         text NOT NULL CHECK (format IN ('zip', 'tar_gz')),
    archive_bytes  bigint NOT NULL CHECK (archive_bytes > 0),
    files          integer NOT NULL CHECK (files > 0),
    -- As the portal counted them when checking the upload.
    unpacked_bytes bigint NOT NULL CHECK (unpacked_bytes >= 0),
    -- Dropped once the deploy is too old to roll back to.
    archive        bytea,
    status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'deployed', 'failed')),
    error          text CHECK (length(error) <= 500),
    finished_at    timestamptz
);
CREATE INDEX site_deploys_account_idx ON site_deploys (account_id, created_at DESC);

ALTER TABLE hosting_accounts
    ADD COLUMN release_id uuid REFERENCES site_deploys (id) ON DELETE SET NULL;

-- A deploy or a rollback changes what the node serves.
DROP TRIGGER hosting_accounts_site_changed ON hosting_accounts;
CREATE TRIGGER hosting_accounts_site_changed
    AFTER INSERT OR DELETE OR UPDATE OF node_id, status, primary_domain, release_id ON hosting_accounts
    FOR EACH ROW EXECUTE FUNCTION hosting_accounts_site_changed();

-- People who can sign in: customers and staff.
CREATE TABLE users (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- As typed by the user; uniqueness is case-insensitive (index below).
    email             text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    display_name      text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    -- Argon2id PHC string.
    password_hash     text NOT NULL,
    role              text NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'staff')),
    email_verified_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

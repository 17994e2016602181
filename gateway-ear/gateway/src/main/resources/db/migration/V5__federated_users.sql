-- Users signed in through an OpenID Connect provider (issue 10): the provider (issuer) and the
-- user's subject there name them; their password hash is of a random password nobody knows.
ALTER TABLE app_user ADD COLUMN IF NOT EXISTS issuer VARCHAR(500);
ALTER TABLE app_user ADD COLUMN IF NOT EXISTS subject VARCHAR(255);
CREATE UNIQUE INDEX IF NOT EXISTS app_user_federated ON app_user (issuer, subject);

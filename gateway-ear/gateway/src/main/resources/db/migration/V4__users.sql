-- Console users (issue 10): PBKDF2 password hashes, one role each.
CREATE TABLE IF NOT EXISTS app_user (
  id             VARCHAR(40)  NOT NULL PRIMARY KEY,
  name           VARCHAR(64)  NOT NULL,
  password_hash  VARCHAR(512) NOT NULL,
  role           VARCHAR(20)  NOT NULL,
  created_at     TIMESTAMP    NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS app_user_name ON app_user (name);

-- A user's own credentials: API keys they made, and the session tokens the console holds for them.
-- Only a SHA-256 of each is stored (the tokens are random and long, so no slow hash is needed).
CREATE TABLE IF NOT EXISTS user_credential (
  id             VARCHAR(40)  NOT NULL PRIMARY KEY,
  user_id        VARCHAR(40)  NOT NULL,
  kind           VARCHAR(20)  NOT NULL,
  label          VARCHAR(100),
  prefix         VARCHAR(20)  NOT NULL,
  token_hash     VARCHAR(64)  NOT NULL,
  created_at     TIMESTAMP    NOT NULL,
  last_used_at   TIMESTAMP,
  expires_at     TIMESTAMP
);
CREATE UNIQUE INDEX IF NOT EXISTS user_credential_hash ON user_credential (token_hash);
CREATE INDEX IF NOT EXISTS user_credential_user ON user_credential (user_id, kind);

-- Every statement of V1..V7 is conditional (IF NOT EXISTS): a database made by the gateway's former
-- hand-made runner (its own schema_version table, no Flyway history) runs them as no-ops (issue 13).
CREATE TABLE IF NOT EXISTS container_record (
  id                   VARCHAR(40)  NOT NULL PRIMARY KEY,
  owner_id             VARCHAR(64)  NOT NULL,
  status               VARCHAR(20)  NOT NULL,
  engine_id            VARCHAR(128),
  image                VARCHAR(255),
  memory_mb            INTEGER      NOT NULL,
  cpus                 DOUBLE PRECISION NOT NULL,
  pids_limit           BIGINT       NOT NULL,
  idle_timeout_seconds BIGINT       NOT NULL,
  ttl_seconds          BIGINT       NOT NULL,
  labels               VARCHAR(8000),
  client_token_hash    VARCHAR(64)  NOT NULL,
  agent_secret_hash    VARCHAR(64)  NOT NULL,
  exit_code            INTEGER,
  reason               VARCHAR(2000),
  created_at           TIMESTAMP    NOT NULL,
  updated_at           TIMESTAMP    NOT NULL,
  last_activity_at     TIMESTAMP    NOT NULL,
  version              BIGINT       NOT NULL
);
CREATE INDEX IF NOT EXISTS container_record_owner ON container_record (owner_id, status);

CREATE TABLE IF NOT EXISTS container_event (
  id            VARCHAR(40)  NOT NULL PRIMARY KEY,
  container_id  VARCHAR(40)  NOT NULL,
  seq           BIGINT       NOT NULL,
  at            TIMESTAMP    NOT NULL,
  kind          VARCHAR(40)  NOT NULL,
  from_status   VARCHAR(20),
  to_status     VARCHAR(20),
  reason        VARCHAR(2000)
);
CREATE INDEX IF NOT EXISTS container_event_container ON container_event (container_id, seq);

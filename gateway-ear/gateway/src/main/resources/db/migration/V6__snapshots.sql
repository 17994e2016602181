-- Snapshots and forks (issue 14): an image of a container's file system plus an archive of its
-- workspace volumes, owned like containers; a fork's record names the snapshot it came from.
CREATE TABLE IF NOT EXISTS snapshot_record (
  id                   VARCHAR(40)   NOT NULL PRIMARY KEY,
  owner_id             VARCHAR(64)   NOT NULL,
  parent_container_id  VARCHAR(40)   NOT NULL,
  name                 VARCHAR(100),
  image                VARCHAR(255)  NOT NULL,
  image_id             VARCHAR(128),
  workspace_path       VARCHAR(1000),
  image_bytes          BIGINT        NOT NULL,
  workspace_bytes      BIGINT        NOT NULL,
  created_at           TIMESTAMP     NOT NULL
);
CREATE INDEX IF NOT EXISTS snapshot_record_owner ON snapshot_record (owner_id, created_at);

ALTER TABLE container_record ADD COLUMN IF NOT EXISTS snapshot_id VARCHAR(40);

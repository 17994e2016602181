-- the size of each container's disk (0: created without a disk limit, as every container before this)
ALTER TABLE container_record ADD COLUMN IF NOT EXISTS disk_mb BIGINT DEFAULT 0 NOT NULL;

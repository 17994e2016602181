-- The template a container was made from (issue 14); containers before templates ran the default image.
ALTER TABLE container_record ADD COLUMN IF NOT EXISTS template VARCHAR(64) DEFAULT 'default' NOT NULL;

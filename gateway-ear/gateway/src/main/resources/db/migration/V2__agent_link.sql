-- The create-time agent secret is accepted once: the first HELLO exchanges it for a link credential.
ALTER TABLE container_record ADD COLUMN IF NOT EXISTS agent_secret_armed BOOLEAN DEFAULT TRUE NOT NULL;
ALTER TABLE container_record ADD COLUMN IF NOT EXISTS agent_link_hash VARCHAR(64);

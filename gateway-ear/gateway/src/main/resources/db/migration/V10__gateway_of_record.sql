-- The gateway that made each container (issue 13): several gateways may share one database, and each
-- reconciles and reaps only the containers it made. Records from before stay NULL: the single
-- gateway that had them keeps them.
ALTER TABLE container_record ADD COLUMN IF NOT EXISTS gateway_id VARCHAR(64);

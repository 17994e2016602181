-- The row a create locks per owner (issue 13): the quota is counted under that lock, so two
-- gateways on one database cannot both take the last place.
CREATE TABLE owner_quota (
  owner_id  VARCHAR(64)  NOT NULL PRIMARY KEY
);

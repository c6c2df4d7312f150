-- Trackers with their statuses, the tip and the owner of the database.

-- One row per applied migration; the highest version is the schema's version.
CREATE TABLE responder_schema_version (
  version INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
) STRICT;

-- Exactly one row: the last committed tip (null until the first commit that names one), the
-- token of the store that owns the database (checked by every commit), and a commit counter.
CREATE TABLE responder_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  tip_height INTEGER CHECK (tip_height >= 0),
  tip_hash TEXT,
  owner TEXT,
  commit_count INTEGER NOT NULL DEFAULT 0,
  CHECK ((tip_height IS NULL) = (tip_hash IS NULL))
) STRICT;

INSERT INTO responder_state (id) VALUES (1);

-- One row per tracker. body is the tracker as handed over, in the core's versioned encoding
-- (TransactionTracker.encode); the status columns are authoritative for its current status, so a
-- status change is a one-row update that never rewrites the body.
CREATE TABLE responder_tracker (
  uuid TEXT PRIMARY KEY NOT NULL,
  penalty_txid TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'in_mempool', 'confirmed')),
  since_height INTEGER,
  confirmed_height INTEGER,
  confirmed_block TEXT,
  body TEXT NOT NULL,
  CHECK (CASE status
           WHEN 'confirmed' THEN since_height IS NULL AND confirmed_height IS NOT NULL AND confirmed_block IS NOT NULL
           ELSE since_height IS NOT NULL AND confirmed_height IS NULL AND confirmed_block IS NULL
         END)
) STRICT;

-- For operators: which appointments share a penalty.
CREATE INDEX responder_tracker_penalty_txid ON responder_tracker (penalty_txid);

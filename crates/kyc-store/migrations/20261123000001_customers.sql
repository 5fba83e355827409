-- The cached customers of one connection profile (one SQLite file per profile).
CREATE TABLE customers (
    id           TEXT PRIMARY KEY NOT NULL,   -- the provider's id (cust_…)
    status       TEXT NOT NULL,               -- kept verbatim, unknown values too
    cpf          TEXT NOT NULL,               -- digits only
    cnpj         TEXT,                        -- digits only
    name         TEXT NOT NULL,
    email        TEXT NOT NULL,
    phone        TEXT NOT NULL,
    trading_name TEXT,
    external_id  TEXT,
    kyc          TEXT NOT NULL,               -- JSON array of kyc items
    created_at   INTEGER NOT NULL,            -- epoch milliseconds
    updated_at   INTEGER NOT NULL,            -- epoch milliseconds
    synced_at    INTEGER NOT NULL             -- epoch milliseconds, when this row was last written by a sync
) STRICT;

CREATE INDEX customers_by_created ON customers (created_at DESC, id DESC);
CREATE INDEX customers_by_updated ON customers (updated_at DESC, id DESC);

-- Small facts about the cache: last successful sync, sync cursors.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

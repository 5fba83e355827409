-- Search: a contentless FTS5 index over what staff type to find someone. Contentless
-- (the text lives in `customers` only) keeps the cache small; triggers keep it in step.
-- `docs` holds CPF and CNPJ digits, so "123.456" and "123456" both find by prefix.
CREATE VIRTUAL TABLE customers_fts USING fts5(
    name, trading_name, email, external_id, docs,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER customers_fts_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_fts (rowid, name, trading_name, email, external_id, docs)
    VALUES (new.rowid, new.name, coalesce(new.trading_name, ''), new.email, coalesce(new.external_id, ''),
            new.cpf || ' ' || coalesce(new.cnpj, ''));
END;

CREATE TRIGGER customers_fts_update AFTER UPDATE OF name, trading_name, email, external_id, cpf, cnpj ON customers BEGIN
    DELETE FROM customers_fts WHERE rowid = old.rowid;
    INSERT INTO customers_fts (rowid, name, trading_name, email, external_id, docs)
    VALUES (new.rowid, new.name, coalesce(new.trading_name, ''), new.email, coalesce(new.external_id, ''),
            new.cpf || ' ' || coalesce(new.cnpj, ''));
END;

CREATE TRIGGER customers_fts_delete AFTER DELETE ON customers BEGIN
    DELETE FROM customers_fts WHERE rowid = old.rowid;
END;

CREATE INDEX customers_by_status ON customers (status, created_at DESC);
CREATE INDEX customers_by_name ON customers (name COLLATE NOCASE, id);

-- What changed when, for the customer's timeline: status transitions and kyc item
-- outcomes seen by a sync (a customer's first sighting is its baseline, not a change).
CREATE TABLE changes (
    id          INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL,
    at          INTEGER NOT NULL,          -- epoch ms: the customer's updated_at
    kind        TEXT NOT NULL,             -- 'status' | 'kyc'
    item_type   TEXT,                      -- for 'kyc'
    old_value   TEXT,
    new_value   TEXT NOT NULL,
    message     TEXT
) STRICT;
CREATE INDEX changes_by_customer ON changes (customer_id, at);

CREATE TABLE credit_offers (
    id              TEXT PRIMARY KEY NOT NULL,
    customer_id     TEXT NOT NULL,
    status          TEXT NOT NULL,
    approved_amount TEXT NOT NULL,         -- BRL, decimal string
    interest_rate   REAL NOT NULL,         -- % a month
    expires_at      INTEGER,
    created_at      INTEGER
) STRICT;
CREATE INDEX credit_offers_by_customer ON credit_offers (customer_id);

-- Documents uploaded from this machine (so the viewer works offline), with thumbnails.
CREATE TABLE documents (
    id           TEXT PRIMARY KEY NOT NULL, -- the API's doc_… id, or the outbox key while queued
    customer_id  TEXT NOT NULL,
    item_type    TEXT NOT NULL,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT,
    uploaded_at  INTEGER,
    local_path   TEXT,                      -- the copy in the app's data dir
    thumbnail    BLOB                       -- small PNG, for images
) STRICT;
CREATE INDEX documents_by_customer ON documents (customer_id);

-- Writes waiting for the API: replayed in order, each with the idempotency key it was
-- given when it was queued, so a replay after a crash can never create twice.
CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    op              TEXT NOT NULL,          -- 'register' | 'correct' | 'upload'
    customer_id     TEXT,
    payload         TEXT NOT NULL,          -- JSON
    idempotency_key TEXT NOT NULL UNIQUE,
    file_path       TEXT,                   -- for uploads: the copy in the data dir
    state           TEXT NOT NULL,          -- 'pending' | 'sending' | 'done' | 'failed'
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,                   -- JSON ErrorView of a failure
    result          TEXT,                   -- JSON of what the API answered
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX outbox_open ON outbox (state, seq);

-- Existing rows get their search entries.
INSERT INTO customers_fts (rowid, name, trading_name, email, external_id, docs)
SELECT rowid, name, coalesce(trading_name, ''), email, coalesce(external_id, ''), cpf || ' ' || coalesce(cnpj, '')
FROM customers;

-- Customers of any provider. Until this version a cache held Dinie customers only, so
-- the rows already here are read as Dinie's: CPF and CNPJ become typed identifiers, a
-- CNPJ makes a business, and Dinie's status is placed in the neutral stage (the same
-- mapping as the Dinie connector's). Credit offers become products; drafts and queued
-- writes take the form keys of the declared forms (snake_case, nulls dropped).
DROP TRIGGER customers_fts_insert;
DROP TRIGGER customers_fts_update;
DROP TRIGGER customers_fts_delete;
DROP TRIGGER status_totals_insert;
DROP TRIGGER status_totals_update;
DROP TRIGGER status_totals_delete;
DROP TABLE customers_fts;
DROP TABLE status_totals;

CREATE TABLE customers_neutral (
    id           TEXT PRIMARY KEY NOT NULL,   -- the provider's id
    party        TEXT NOT NULL,               -- 'person' | 'business'
    name         TEXT NOT NULL,               -- as shown: full name, or given + family
    given_name   TEXT,
    family_name  TEXT,
    trading_name TEXT,
    ids          TEXT NOT NULL,               -- JSON [[kind, value], …], values in their kept form
    email        TEXT NOT NULL,
    phone        TEXT NOT NULL,
    address      TEXT,                        -- JSON object, when the provider has one
    birth_date   TEXT,                        -- YYYY-MM-DD
    external_id  TEXT,
    status       TEXT NOT NULL,               -- the provider's, verbatim
    stage        TEXT NOT NULL,               -- awaiting_customer | in_review | approved | rejected | unknown
    kyc          TEXT NOT NULL,               -- compact JSON array of kyc items
    created_at   INTEGER NOT NULL,            -- epoch milliseconds
    updated_at   INTEGER NOT NULL,
    synced_at    INTEGER NOT NULL
) STRICT;

INSERT INTO customers_neutral
SELECT id,
       CASE WHEN coalesce(cnpj, '') = '' THEN 'person' ELSE 'business' END,
       name, NULL, NULL, NULLIF(trading_name, ''),
       CASE WHEN coalesce(cnpj, '') = '' THEN json_array(json_array('cpf', cpf))
            ELSE json_array(json_array('cpf', cpf), json_array('cnpj', cnpj)) END,
       email, phone, NULL, NULL, external_id, status,
       CASE status WHEN 'pending_kyc' THEN 'awaiting_customer' WHEN 'creating' THEN 'awaiting_customer'
                   WHEN 'under_review' THEN 'in_review' WHEN 'active' THEN 'approved'
                   WHEN 'denied' THEN 'rejected' ELSE 'unknown' END,
       kyc, created_at, updated_at, synced_at
FROM customers ORDER BY rowid;

DROP TABLE customers;
ALTER TABLE customers_neutral RENAME TO customers;

CREATE INDEX customers_by_created ON customers (created_at DESC, id DESC);
CREATE INDEX customers_by_updated ON customers (updated_at DESC, id DESC);
CREATE INDEX customers_by_stage ON customers (stage, created_at DESC);
CREATE INDEX customers_by_name ON customers (name COLLATE NOCASE, id);

-- Search: `docs` holds every identifier's kept value (digits, or letters and digits),
-- so "123.456" and "123456", "A12-345" and "a12345" find by prefix; `stage` without
-- underscores (`inreview`) so a stage filter is an index intersection.
CREATE VIRTUAL TABLE customers_fts USING fts5(
    name, trading_name, email, external_id, docs, stage,
    content = '', contentless_delete = 1,
    prefix = '2 3', detail = 'column',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER customers_fts_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_fts (rowid, name, trading_name, email, external_id, docs, stage)
    VALUES (new.rowid, new.name, coalesce(new.trading_name, ''), new.email, coalesce(new.external_id, ''),
            (SELECT coalesce(group_concat(j.value ->> 1, ' '), '') FROM json_each(new.ids) j),
            replace(new.stage, '_', ''));
END;

CREATE TRIGGER customers_fts_update AFTER UPDATE OF name, trading_name, email, external_id, ids, stage ON customers BEGIN
    DELETE FROM customers_fts WHERE rowid = old.rowid;
    INSERT INTO customers_fts (rowid, name, trading_name, email, external_id, docs, stage)
    VALUES (new.rowid, new.name, coalesce(new.trading_name, ''), new.email, coalesce(new.external_id, ''),
            (SELECT coalesce(group_concat(j.value ->> 1, ' '), '') FROM json_each(new.ids) j),
            replace(new.stage, '_', ''));
END;

CREATE TRIGGER customers_fts_delete AFTER DELETE ON customers BEGIN
    DELETE FROM customers_fts WHERE rowid = old.rowid;
END;

INSERT INTO customers_fts (rowid, name, trading_name, email, external_id, docs, stage)
SELECT rowid, name, coalesce(trading_name, ''), email, coalesce(external_id, ''),
       (SELECT coalesce(group_concat(j.value ->> 1, ' '), '') FROM json_each(customers.ids) j),
       replace(stage, '_', '')
FROM customers;

-- Customers per stage, kept by triggers, for the list's total and the chips' counts.
CREATE TABLE stage_totals (
    stage TEXT PRIMARY KEY NOT NULL,
    n     INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO stage_totals (stage, n) SELECT stage, COUNT(*) FROM customers GROUP BY stage;

CREATE TRIGGER stage_totals_insert AFTER INSERT ON customers BEGIN
    INSERT INTO stage_totals (stage, n) VALUES (new.stage, 1)
    ON CONFLICT (stage) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER stage_totals_update AFTER UPDATE OF stage ON customers WHEN old.stage IS NOT new.stage BEGIN
    UPDATE stage_totals SET n = n - 1 WHERE stage = old.stage;
    INSERT INTO stage_totals (stage, n) VALUES (new.stage, 1)
    ON CONFLICT (stage) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER stage_totals_delete AFTER DELETE ON customers BEGIN
    UPDATE stage_totals SET n = n - 1 WHERE stage = old.stage;
END;

-- What comes after KYC, of every kind: credit offers, cards, wallets.
CREATE TABLE products (
    id           TEXT PRIMARY KEY NOT NULL,
    customer_id  TEXT NOT NULL,
    kind         TEXT NOT NULL,              -- credit_offer | card | wallet | …
    status       TEXT NOT NULL,              -- the provider's, verbatim
    amount       TEXT,                       -- decimal string, major units: never a float
    currency     TEXT,
    rate_percent TEXT,                       -- decimal string
    reference    TEXT,                       -- masked card number, account id
    expires_at   INTEGER,
    created_at   INTEGER
) STRICT;
CREATE INDEX products_by_customer ON products (customer_id);

-- The rate was a REAL: a whole number as one ('3'), else up to 15 significant digits
-- ('3.5'), as the connector writes rates.
INSERT INTO products (id, customer_id, kind, status, amount, currency, rate_percent, expires_at, created_at)
SELECT id, customer_id, 'credit_offer', status, approved_amount, 'BRL',
       CASE WHEN interest_rate = CAST(interest_rate AS INTEGER) THEN CAST(CAST(interest_rate AS INTEGER) AS TEXT)
            ELSE printf('%.15g', interest_rate) END,
       expires_at, created_at
FROM credit_offers;
DROP TABLE credit_offers;

-- Drafts and queued writes: the old typed forms' camelCase keys become the declared
-- forms' keys; a correction's nulls (fields left as they were) are dropped.
UPDATE meta SET value = json_remove(
        json_set(value, '$.trading_name', json_extract(value, '$.tradingName'),
                        '$.external_id', json_extract(value, '$.externalId')),
        '$.tradingName', '$.externalId')
WHERE key LIKE 'draft:%' AND json_valid(value) AND (json_type(value, '$.tradingName') IS NOT NULL OR json_type(value, '$.externalId') IS NOT NULL);

UPDATE outbox SET payload = json_object('register', json_remove(
        json_set(payload -> '$.register', '$.trading_name', json_extract(payload, '$.register.tradingName'),
                                           '$.external_id', json_extract(payload, '$.register.externalId')),
        '$.tradingName', '$.externalId'))
WHERE op = 'register' AND json_valid(payload) AND json_type(payload, '$.register') = 'object';

UPDATE outbox SET payload = json_object('correct', (
        SELECT json_group_object(CASE e.key WHEN 'tradingName' THEN 'trading_name' ELSE e.key END, e.value)
        FROM json_each(payload, '$.correct') e WHERE e.type != 'null'))
WHERE op = 'correct' AND json_valid(payload) AND json_type(payload, '$.correct') = 'object';

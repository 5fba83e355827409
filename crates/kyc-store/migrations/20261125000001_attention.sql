-- What in each customer's checklist waits on the partner (a rejected document, data to
-- correct, biometrics not started), kept beside the customer so the work queue reads
-- the oldest and the counts from an index instead of every customer's checklist.
-- Written by the store at each upsert (`Customer::attention`); here computed once for
-- the customers already cached. `kyc` is `[[kind, type, description, status, message,
-- uploaded_at, mandatory], …]`.
ALTER TABLE customers ADD COLUMN attention TEXT;
ALTER TABLE customers ADD COLUMN attention_detail TEXT;
ALTER TABLE customers ADD COLUMN attention_since INTEGER;

UPDATE customers SET (attention, attention_detail, attention_since) = (
    SELECT r, d, s FROM (
        SELECT 1 AS o, j.key AS k, 'document_rejected' AS r, j.value ->> 2 AS d,
               coalesce(j.value ->> 5, customers.updated_at) AS s
          FROM json_each(customers.kyc) j WHERE j.value ->> 3 = 'rejected' AND j.value ->> 0 = 'document'
        UNION ALL
        SELECT 2, j.key, 'correction', j.value ->> 2, coalesce(j.value ->> 5, customers.updated_at)
          FROM json_each(customers.kyc) j WHERE j.value ->> 3 = 'pending_correction'
        UNION ALL
        SELECT 3, j.key, 'biometrics', j.value ->> 2, customers.updated_at
          FROM json_each(customers.kyc) j WHERE j.value ->> 1 = 'biometrics' AND j.value ->> 3 = 'pending'
    ) ORDER BY o, k LIMIT 1
)
WHERE stage NOT IN ('approved', 'rejected');

CREATE INDEX customers_attention ON customers (attention, attention_since) WHERE attention IS NOT NULL;
-- Long reviews and approved customers without their next step, oldest first (only the
-- customers whose checklist waits on nothing: a smaller index to keep up at each write).
CREATE INDEX customers_waiting_by_stage ON customers (stage, updated_at) WHERE attention IS NULL;

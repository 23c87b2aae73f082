-- The bundled example: a small shop, built with `sqlite3 examples/shop.db < examples/shop.sql`.
-- It shows what the snapshot carries: AUTOINCREMENT keys, NUMERIC money, REAL measurements, DATETIME
-- text, JSON text, BLOBs, a foreign key, a secondary index, a table without a primary key and a quoted name.
PRAGMA journal_mode = WAL;
CREATE TABLE customers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  email VARCHAR(120) UNIQUE,
  balance REAL NOT NULL DEFAULT 0,
  created DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  prefs JSON
);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  total NUMERIC(10,2) NOT NULL CHECK (total >= 0),
  weight_kg REAL,
  placed_at DATETIME NOT NULL,
  receipt BLOB
);
CREATE INDEX orders_by_customer ON orders (customer_id, placed_at DESC);
CREATE TABLE "audit log" (at DATETIME, message TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
INSERT INTO customers (name, email, balance, created, prefs)
SELECT 'customer ' || i, 'c' || i || '@example.com', (i * 7919 % 100000) / 7.0,
       datetime('2024-01-01', '+' || i || ' hours'),
       '{"newsletter": ' || CASE WHEN i % 2 = 0 THEN 'true' ELSE 'false' END || ', "lang": "' || CASE i % 3 WHEN 0 THEN 'en' WHEN 1 THEN 'fr' ELSE 'ja' END || '"}'
FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO orders (id, customer_id, total, weight_kg, placed_at, receipt)
SELECT i, 1 + (i * 31 % 500), ((i * 1237) % 50000) / 100.0, i / 3.0, datetime('2024-02-01', '+' || (i * 17) || ' minutes'), randomblob(16)
FROM n;
INSERT INTO "audit log" VALUES ('2024-03-01 10:00:00', 'snapshot me'), ('2024-03-01 10:00:00', 'snapshot me'), (NULL, 'naïve café ☕');
UPDATE customers SET name = 'Zoë Ünicode 😀' WHERE id = 7;

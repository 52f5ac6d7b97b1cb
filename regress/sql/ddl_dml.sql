--
-- DDL and DML: tables, constraints, RETURNING and views, relayed unchanged.
--
CREATE TABLE items (
    id      integer PRIMARY KEY,
    name    text NOT NULL,
    price   numeric(10,2) CHECK (price >= 0),
    sku     text UNIQUE
);
CREATE TABLE orders (
    id      serial PRIMARY KEY,
    item_id integer NOT NULL REFERENCES items (id),
    qty     integer NOT NULL DEFAULT 1
);

INSERT INTO items VALUES (1, 'widget', 2.50, 'W-1'), (2, 'gadget', 10.00, 'G-1');
INSERT INTO items (id, name, price, sku) VALUES (3, 'gizmo', 7.25, 'Z-1') RETURNING *;
INSERT INTO orders (item_id, qty) VALUES (1, 4), (2, 1), (3, 2) RETURNING id, item_id, qty;
SELECT * FROM items ORDER BY id;

UPDATE items SET price = price * 2 WHERE id >= 2 RETURNING id, name, price;
DELETE FROM orders WHERE qty = 1 RETURNING item_id;
SELECT i.name, o.qty, i.price * o.qty AS total
  FROM orders o JOIN items i ON i.id = o.item_id ORDER BY i.name;

-- constraint violations, each with its message, detail and SQLSTATE
INSERT INTO items VALUES (1, 'duplicate', 1.00, 'D-1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO items VALUES (4, NULL, 1.00, 'N-1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO items VALUES (5, 'negative', -1.00, 'X-1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO items VALUES (6, 'copycat', 1.00, 'W-1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO orders (item_id) VALUES (99);
\echo :LAST_ERROR_SQLSTATE
DELETE FROM items WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE items SET price = 'cheap' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM items;

-- ALTER TABLE
ALTER TABLE items ADD COLUMN stock integer NOT NULL DEFAULT 0;
ALTER TABLE items RENAME COLUMN name TO title;
ALTER TABLE items ALTER COLUMN price TYPE numeric(12,3);
ALTER TABLE items DROP COLUMN sku;
ALTER TABLE items ADD CONSTRAINT stock_nonneg CHECK (stock >= 0);
UPDATE items SET stock = -1 WHERE id = 2;
SELECT * FROM items ORDER BY id;
ALTER TABLE nosuchtable ADD COLUMN x int;

-- views
CREATE VIEW order_totals AS
    SELECT i.title, sum(o.qty) AS qty, sum(o.qty * i.price) AS total
      FROM orders o JOIN items i ON i.id = o.item_id
     GROUP BY i.title;
SELECT * FROM order_totals ORDER BY title;
INSERT INTO orders (item_id, qty) VALUES (1, 6);
SELECT * FROM order_totals ORDER BY title;
CREATE OR REPLACE VIEW cheap_items AS SELECT id, title FROM items WHERE price < 10;
SELECT * FROM cheap_items ORDER BY id;
DROP TABLE items;
DROP VIEW order_totals, cheap_items;

-- drop
DROP TABLE orders, items;
DROP TABLE items;
DROP TABLE IF EXISTS items;
SELECT count(*) FROM pg_class WHERE relname IN ('items', 'orders', 'order_totals');

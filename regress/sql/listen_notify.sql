--
-- LISTEN/NOTIFY: NotificationResponse messages arrive between queries, and psql prints
-- them after the next result. The sender's pid varies: regress/run.sh replaces
-- "server process with PID <n>" with "PID N" in every transcript.
--
LISTEN events;
NOTIFY events;
NOTIFY events, 'with a payload';
SELECT pg_notify('events', 'from pg_notify');
SELECT 'after the notifications' AS status;

-- a channel nobody listens to delivers nothing
NOTIFY nobody_listens, 'lost';
SELECT 1 AS one;

-- notifications sent inside a block are delivered at COMMIT, in order, without duplicates
BEGIN;
NOTIFY events, 'first in block';
NOTIFY events, 'second in block';
NOTIFY events, 'first in block';
SELECT 'not yet delivered' AS status;
COMMIT;

-- and not at all on ROLLBACK
BEGIN;
NOTIFY events, 'rolled back';
ROLLBACK;
SELECT 'nothing delivered' AS status;

-- quoted channel names and a longer payload
LISTEN "Mixed Case";
NOTIFY "Mixed Case", 'quoted channel';
SELECT pg_notify('events', repeat('0123456789', 10)) IS NULL AS sent;
SELECT pg_listening_channels() AS channel ORDER BY 1;

UNLISTEN "Mixed Case";
UNLISTEN *;
NOTIFY events, 'after unlisten';
SELECT count(*) AS channels FROM pg_listening_channels();

-- The task list (the console's tasks page, live every few seconds, and its keyset pages; `GET /v1/tasks`) is newest
-- first, `ORDER BY opened_at DESC, id`, filtered by status or by nothing. Without these indexes every page sorts the
-- whole table; with them a page reads its rows in order from the index (the subject filter already has
-- tasks_subject).
CREATE INDEX tasks_opened ON tasks (opened_at, id);
CREATE INDEX tasks_status_opened ON tasks (status, opened_at, id);

-- Plans that do not depend on what the last ANALYZE saw of a workspace.
--
-- The status index led with workspace_id, so it could answer "workspace_id = $1" alone, and
-- the planner weighed that against the primary key whenever a statement looked jobs up
-- by id. For a workspace the last ANALYZE did not see (new, quiet then, or filled since),
-- the estimate is one row, and the status index won: a runner completing 100 jobs read
-- the workspace's whole status index, 20,000 entries for a 20,000-job backlog, per
-- request. Leading with status it still serves a workspace's jobs in one status (both
-- leading columns are given, ordered by id), and sweeps by status alone now use it too;
-- a lookup by id has only the primary key.
DROP INDEX runner_jobs_status_idx;
CREATE INDEX runner_jobs_status_idx ON runner_jobs (status, workspace_id, id);

-- The same estimate misled the primary key itself: scanned for "workspace_id = $1" alone,
-- with the list of ids as a filter, 100,000 entries for a completion of 500. Every
-- statement on runner_jobs names one workspace, and a per-workspace estimate from the last
-- ANALYZE is wrong for exactly the workspaces that grew since; without statistics for the
-- column the planner uses a fixed modest selectivity, and a list of ids is looked up as
-- ids.
ALTER TABLE runner_jobs ALTER COLUMN workspace_id SET STATISTICS 0;

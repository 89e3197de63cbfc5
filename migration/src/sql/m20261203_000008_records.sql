-- Secrets given on job create: handed only to the claiming runner, never selected by a
-- user-facing read (the job columns users see do not include it).
ALTER TABLE runner_jobs ADD COLUMN secrets jsonb;

-- The SHA-256 of each applied migration's SQL, recorded when it is applied (and, for
-- migrations applied before this table existed, by the first migrate that finds them).
-- A server refuses to start, and /readyz answers 503, when a recorded checksum differs
-- from the text it was built with, or an applied migration is unknown to it.
CREATE TABLE runyard_migration_checksums (
    version text PRIMARY KEY,
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT ON runyard_migration_checksums TO runyard_app;

-- Log lines may carry a level, the step they belong to and free-form metadata; reads
-- filter on time, minimum level and step.
ALTER TABLE job_logs
    ADD COLUMN level text CHECK (level IN ('debug', 'info', 'warn', 'error')),
    ADD COLUMN step_ordinal integer CHECK (step_ordinal >= 0),
    ADD COLUMN metadata jsonb CHECK (jsonb_typeof(metadata) = 'object');

-- Artifacts: a declared artifact that was not produced is recorded as skipped (with a
-- reason, no content); artifacts carry metadata and the step they belong to; admins may
-- delete one.
ALTER TABLE job_artifacts
    ADD COLUMN status text NOT NULL DEFAULT 'uploaded' CHECK (status IN ('uploaded', 'skipped')),
    ADD COLUMN skip_reason text CHECK (length(skip_reason) <= 1000),
    ADD COLUMN step_ordinal integer CHECK (step_ordinal >= 0),
    ADD COLUMN metadata jsonb CHECK (jsonb_typeof(metadata) = 'object');
GRANT DELETE ON job_artifacts TO runyard_app;

-- One record per approval decision: who decided what, when, with which comment, and the
-- gate step it answered (none for a job created with requires_approval).
CREATE TABLE job_approvals (
    workspace_id uuid NOT NULL,
    id           uuid NOT NULL,
    job_id       uuid NOT NULL,
    step_id      uuid,
    decision     text NOT NULL CHECK (decision IN ('approved', 'rejected')),
    decided_by   text NOT NULL,
    comment      text,
    decided_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, job_id) REFERENCES runner_jobs (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, step_id) REFERENCES job_steps (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX job_approvals_job_idx ON job_approvals (workspace_id, job_id, decided_at);
GRANT SELECT, INSERT ON job_approvals TO runyard_app;
ALTER TABLE job_approvals ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_approvals FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON job_approvals
    USING (workspace_id = (SELECT nullif(current_setting('runyard.workspace_id', true), '')::uuid))
    WITH CHECK (workspace_id = (SELECT nullif(current_setting('runyard.workspace_id', true), '')::uuid));

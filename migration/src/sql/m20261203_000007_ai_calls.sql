-- Model calls: one row per call a job made to a model, recorded by the runner holding
-- the job. The id is chosen by the client, so a resent batch is recognised. Money is
-- exact (numeric, no float anywhere). The job's type and task are copied in when the call
-- is recorded (neither changes during a job's life), so the usage roll-ups group by them
-- from one index without visiting runner_jobs.

CREATE TABLE ai_calls (
    workspace_id  uuid NOT NULL,
    id            uuid NOT NULL,
    job_id        uuid NOT NULL,
    attempt       integer NOT NULL CHECK (attempt >= 1),
    job_type      text NOT NULL,
    agent_task_id uuid,
    step_ordinal  integer CHECK (step_ordinal BETWEEN 0 AND 10000),
    provider      text NOT NULL CHECK (length(provider) BETWEEN 1 AND 100),
    model         text NOT NULL CHECK (length(model) BETWEEN 1 AND 200),
    input_tokens  bigint NOT NULL CHECK (input_tokens >= 0),
    output_tokens bigint NOT NULL CHECK (output_tokens >= 0),
    cached_tokens bigint CHECK (cached_tokens >= 0),
    cost_usd      numeric NOT NULL CHECK (cost_usd >= 0),
    latency_ms    bigint NOT NULL CHECK (latency_ms >= 0),
    status        text NOT NULL CHECK (status IN ('ok', 'error')),
    error         text,
    batch_id      text CHECK (length(batch_id) BETWEEN 1 AND 200),
    started_at    timestamptz NOT NULL,
    metadata      jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, job_id) REFERENCES runner_jobs (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, agent_task_id) REFERENCES agent_tasks (workspace_id, id)
);

-- A job's calls in the order they were made (its list and its roll-up).
CREATE INDEX ai_calls_job_idx ON ai_calls (workspace_id, job_id, started_at, id);
-- The workspace roll-up over a time range: an index-only scan carrying every column a
-- group-by or a sum needs.
CREATE INDEX ai_calls_usage_idx ON ai_calls (workspace_id, started_at)
    INCLUDE (model, provider, job_type, agent_task_id, input_tokens, output_tokens, cost_usd);
-- A task's roll-up.
CREATE INDEX ai_calls_task_idx ON ai_calls (workspace_id, agent_task_id)
    INCLUDE (input_tokens, output_tokens, cost_usd) WHERE agent_task_id IS NOT NULL;

-- Calls are records: written once, never changed by the app.
GRANT SELECT, INSERT ON ai_calls TO runyard_app;

ALTER TABLE ai_calls ENABLE ROW LEVEL SECURITY;
ALTER TABLE ai_calls FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON ai_calls
    USING (workspace_id = (SELECT nullif(current_setting('runyard.workspace_id', true), '')::uuid))
    WITH CHECK (workspace_id = (SELECT nullif(current_setting('runyard.workspace_id', true), '')::uuid));

-- The workspace stats: jobs claimed in the last hour (queue wait).
CREATE INDEX runner_jobs_started_idx ON runner_jobs (workspace_id, started_at) WHERE started_at IS NOT NULL;

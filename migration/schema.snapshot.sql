-- The schema a database migrated from scratch has, as pg_catalog describes it.
-- Generated; to update: RUNYARD_BLESS_SCHEMA=1 cargo test -p runyard-tests --test it -- schema::
column agent_tasks.workspace_id uuid NOT NULL
column agent_tasks.id uuid NOT NULL
column agent_tasks.title text NOT NULL
column agent_tasks.status text NOT NULL DEFAULT 'active'::text
column agent_tasks.last_activity_at timestamp with time zone NOT NULL DEFAULT now()
column agent_tasks.created_by text NOT NULL
column agent_tasks.created_at timestamp with time zone NOT NULL DEFAULT now()
column agent_tasks.updated_at timestamp with time zone NOT NULL DEFAULT now()
column agent_tasks.metadata jsonb NOT NULL DEFAULT '{}'::jsonb
column agent_tasks.pause_requested_at timestamp with time zone
column agent_tasks.pause_kind text
column agent_tasks.pause_reason text
column agent_tasks.paused_at timestamp with time zone
column agent_tasks.finished_at timestamp with time zone
column agent_tasks.last_event_seq bigint NOT NULL DEFAULT 0
column ai_calls.workspace_id uuid NOT NULL
column ai_calls.id uuid NOT NULL
column ai_calls.job_id uuid NOT NULL
column ai_calls.attempt integer NOT NULL
column ai_calls.job_type text NOT NULL
column ai_calls.agent_task_id uuid
column ai_calls.step_ordinal integer
column ai_calls.provider text NOT NULL
column ai_calls.model text NOT NULL
column ai_calls.input_tokens bigint NOT NULL
column ai_calls.output_tokens bigint NOT NULL
column ai_calls.cached_tokens bigint
column ai_calls.cost_usd numeric NOT NULL
column ai_calls.latency_ms bigint NOT NULL
column ai_calls.status text NOT NULL
column ai_calls.error text
column ai_calls.batch_id text
column ai_calls.started_at timestamp with time zone NOT NULL
column ai_calls.metadata jsonb
column ai_calls.created_at timestamp with time zone NOT NULL DEFAULT now()
column job_approvals.workspace_id uuid NOT NULL
column job_approvals.id uuid NOT NULL
column job_approvals.job_id uuid NOT NULL
column job_approvals.step_id uuid
column job_approvals.decision text NOT NULL
column job_approvals.decided_by text NOT NULL
column job_approvals.comment text
column job_approvals.decided_at timestamp with time zone NOT NULL DEFAULT now()
column job_artifacts.workspace_id uuid NOT NULL
column job_artifacts.id uuid NOT NULL
column job_artifacts.job_id uuid NOT NULL
column job_artifacts.name text NOT NULL
column job_artifacts.attempt integer NOT NULL
column job_artifacts.content_type text NOT NULL
column job_artifacts.size bigint NOT NULL
column job_artifacts.sha256 text NOT NULL
column job_artifacts.content bytea NOT NULL
column job_artifacts.created_at timestamp with time zone NOT NULL DEFAULT now()
column job_artifacts.status text NOT NULL DEFAULT 'uploaded'::text
column job_artifacts.skip_reason text
column job_artifacts.step_ordinal integer
column job_artifacts.metadata jsonb
column job_commands.workspace_id uuid NOT NULL
column job_commands.job_id uuid NOT NULL
column job_commands.seq bigint NOT NULL
column job_commands.type text NOT NULL
column job_commands.payload jsonb NOT NULL DEFAULT '{}'::jsonb
column job_commands.status text NOT NULL DEFAULT 'pending'::text
column job_commands.created_by text NOT NULL
column job_commands.created_at timestamp with time zone NOT NULL DEFAULT now()
column job_commands.delivered_attempt integer
column job_commands.delivered_at timestamp with time zone
column job_commands.acked_attempt integer
column job_commands.acked_at timestamp with time zone
column job_commands.result jsonb
column job_events.workspace_id uuid NOT NULL
column job_events.job_id uuid NOT NULL
column job_events.seq bigint NOT NULL
column job_events.id uuid NOT NULL
column job_events.step_id uuid
column job_events.type text NOT NULL
column job_events.actor text NOT NULL
column job_events.payload jsonb NOT NULL DEFAULT '{}'::jsonb
column job_events.created_at timestamp with time zone NOT NULL DEFAULT now()
column job_events.tx_id xid8 NOT NULL DEFAULT pg_current_xact_id()
column job_logs.workspace_id uuid NOT NULL
column job_logs.job_id uuid NOT NULL
column job_logs.seq bigint NOT NULL
column job_logs.attempt integer NOT NULL
column job_logs.stream text NOT NULL
column job_logs.body text NOT NULL
column job_logs.created_at timestamp with time zone NOT NULL DEFAULT now()
column job_logs.level text
column job_logs.step_ordinal integer
column job_logs.metadata jsonb
column job_steps.workspace_id uuid NOT NULL
column job_steps.id uuid NOT NULL
column job_steps.job_id uuid NOT NULL
column job_steps.ordinal integer NOT NULL
column job_steps.name text NOT NULL
column job_steps.phase text NOT NULL
column job_steps.type text NOT NULL
column job_steps.status text NOT NULL
column job_steps.started_at timestamp with time zone
column job_steps.completed_at timestamp with time zone
column job_steps.duration_ms bigint
column job_steps.input_tokens bigint
column job_steps.output_tokens bigint
column job_steps.cost double precision
column job_steps.output jsonb
column job_steps.created_at timestamp with time zone NOT NULL DEFAULT now()
column job_steps.updated_at timestamp with time zone NOT NULL DEFAULT now()
column job_steps.attempt integer NOT NULL
column runner_jobs.workspace_id uuid NOT NULL
column runner_jobs.id uuid NOT NULL
column runner_jobs.agent_task_id uuid
column runner_jobs.type text NOT NULL
column runner_jobs.payload jsonb NOT NULL DEFAULT '{}'::jsonb
column runner_jobs.labels text[] NOT NULL DEFAULT '{}'::text[]
column runner_jobs.priority smallint NOT NULL DEFAULT 0
column runner_jobs.status text NOT NULL
column runner_jobs.requires_approval boolean NOT NULL DEFAULT false
column runner_jobs.attempt integer NOT NULL DEFAULT 0
column runner_jobs.max_attempts integer NOT NULL DEFAULT 3
column runner_jobs.backoff_base_seconds integer NOT NULL DEFAULT 10
column runner_jobs.run_after timestamp with time zone NOT NULL DEFAULT now()
column runner_jobs.timeout_seconds integer NOT NULL DEFAULT 3600
column runner_jobs.idempotency_key text
column runner_jobs.payload_hash text
column runner_jobs.lease_runner_id uuid
column runner_jobs.lease_expires_at timestamp with time zone
column runner_jobs.cancel_requested_at timestamp with time zone
column runner_jobs.pause_requested_at timestamp with time zone
column runner_jobs.progress jsonb
column runner_jobs.result jsonb
column runner_jobs.error jsonb
column runner_jobs.last_event_seq bigint NOT NULL DEFAULT 0
column runner_jobs.created_by text NOT NULL
column runner_jobs.created_at timestamp with time zone NOT NULL DEFAULT now()
column runner_jobs.updated_at timestamp with time zone NOT NULL DEFAULT now()
column runner_jobs.started_at timestamp with time zone
column runner_jobs.finished_at timestamp with time zone
column runner_jobs.resumed_at timestamp with time zone
column runner_jobs.failure_kind text
column runner_jobs.cancelled_by text
column runner_jobs.cancel_reason text
column runner_jobs.next_poll_at timestamp with time zone
column runner_jobs.max_wait_until timestamp with time zone
column runner_jobs.suspended_state jsonb
column runner_jobs.suspensions integer NOT NULL DEFAULT 0
column runner_jobs.resume_state jsonb
column runner_jobs.secrets jsonb
column runner_jobs.traceparent text
column runner_jobs.approval_timeout_seconds integer
column runner_jobs.approval_deadline timestamp with time zone
column runners.workspace_id uuid NOT NULL
column runners.id uuid NOT NULL
column runners.name text NOT NULL
column runners.labels text[] NOT NULL DEFAULT '{}'::text[]
column runners.token_hash text NOT NULL
column runners.created_by text NOT NULL
column runners.created_at timestamp with time zone NOT NULL DEFAULT now()
column runners.last_seen_at timestamp with time zone
column runners.revoked_at timestamp with time zone
column runyard_migration_checksums.version text NOT NULL
column runyard_migration_checksums.sha256 text NOT NULL
column runyard_migration_checksums.recorded_at timestamp with time zone NOT NULL DEFAULT now()
column seaql_migrations.version character varying NOT NULL
column seaql_migrations.applied_at bigint NOT NULL
column task_events.workspace_id uuid NOT NULL
column task_events.task_id uuid NOT NULL
column task_events.seq bigint NOT NULL
column task_events.id uuid NOT NULL
column task_events.type text NOT NULL
column task_events.actor text NOT NULL
column task_events.payload jsonb NOT NULL DEFAULT '{}'::jsonb
column task_events.created_at timestamp with time zone NOT NULL DEFAULT now()
column task_events.tx_id xid8 NOT NULL DEFAULT pg_current_xact_id()
column task_snapshots.workspace_id uuid NOT NULL
column task_snapshots.task_id uuid NOT NULL
column task_snapshots.job_id uuid
column task_snapshots.kind text NOT NULL
column task_snapshots.reason text
column task_snapshots.log_snapshot jsonb NOT NULL
column task_snapshots.created_at timestamp with time zone NOT NULL DEFAULT now()
column workspace_members.workspace_id uuid NOT NULL
column workspace_members.subject text NOT NULL
column workspace_members.role text NOT NULL
column workspace_members.created_at timestamp with time zone NOT NULL DEFAULT now()
column workspaces.id uuid NOT NULL
column workspaces.slug text NOT NULL
column workspaces.name text NOT NULL
column workspaces.settings jsonb NOT NULL DEFAULT '{}'::jsonb
column workspaces.created_at timestamp with time zone NOT NULL DEFAULT now()
column workspaces.updated_at timestamp with time zone NOT NULL DEFAULT now()
table agent_tasks row level security t, forced t
table ai_calls row level security t, forced t
table job_approvals row level security t, forced t
table job_artifacts row level security t, forced t
table job_commands row level security t, forced t
table job_events row level security t, forced t
table job_logs row level security t, forced t
table job_steps row level security t, forced t
table runner_jobs row level security t, forced t
table runners row level security t, forced t
table runyard_migration_checksums row level security f, forced f
table seaql_migrations row level security f, forced f
table task_events row level security t, forced t
table task_snapshots row level security t, forced t
table workspace_members row level security t, forced t
table workspaces row level security t, forced t
constraint agent_tasks.agent_tasks_pause_kind_check CHECK ((pause_kind = ANY (ARRAY['manual'::text, 'auto'::text])))
constraint agent_tasks.agent_tasks_pkey PRIMARY KEY (workspace_id, id)
constraint agent_tasks.agent_tasks_status_check CHECK ((status = ANY (ARRAY['active'::text, 'paused'::text, 'completed'::text, 'failed'::text, 'cancelled'::text])))
constraint agent_tasks.agent_tasks_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces(id) ON DELETE CASCADE
constraint ai_calls.ai_calls_attempt_check CHECK ((attempt >= 1))
constraint ai_calls.ai_calls_batch_id_check CHECK (((length(batch_id) >= 1) AND (length(batch_id) <= 200)))
constraint ai_calls.ai_calls_cached_tokens_check CHECK ((cached_tokens >= 0))
constraint ai_calls.ai_calls_cost_usd_check CHECK ((cost_usd >= (0)::numeric))
constraint ai_calls.ai_calls_input_tokens_check CHECK ((input_tokens >= 0))
constraint ai_calls.ai_calls_latency_ms_check CHECK ((latency_ms >= 0))
constraint ai_calls.ai_calls_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text))
constraint ai_calls.ai_calls_model_check CHECK (((length(model) >= 1) AND (length(model) <= 200)))
constraint ai_calls.ai_calls_output_tokens_check CHECK ((output_tokens >= 0))
constraint ai_calls.ai_calls_pkey PRIMARY KEY (workspace_id, id)
constraint ai_calls.ai_calls_provider_check CHECK (((length(provider) >= 1) AND (length(provider) <= 100)))
constraint ai_calls.ai_calls_status_check CHECK ((status = ANY (ARRAY['ok'::text, 'error'::text])))
constraint ai_calls.ai_calls_step_ordinal_check CHECK (((step_ordinal >= 0) AND (step_ordinal <= 10000)))
constraint ai_calls.ai_calls_workspace_id_agent_task_id_fkey FOREIGN KEY (workspace_id, agent_task_id) REFERENCES agent_tasks(workspace_id, id)
constraint ai_calls.ai_calls_workspace_id_job_id_fkey FOREIGN KEY (workspace_id, job_id) REFERENCES runner_jobs(workspace_id, id) ON DELETE CASCADE
constraint job_approvals.job_approvals_decision_check CHECK ((decision = ANY (ARRAY['approved'::text, 'rejected'::text])))
constraint job_approvals.job_approvals_pkey PRIMARY KEY (workspace_id, id)
constraint job_approvals.job_approvals_workspace_id_job_id_fkey FOREIGN KEY (workspace_id, job_id) REFERENCES runner_jobs(workspace_id, id) ON DELETE CASCADE
constraint job_approvals.job_approvals_workspace_id_step_id_fkey FOREIGN KEY (workspace_id, step_id) REFERENCES job_steps(workspace_id, id) ON DELETE CASCADE
constraint job_artifacts.job_artifacts_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text))
constraint job_artifacts.job_artifacts_name_check CHECK (((length(name) >= 1) AND (length(name) <= 255)))
constraint job_artifacts.job_artifacts_name_key UNIQUE (workspace_id, job_id, name)
constraint job_artifacts.job_artifacts_pkey PRIMARY KEY (workspace_id, id)
constraint job_artifacts.job_artifacts_size_check CHECK ((size >= 0))
constraint job_artifacts.job_artifacts_skip_reason_check CHECK ((length(skip_reason) <= 1000))
constraint job_artifacts.job_artifacts_status_check CHECK ((status = ANY (ARRAY['uploaded'::text, 'skipped'::text])))
constraint job_artifacts.job_artifacts_step_ordinal_check CHECK ((step_ordinal >= 0))
constraint job_artifacts.job_artifacts_workspace_id_job_id_fkey FOREIGN KEY (workspace_id, job_id) REFERENCES runner_jobs(workspace_id, id) ON DELETE CASCADE
constraint job_commands.job_commands_pkey PRIMARY KEY (workspace_id, job_id, seq)
constraint job_commands.job_commands_seq_check CHECK ((seq >= 1))
constraint job_commands.job_commands_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'delivered'::text, 'acked'::text, 'expired'::text])))
constraint job_commands.job_commands_type_check CHECK (((length(type) >= 1) AND (length(type) <= 100)))
constraint job_commands.job_commands_workspace_id_job_id_fkey FOREIGN KEY (workspace_id, job_id) REFERENCES runner_jobs(workspace_id, id) ON DELETE CASCADE
constraint job_events.job_events_pkey PRIMARY KEY (workspace_id, job_id, seq)
constraint job_events.job_events_seq_check CHECK ((seq >= 1))
constraint job_events.job_events_workspace_id_job_id_fkey FOREIGN KEY (workspace_id, job_id) REFERENCES runner_jobs(workspace_id, id) ON DELETE CASCADE
constraint job_events.job_events_workspace_id_step_id_fkey FOREIGN KEY (workspace_id, step_id) REFERENCES job_steps(workspace_id, id) ON DELETE CASCADE
constraint job_logs.job_logs_level_check CHECK ((level = ANY (ARRAY['debug'::text, 'info'::text, 'warn'::text, 'error'::text])))
constraint job_logs.job_logs_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text))
constraint job_logs.job_logs_pkey PRIMARY KEY (workspace_id, job_id, seq)
constraint job_logs.job_logs_seq_check CHECK ((seq >= 1))
constraint job_logs.job_logs_step_ordinal_check CHECK ((step_ordinal >= 0))
constraint job_logs.job_logs_stream_check CHECK ((stream = ANY (ARRAY['stdout'::text, 'stderr'::text, 'system'::text])))
constraint job_logs.job_logs_workspace_id_job_id_fkey FOREIGN KEY (workspace_id, job_id) REFERENCES runner_jobs(workspace_id, id) ON DELETE CASCADE
constraint job_steps.job_steps_cost_check CHECK ((cost >= (0)::double precision))
constraint job_steps.job_steps_duration_ms_check CHECK ((duration_ms >= 0))
constraint job_steps.job_steps_input_tokens_check CHECK ((input_tokens >= 0))
constraint job_steps.job_steps_ordinal_check CHECK ((ordinal >= 0))
constraint job_steps.job_steps_ordinal_key UNIQUE (workspace_id, job_id, attempt, ordinal)
constraint job_steps.job_steps_output_tokens_check CHECK ((output_tokens >= 0))
constraint job_steps.job_steps_phase_check CHECK ((phase = ANY (ARRAY['SETUP'::text, 'EXECUTION'::text, 'VALIDATION'::text, 'CLEANUP'::text])))
constraint job_steps.job_steps_pkey PRIMARY KEY (workspace_id, id)
constraint job_steps.job_steps_status_check CHECK ((status = ANY (ARRAY['PENDING'::text, 'RUNNING'::text, 'WAITING'::text, 'COMPLETED'::text, 'FAILED'::text, 'SKIPPED'::text])))
constraint job_steps.job_steps_type_check CHECK ((type = ANY (ARRAY['COMMAND'::text, 'AI_ACTION'::text, 'GATE'::text, 'ARTIFACT'::text])))
constraint job_steps.job_steps_workspace_id_job_id_fkey FOREIGN KEY (workspace_id, job_id) REFERENCES runner_jobs(workspace_id, id) ON DELETE CASCADE
constraint runner_jobs.runner_jobs_agent_task_fkey FOREIGN KEY (workspace_id, agent_task_id) REFERENCES agent_tasks(workspace_id, id)
constraint runner_jobs.runner_jobs_approval_timeout_seconds_check CHECK (((approval_timeout_seconds >= 1) AND (approval_timeout_seconds <= 2592000)))
constraint runner_jobs.runner_jobs_attempt_check CHECK ((attempt >= 0))
constraint runner_jobs.runner_jobs_backoff_base_seconds_check CHECK ((backoff_base_seconds >= 0))
constraint runner_jobs.runner_jobs_failure_kind_check CHECK ((failure_kind = ANY (ARRAY['error'::text, 'timeout'::text, 'lease_expired'::text, 'max_attempts'::text, 'cancelled'::text, 'rejected'::text, 'suspend_timeout'::text, 'approval_timeout'::text])))
constraint runner_jobs.runner_jobs_lease_runner_fkey FOREIGN KEY (workspace_id, lease_runner_id) REFERENCES runners(workspace_id, id)
constraint runner_jobs.runner_jobs_max_attempts_check CHECK (((max_attempts >= 1) AND (max_attempts <= 100)))
constraint runner_jobs.runner_jobs_pkey PRIMARY KEY (workspace_id, id)
constraint runner_jobs.runner_jobs_priority_check CHECK (((priority >= '-100'::integer) AND (priority <= 100)))
constraint runner_jobs.runner_jobs_status_check CHECK ((status = ANY (ARRAY['PENDING'::text, 'QUEUED'::text, 'RUNNING'::text, 'PAUSED'::text, 'SUSPENDED'::text, 'COMPLETED'::text, 'FAILED'::text, 'CANCELLED'::text])))
constraint runner_jobs.runner_jobs_suspensions_check CHECK ((suspensions >= 0))
constraint runner_jobs.runner_jobs_timeout_seconds_check CHECK ((timeout_seconds > 0))
constraint runner_jobs.runner_jobs_traceparent_format CHECK ((traceparent ~ '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$'::text))
constraint runner_jobs.runner_jobs_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces(id) ON DELETE CASCADE
constraint runners.runners_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200)))
constraint runners.runners_pkey PRIMARY KEY (workspace_id, id)
constraint runners.runners_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces(id) ON DELETE CASCADE
constraint runyard_migration_checksums.runyard_migration_checksums_pkey PRIMARY KEY (version)
constraint runyard_migration_checksums.runyard_migration_checksums_sha256_check CHECK ((sha256 ~ '^[0-9a-f]{64}$'::text))
constraint seaql_migrations.seaql_migrations_pkey PRIMARY KEY (version)
constraint task_events.task_events_pkey PRIMARY KEY (workspace_id, task_id, seq)
constraint task_events.task_events_seq_check CHECK ((seq >= 1))
constraint task_events.task_events_workspace_id_task_id_fkey FOREIGN KEY (workspace_id, task_id) REFERENCES agent_tasks(workspace_id, id) ON DELETE CASCADE
constraint task_snapshots.task_snapshots_kind_check CHECK ((kind = ANY (ARRAY['manual'::text, 'auto'::text])))
constraint task_snapshots.task_snapshots_pkey PRIMARY KEY (workspace_id, task_id)
constraint task_snapshots.task_snapshots_workspace_id_job_id_fkey FOREIGN KEY (workspace_id, job_id) REFERENCES runner_jobs(workspace_id, id) ON DELETE SET NULL (job_id)
constraint task_snapshots.task_snapshots_workspace_id_task_id_fkey FOREIGN KEY (workspace_id, task_id) REFERENCES agent_tasks(workspace_id, id) ON DELETE CASCADE
constraint workspace_members.workspace_members_pkey PRIMARY KEY (workspace_id, subject)
constraint workspace_members.workspace_members_role_check CHECK ((role = ANY (ARRAY['owner'::text, 'admin'::text, 'member'::text, 'viewer'::text])))
constraint workspace_members.workspace_members_subject_check CHECK (((length(subject) >= 1) AND (length(subject) <= 255)))
constraint workspace_members.workspace_members_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces(id) ON DELETE CASCADE
constraint workspaces.workspaces_pkey PRIMARY KEY (id)
constraint workspaces.workspaces_slug_key UNIQUE (slug)
CREATE INDEX agent_tasks_idle_idx ON public.agent_tasks USING btree (last_activity_at) WHERE ((status = 'active'::text) AND (pause_requested_at IS NULL))
CREATE INDEX agent_tasks_pausing_idx ON public.agent_tasks USING btree (pause_requested_at) WHERE (pause_requested_at IS NOT NULL)
CREATE UNIQUE INDEX agent_tasks_pkey ON public.agent_tasks USING btree (workspace_id, id)
CREATE INDEX agent_tasks_status_idx ON public.agent_tasks USING btree (workspace_id, status, id)
CREATE INDEX ai_calls_job_idx ON public.ai_calls USING btree (workspace_id, job_id, started_at, id)
CREATE UNIQUE INDEX ai_calls_pkey ON public.ai_calls USING btree (workspace_id, id)
CREATE INDEX ai_calls_task_idx ON public.ai_calls USING btree (workspace_id, agent_task_id) INCLUDE (input_tokens, output_tokens, cost_usd) WHERE (agent_task_id IS NOT NULL)
CREATE INDEX ai_calls_usage_idx ON public.ai_calls USING btree (workspace_id, started_at) INCLUDE (model, provider, job_type, agent_task_id, input_tokens, output_tokens, cost_usd)
CREATE INDEX job_approvals_job_idx ON public.job_approvals USING btree (workspace_id, job_id, decided_at)
CREATE UNIQUE INDEX job_approvals_pkey ON public.job_approvals USING btree (workspace_id, id)
CREATE UNIQUE INDEX job_artifacts_name_key ON public.job_artifacts USING btree (workspace_id, job_id, name)
CREATE UNIQUE INDEX job_artifacts_pkey ON public.job_artifacts USING btree (workspace_id, id)
CREATE UNIQUE INDEX job_commands_pkey ON public.job_commands USING btree (workspace_id, job_id, seq)
CREATE INDEX job_events_feed_idx ON public.job_events USING btree (workspace_id, tx_id)
CREATE UNIQUE INDEX job_events_pkey ON public.job_events USING btree (workspace_id, job_id, seq)
CREATE UNIQUE INDEX job_logs_pkey ON public.job_logs USING btree (workspace_id, job_id, seq)
CREATE UNIQUE INDEX job_steps_ordinal_key ON public.job_steps USING btree (workspace_id, job_id, attempt, ordinal)
CREATE UNIQUE INDEX job_steps_pkey ON public.job_steps USING btree (workspace_id, id)
CREATE INDEX runner_jobs_approval_deadline_idx ON public.runner_jobs USING btree (approval_deadline) WHERE (approval_deadline IS NOT NULL)
CREATE INDEX runner_jobs_approval_idx ON public.runner_jobs USING btree (workspace_id, id) WHERE ((status = 'PENDING'::text) AND requires_approval)
CREATE INDEX runner_jobs_claim_idx ON public.runner_jobs USING btree (workspace_id, priority DESC, run_after, id) WHERE (status = 'QUEUED'::text)
CREATE INDEX runner_jobs_due_idx ON public.runner_jobs USING btree (run_after) WHERE ((status = 'PENDING'::text) AND (NOT requires_approval))
CREATE INDEX runner_jobs_failure_kind_idx ON public.runner_jobs USING btree (workspace_id, failure_kind, id) WHERE (failure_kind IS NOT NULL)
CREATE INDEX runner_jobs_finished_idx ON public.runner_jobs USING btree (workspace_id, finished_at) WHERE (status = ANY (ARRAY['COMPLETED'::text, 'FAILED'::text, 'CANCELLED'::text]))
CREATE INDEX runner_jobs_held_idx ON public.runner_jobs USING btree (status, requires_approval) WHERE ((status = 'PAUSED'::text) OR ((status = 'PENDING'::text) AND requires_approval))
CREATE UNIQUE INDEX runner_jobs_idempotency_key ON public.runner_jobs USING btree (workspace_id, idempotency_key) WHERE (idempotency_key IS NOT NULL)
CREATE INDEX runner_jobs_lease_idx ON public.runner_jobs USING btree (lease_expires_at) WHERE (status = 'RUNNING'::text)
CREATE UNIQUE INDEX runner_jobs_pkey ON public.runner_jobs USING btree (workspace_id, id)
CREATE INDEX runner_jobs_started_idx ON public.runner_jobs USING btree (workspace_id, started_at) WHERE (started_at IS NOT NULL)
CREATE INDEX runner_jobs_status_idx ON public.runner_jobs USING btree (status, workspace_id, id)
CREATE INDEX runner_jobs_suspended_idx ON public.runner_jobs USING btree (LEAST(next_poll_at, max_wait_until)) WHERE (status = 'SUSPENDED'::text)
CREATE INDEX runner_jobs_task_idx ON public.runner_jobs USING btree (workspace_id, agent_task_id, id) WHERE (agent_task_id IS NOT NULL)
CREATE UNIQUE INDEX runners_pkey ON public.runners USING btree (workspace_id, id)
CREATE UNIQUE INDEX runyard_migration_checksums_pkey ON public.runyard_migration_checksums USING btree (version)
CREATE UNIQUE INDEX seaql_migrations_pkey ON public.seaql_migrations USING btree (version)
CREATE INDEX task_events_feed_idx ON public.task_events USING btree (workspace_id, tx_id)
CREATE UNIQUE INDEX task_events_pkey ON public.task_events USING btree (workspace_id, task_id, seq)
CREATE UNIQUE INDEX task_snapshots_pkey ON public.task_snapshots USING btree (workspace_id, task_id)
CREATE UNIQUE INDEX workspace_members_pkey ON public.workspace_members USING btree (workspace_id, subject)
CREATE INDEX workspace_members_subject_idx ON public.workspace_members USING btree (subject)
CREATE UNIQUE INDEX workspaces_pkey ON public.workspaces USING btree (id)
CREATE UNIQUE INDEX workspaces_slug_key ON public.workspaces USING btree (slug)
policy sweeper on agent_tasks for ALL to {runyard_owner} using (true) with check (true)
policy workspace_isolation on agent_tasks for ALL to {public} using ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif"))) with check ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif")))
policy workspace_isolation on ai_calls for ALL to {public} using ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif"))) with check ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif")))
policy workspace_isolation on job_approvals for ALL to {public} using ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif"))) with check ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif")))
policy workspace_isolation on job_artifacts for ALL to {public} using ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif"))) with check ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif")))
policy workspace_isolation on job_commands for ALL to {public} using ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif"))) with check ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif")))
policy sweeper on job_events for ALL to {runyard_owner} using (true) with check (true)
policy workspace_isolation on job_events for ALL to {public} using ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif"))) with check ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif")))
policy sweeper on job_logs for ALL to {runyard_owner} using (true) with check (true)
policy workspace_isolation on job_logs for ALL to {public} using ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif"))) with check ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif")))
policy workspace_isolation on job_steps for ALL to {public} using ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif"))) with check ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif")))
policy sweeper on runner_jobs for ALL to {runyard_owner} using (true) with check (true)
policy workspace_isolation on runner_jobs for ALL to {public} using ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif"))) with check ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif")))
policy workspace_isolation on runners for ALL to {public} using ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif"))) with check ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif")))
policy sweeper on task_events for ALL to {runyard_owner} using (true) with check (true)
policy workspace_isolation on task_events for ALL to {public} using ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif"))) with check ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif")))
policy workspace_isolation on task_snapshots for ALL to {public} using ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif"))) with check ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif")))
policy own_memberships on workspace_members for SELECT to {public} using ((subject = ( SELECT NULLIF(current_setting('runyard.subject'::text, true), ''::text) AS "nullif"))) with check ()
policy workspace_isolation on workspace_members for ALL to {public} using ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif"))) with check ((workspace_id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif")))
policy member_workspaces on workspaces for SELECT to {public} using ((EXISTS ( SELECT 1
   FROM workspace_members m
  WHERE ((m.workspace_id = workspaces.id) AND (m.subject = ( SELECT NULLIF(current_setting('runyard.subject'::text, true), ''::text) AS "nullif")))))) with check ()
policy sweeper on workspaces for ALL to {runyard_owner} using (true) with check (true)
policy workspace_isolation on workspaces for ALL to {public} using ((id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif"))) with check ((id = ( SELECT (NULLIF(current_setting('runyard.workspace_id'::text, true), ''::text))::uuid AS "nullif")))
CREATE TRIGGER job_commands_notify AFTER INSERT ON public.job_commands REFERENCING NEW TABLE AS new_commands FOR EACH STATEMENT EXECUTE FUNCTION runyard_notify_commands()
CREATE TRIGGER job_logs_notify AFTER INSERT ON public.job_logs REFERENCING NEW TABLE AS new_logs FOR EACH STATEMENT EXECUTE FUNCTION runyard_notify_logs()
-- owner runyard_owner, grants {runyard_owner=X/runyard_owner,runyard_app=X/runyard_owner}
CREATE OR REPLACE FUNCTION public.runyard_apply_retention(p_limit integer)
 RETURNS bigint
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE
    v_deleted bigint;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('runyard_retention')) THEN
        RETURN 0;
    END IF;
    WITH doomed AS (
        SELECT d.workspace_id, d.id
          FROM workspaces w
          CROSS JOIN LATERAL (
              SELECT j.workspace_id, j.id FROM runner_jobs j
               WHERE j.workspace_id = w.id
                 AND j.status IN ('COMPLETED', 'FAILED', 'CANCELLED')
                 AND j.finished_at < now() - make_interval(days => (w.settings ->> 'retention_days')::int)
               ORDER BY j.finished_at
               LIMIT p_limit
          ) d
         WHERE jsonb_typeof(w.settings -> 'retention_days') = 'number'
         LIMIT p_limit
    )
    DELETE FROM runner_jobs r USING doomed d WHERE r.workspace_id = d.workspace_id AND r.id = d.id;
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
    RETURN v_deleted;
END
$function$
-- owner runyard_owner, grants {runyard_owner=X/runyard_owner,runyard_app=X/runyard_owner}
CREATE OR REPLACE FUNCTION public.runyard_claimable(p_workspace uuid, p_labels text[], p_limit integer)
 RETURNS TABLE(id uuid, handed jsonb)
 LANGUAGE sql
 ROWS 100
 SET enable_sort TO 'off'
 SET enable_bitmapscan TO 'off'
 SET enable_seqscan TO 'off'
AS $function$
    SELECT j.id, CASE WHEN j.resumed_at IS NOT NULL THEN j.resume_state END
      FROM runner_jobs j
     WHERE j.workspace_id = p_workspace AND j.status = 'QUEUED' AND j.labels <@ p_labels
     ORDER BY j.priority DESC, j.run_after, j.id
     LIMIT p_limit
       FOR UPDATE SKIP LOCKED
$function$
-- owner runyard_owner, grants {runyard_owner=X/runyard_owner,runyard_app=X/runyard_owner}
CREATE OR REPLACE FUNCTION public.runyard_due_jobs(p_limit integer)
 RETURNS TABLE(due_workspace uuid, due_job uuid)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('runyard_promoter')) THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT j.workspace_id, j.id FROM runner_jobs j
     WHERE j.status = 'PENDING' AND NOT j.requires_approval AND j.run_after <= now()
     ORDER BY j.run_after
     LIMIT p_limit
       FOR UPDATE SKIP LOCKED;
END
$function$
-- owner runyard_owner, grants {runyard_owner=X/runyard_owner,runyard_app=X/runyard_owner}
CREATE OR REPLACE FUNCTION public.runyard_due_suspended(p_limit integer)
 RETURNS TABLE(polled_workspace uuid, polled_job uuid, polled_timed_out boolean)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('runyard_promoter')) THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT j.workspace_id, j.id, coalesce(j.max_wait_until <= now(), false)
      FROM runner_jobs j
     WHERE j.status = 'SUSPENDED' AND least(j.next_poll_at, j.max_wait_until) <= now()
     ORDER BY least(j.next_poll_at, j.max_wait_until)
     LIMIT p_limit
       FOR UPDATE SKIP LOCKED;
END
$function$
-- owner runyard_owner, grants {runyard_owner=X/runyard_owner,runyard_app=X/runyard_owner}
CREATE OR REPLACE FUNCTION public.runyard_enter_runner(p_workspace uuid, p_runner uuid, p_token_hash text)
 RETURNS TABLE(runner_labels text[], workspace_settings jsonb)
 LANGUAGE plpgsql
AS $function$
DECLARE
    v_seen timestamptz;
BEGIN
    PERFORM set_config('runyard.workspace_id', p_workspace::text, true);
    PERFORM set_config('runyard.actor', 'runner:' || p_runner::text, true);
    SELECT r.labels, r.last_seen_at, w.settings INTO runner_labels, v_seen, workspace_settings
      FROM runners r
      JOIN workspaces w ON w.id = r.workspace_id
     WHERE r.workspace_id = p_workspace AND r.id = p_runner
       AND r.token_hash = p_token_hash AND r.revoked_at IS NULL;
    IF NOT FOUND THEN
        PERFORM set_config('runyard.workspace_id', '', true);
        RETURN;
    END IF;
    IF v_seen IS NULL OR v_seen < now() - interval '5 seconds' THEN
        UPDATE runners SET last_seen_at = now() WHERE workspace_id = p_workspace AND id = p_runner;
    END IF;
    RETURN NEXT;
END
$function$
-- owner runyard_owner, grants {runyard_owner=X/runyard_owner,runyard_app=X/runyard_owner}
CREATE OR REPLACE FUNCTION public.runyard_enter_workspace(p_subject text, p_actor text, p_id uuid, p_slug text)
 RETURNS TABLE(entered_id uuid, entered_role text, entered_settings jsonb)
 LANGUAGE plpgsql
AS $function$
BEGIN
    PERFORM set_config('runyard.subject', p_subject, true);
    PERFORM set_config('runyard.actor', p_actor, true);
    SELECT m.workspace_id, m.role, w.settings INTO entered_id, entered_role, entered_settings
      FROM workspace_members m
      JOIN workspaces w ON w.id = m.workspace_id
     WHERE m.subject = p_subject
       AND ((p_id IS NOT NULL AND w.id = p_id) OR (p_id IS NULL AND w.slug = p_slug));
    IF entered_id IS NULL THEN
        RETURN;
    END IF;
    PERFORM set_config('runyard.workspace_id', entered_id::text, true);
    RETURN NEXT;
END
$function$
-- owner runyard_owner, grants {runyard_owner=X/runyard_owner,runyard_app=X/runyard_owner}
CREATE OR REPLACE FUNCTION public.runyard_expired_leases(p_limit integer, p_pause_grace double precision)
 RETURNS TABLE(lease_workspace uuid, lease_job uuid, lease_runner uuid, lease_attempt integer, lease_max_attempts integer, lease_backoff_seconds integer, lease_cancel_requested boolean, lease_pause_requested boolean, lease_why text, lease_pause_kind text)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('runyard_reaper')) THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT j.workspace_id, j.id, j.lease_runner_id, j.attempt, j.max_attempts + j.suspensions,
           j.backoff_base_seconds, j.cancel_requested_at IS NOT NULL,
           j.pause_requested_at IS NOT NULL,
           CASE WHEN j.lease_expires_at <= now() THEN 'lease_expired'
                WHEN j.pause_requested_at IS NOT NULL
                     AND j.pause_requested_at + make_interval(secs => p_pause_grace) <= now()
                     THEN 'pause_timed_out'
                ELSE 'timed_out' END,
           (SELECT t.pause_kind FROM agent_tasks t
             WHERE t.workspace_id = j.workspace_id AND t.id = j.agent_task_id)
      FROM runner_jobs j
     WHERE j.status = 'RUNNING'
       AND (j.lease_expires_at <= now()
            OR j.started_at + make_interval(secs => j.timeout_seconds) <= now()
            OR j.pause_requested_at + make_interval(secs => p_pause_grace) <= now())
     ORDER BY j.lease_expires_at
     LIMIT p_limit
       FOR UPDATE OF j SKIP LOCKED;
END
$function$
-- owner runyard_owner, grants {runyard_owner=X/runyard_owner,runyard_app=X/runyard_owner}
CREATE OR REPLACE FUNCTION public.runyard_idle_tasks(p_limit integer)
 RETURNS TABLE(idle_workspace uuid, idle_task uuid)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    SELECT t.workspace_id, t.id
      FROM agent_tasks t
      JOIN workspaces w ON w.id = t.workspace_id
      CROSS JOIN LATERAL (
          SELECT now() - make_interval(secs => (w.settings ->> 'auto_pause_after_seconds')::float8) AS cutoff
      ) c
     WHERE t.status = 'active' AND t.pause_requested_at IS NULL
       AND jsonb_typeof(w.settings -> 'auto_pause_after_seconds') = 'number'
       AND t.last_activity_at < c.cutoff
       AND NOT EXISTS (
           SELECT 1 FROM runner_jobs j
            WHERE j.workspace_id = t.workspace_id AND j.agent_task_id = t.id
              AND (EXISTS (SELECT 1 FROM job_events e
                               WHERE e.workspace_id = j.workspace_id AND e.job_id = j.id
                                 AND e.seq = j.last_event_seq AND e.created_at >= c.cutoff)
                   OR EXISTS (SELECT 1 FROM (SELECT l.created_at FROM job_logs l
                                              WHERE l.workspace_id = j.workspace_id AND l.job_id = j.id
                                              ORDER BY l.seq DESC LIMIT 1) last_log
                               WHERE last_log.created_at >= c.cutoff)))
     ORDER BY t.last_activity_at
     LIMIT p_limit
$function$
-- owner runyard_owner, grants {runyard_owner=X/runyard_owner,runyard_app=X/runyard_owner}
CREATE OR REPLACE FUNCTION public.runyard_next_due()
 RETURNS timestamp with time zone
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    SELECT least(
        (SELECT min(run_after) FROM runner_jobs WHERE status = 'PENDING' AND NOT requires_approval),
        (SELECT min(least(next_poll_at, max_wait_until)) FROM runner_jobs WHERE status = 'SUSPENDED'))
$function$
-- owner runyard_owner, grants default
CREATE OR REPLACE FUNCTION public.runyard_notify_commands()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    PERFORM pg_notify('runyard_commands', j::text)
       FROM (SELECT DISTINCT job_id AS j FROM new_commands) c;
    RETURN NULL;
END
$function$
-- owner runyard_owner, grants default
CREATE OR REPLACE FUNCTION public.runyard_notify_logs()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    PERFORM pg_notify('runyard_logs', j::text) FROM (SELECT DISTINCT job_id AS j FROM new_logs) l;
    RETURN NULL;
END
$function$
-- owner runyard_owner, grants {runyard_owner=X/runyard_owner,runyard_app=X/runyard_owner}
CREATE OR REPLACE FUNCTION public.runyard_overdue_approvals(p_limit integer)
 RETURNS TABLE(overdue_workspace uuid, overdue_job uuid)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    SELECT j.workspace_id, j.id
      FROM runner_jobs j
     WHERE j.approval_deadline IS NOT NULL AND j.approval_deadline <= now()
       AND j.status = 'PENDING' AND j.requires_approval
     ORDER BY j.approval_deadline
     LIMIT p_limit
$function$
-- owner runyard_owner, grants {runyard_owner=X/runyard_owner,runyard_app=X/runyard_owner}
CREATE OR REPLACE FUNCTION public.runyard_queue_stats()
 RETURNS TABLE(stat_status text, stat_jobs bigint, stat_oldest_run_after timestamp with time zone)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    SELECT 'PENDING',
           (SELECT count(*) FROM runner_jobs WHERE status = 'PENDING' AND NOT requires_approval)
         + (SELECT count(*) FROM runner_jobs WHERE status = 'PENDING' AND requires_approval),
           NULL::timestamptz
    UNION ALL
    SELECT 'QUEUED', count(*), min(run_after) FROM runner_jobs WHERE status = 'QUEUED'
    UNION ALL
    SELECT 'RUNNING', count(*), NULL FROM runner_jobs WHERE status = 'RUNNING'
    UNION ALL
    SELECT 'PAUSED', count(*), NULL FROM runner_jobs WHERE status = 'PAUSED'
$function$
-- owner runyard_owner, grants {runyard_owner=X/runyard_owner,runyard_app=X/runyard_owner}
CREATE OR REPLACE FUNCTION public.runyard_settle_all_pauses()
 RETURNS TABLE(settled_workspace uuid, settled_task uuid)
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    SELECT * FROM runyard_settle_pauses(NULL, NULL)
$function$
-- owner runyard_owner, grants {runyard_owner=X/runyard_owner,runyard_app=X/runyard_owner}
CREATE OR REPLACE FUNCTION public.runyard_settle_pauses(p_workspace uuid, p_task uuid)
 RETURNS TABLE(settled_workspace uuid, settled_task uuid)
 LANGUAGE sql
AS $function$
    WITH t AS (
        UPDATE agent_tasks t
           SET status = 'paused', paused_at = now(), pause_requested_at = NULL,
               last_event_seq = t.last_event_seq + 1, updated_at = now()
         WHERE t.status = 'active' AND t.pause_requested_at IS NOT NULL
           AND (p_workspace IS NULL OR (t.workspace_id = p_workspace AND t.id = p_task))
           AND NOT EXISTS (SELECT 1 FROM runner_jobs j
                            WHERE j.workspace_id = t.workspace_id AND j.agent_task_id = t.id
                              AND j.status = 'RUNNING')
        RETURNING t.workspace_id, t.id, t.last_event_seq, t.pause_kind, t.pause_reason
    ), e AS (
        INSERT INTO task_events (workspace_id, task_id, seq, id, type, actor, payload)
        SELECT workspace_id, id, last_event_seq, gen_random_uuid(),
               'task_' || coalesce(pause_kind, 'manual') || '_pause',
               coalesce(nullif(current_setting('runyard.actor', true), ''), 'system'),
               jsonb_build_object('status', 'paused', 'reason', pause_reason, 'kind', pause_kind)
          FROM t
    )
    SELECT workspace_id, id FROM t
$function$
grants on agent_tasks: {runyard_owner=arwdDxt/runyard_owner,runyard_app=arw/runyard_owner}
grants on ai_calls: {runyard_owner=arwdDxt/runyard_owner,runyard_app=ar/runyard_owner}
grants on job_approvals: {runyard_owner=arwdDxt/runyard_owner,runyard_app=ar/runyard_owner}
grants on job_artifacts: {runyard_owner=arwdDxt/runyard_owner,runyard_app=arwd/runyard_owner}
grants on job_commands: {runyard_owner=arwdDxt/runyard_owner,runyard_app=arw/runyard_owner}
grants on job_events: {runyard_owner=arwdDxt/runyard_owner,runyard_app=ar/runyard_owner}
grants on job_logs: {runyard_owner=arwdDxt/runyard_owner,runyard_app=ar/runyard_owner}
grants on job_steps: {runyard_owner=arwdDxt/runyard_owner,runyard_app=arw/runyard_owner}
grants on runner_jobs: {runyard_owner=arwdDxt/runyard_owner,runyard_app=arw/runyard_owner}
grants on runners: {runyard_owner=arwdDxt/runyard_owner,runyard_app=arw/runyard_owner}
grants on runyard_migration_checksums: {runyard_owner=arwdDxt/runyard_owner,runyard_app=r/runyard_owner}
grants on seaql_migrations: {runyard_owner=arwdDxt/runyard_owner,runyard_app=r/runyard_owner}
grants on task_events: {runyard_owner=arwdDxt/runyard_owner,runyard_app=ar/runyard_owner}
grants on task_snapshots: {runyard_owner=arwdDxt/runyard_owner,runyard_app=arw/runyard_owner}
grants on workspace_members: {runyard_owner=arwdDxt/runyard_owner,runyard_app=arwd/runyard_owner}
grants on workspaces: {runyard_owner=arwdDxt/runyard_owner,runyard_app=arw/runyard_owner}

//! Model calls and what they add up to: a job's calls, the usage of a job, a task and a
//! workspace, and the workspace's queue figures.
//!
//! Which source counts: a job's model calls when it has any, else the tokens and cost its
//! steps reported. Steps of a job with calls are not added, so a runner that reports both
//! is not counted twice. Money is summed as `numeric` and handed up as its decimal text.

use runyard_domain::{JobStatus, UsageGroupBy};
use sea_orm::FromQueryResult;
use uuid::Uuid;

use crate::{StoreError, Timestamp, WorkspaceTx};

/// One recorded model call.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct AiCallRecord {
    pub id: Uuid,
    pub job_id: Uuid,
    pub attempt: i32,
    pub step_ordinal: Option<i32>,
    pub provider: String,
    pub model: String,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cached_tokens: Option<i64>,
    /// Decimal text, as stored.
    pub cost_usd: String,
    pub latency_ms: i64,
    pub status: String,
    pub error: Option<String>,
    pub batch_id: Option<String>,
    pub started_at: Timestamp,
    pub metadata: Option<serde_json::Value>,
    pub created_at: Timestamp,
}

/// Totals of a job, a task, a group or a workspace.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct UsageTotals {
    pub ai_calls: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    /// Decimal text.
    pub cost_usd: String,
}

/// One group of the workspace roll-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageGroup {
    /// The group's value; none for calls of no task (`group_by=task`).
    pub group: Option<String>,
    /// The value of the second key, when grouped by two.
    pub subgroup: Option<String>,
    pub totals: UsageTotals,
}

/// Where a page of a job's calls starts: after this call (by start time, then id).
pub type AiCallKey = (Timestamp, Uuid);

/// A page of a job's model calls in the order they started.
pub async fn ai_calls(
    tx: &WorkspaceTx,
    job_id: Uuid,
    after: Option<AiCallKey>,
    limit: u64,
) -> Result<(Vec<AiCallRecord>, Option<AiCallKey>), StoreError> {
    let mut rows: Vec<AiCallRecord> = tx
        .all(
            "SELECT id, job_id, attempt, step_ordinal, provider, model, input_tokens, output_tokens, \
                    cached_tokens, cost_usd::text AS cost_usd, latency_ms, status, error, batch_id, \
                    started_at, metadata, created_at \
               FROM ai_calls \
              WHERE workspace_id = $1 AND job_id = $2 \
                AND ($3::timestamptz IS NULL OR (started_at, id) > ($3, $4)) \
              ORDER BY started_at, id LIMIT $5",
            [
                tx.workspace_id().into(),
                job_id.into(),
                after.map(|a| a.0).into(),
                after.map(|a| a.1).into(),
                ((limit + 1) as i64).into(),
            ],
        )
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(|c| (c.started_at, c.id))
    } else {
        None
    };
    Ok((rows, next))
}

/// The per-job rule over the calls (`a`) and steps (`s`) the two conditions select:
/// a job's calls where it has any, else its steps.
fn rollup_sql(calls_where: &str, steps_where: &str) -> String {
    format!(
        "WITH calls AS ( \
             SELECT a.job_id, count(*) AS n, sum(a.input_tokens) AS i, sum(a.output_tokens) AS o, \
                    sum(a.cost_usd) AS c \
               FROM ai_calls a WHERE a.workspace_id = $1 AND {calls_where} GROUP BY a.job_id), \
         steps AS ( \
             SELECT 0::bigint AS n, s.input_tokens AS i, s.output_tokens AS o, s.cost::numeric AS c \
               FROM job_steps s \
              WHERE s.workspace_id = $1 AND {steps_where} \
                AND NOT EXISTS (SELECT 1 FROM calls WHERE calls.job_id = s.job_id)) \
         SELECT coalesce(sum(n), 0)::bigint AS ai_calls, coalesce(sum(i), 0)::bigint AS input_tokens, \
                coalesce(sum(o), 0)::bigint AS output_tokens, coalesce(sum(c), 0)::text AS cost_usd \
           FROM (SELECT n, i, o, c FROM calls UNION ALL SELECT n, i, o, c FROM steps) u"
    )
}

/// A job's usage.
pub async fn job_usage(tx: &WorkspaceTx, job_id: Uuid) -> Result<UsageTotals, StoreError> {
    tx.one(
        &rollup_sql("a.job_id = $2", "s.job_id = $2"),
        [tx.workspace_id().into(), job_id.into()],
    )
    .await?
    .ok_or(StoreError::NotFound)
}

/// The usage of all of a task's jobs.
pub async fn task_usage(tx: &WorkspaceTx, task_id: Uuid) -> Result<UsageTotals, StoreError> {
    tx.one(
        &rollup_sql(
            "a.agent_task_id = $2",
            "s.job_id IN (SELECT id FROM runner_jobs WHERE workspace_id = $1 AND agent_task_id = $2)",
        ),
        [tx.workspace_id().into(), task_id.into()],
    )
    .await?
    .ok_or(StoreError::NotFound)
}

/// The most groups the workspace roll-up returns (the costliest first).
pub const MAX_GROUPS: u64 = 1000;

/// What model and provider are called for usage that only steps reported.
pub const STEP_REPORTED: &str = "(step-reported)";

/// The SQL of a group key, over calls (`a`) and over steps (`s`, their job `j`).
fn group_key(group_by: UsageGroupBy) -> (&'static str, String) {
    match group_by {
        UsageGroupBy::Model => ("a.model", format!("'{STEP_REPORTED}'::text")),
        UsageGroupBy::Provider => ("a.provider", format!("'{STEP_REPORTED}'::text")),
        UsageGroupBy::JobType => ("a.job_type", "j.type".to_owned()),
        UsageGroupBy::Task => ("a.agent_task_id::text", "j.agent_task_id::text".to_owned()),
        UsageGroupBy::Day => (
            "to_char(a.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
            "to_char(coalesce(s.started_at, s.created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
                .to_owned(),
        ),
    }
}

/// The workspace's usage from `from` (inclusive) to `to` (exclusive), by `group_by` and
/// then, if given, by `then_by` within each group, the costliest group first. Calls count
/// by when they started; step-reported usage by when its step started (or was first
/// reported).
pub async fn workspace_usage(
    tx: &WorkspaceTx,
    from: Timestamp,
    to: Timestamp,
    group_by: UsageGroupBy,
    then_by: Option<UsageGroupBy>,
) -> Result<Vec<UsageGroup>, StoreError> {
    let (call_key, step_key) = group_key(group_by);
    let (call_key2, step_key2) = match then_by {
        Some(g) => group_key(g),
        None => ("NULL::text", "NULL::text".to_owned()),
    };
    #[derive(FromQueryResult)]
    struct Row {
        grp: Option<String>,
        grp2: Option<String>,
        ai_calls: i64,
        input_tokens: i64,
        output_tokens: i64,
        cost_usd: String,
    }
    let rows: Vec<Row> = tx
        .all(
            &format!(
                "WITH calls AS ( \
                     SELECT {call_key} AS grp, {call_key2} AS grp2, count(*) AS n, sum(a.input_tokens) AS i, \
                            sum(a.output_tokens) AS o, sum(a.cost_usd) AS c \
                       FROM ai_calls a \
                      WHERE a.workspace_id = $1 AND a.started_at >= $2 AND a.started_at < $3 \
                      GROUP BY 1, 2), \
                 steps AS ( \
                     SELECT {step_key} AS grp, {step_key2} AS grp2, 0::bigint AS n, sum(s.input_tokens) AS i, \
                            sum(s.output_tokens) AS o, sum(s.cost::numeric) AS c \
                       FROM job_steps s JOIN runner_jobs j ON j.workspace_id = s.workspace_id AND j.id = s.job_id \
                      WHERE s.workspace_id = $1 \
                        AND coalesce(s.started_at, s.created_at) >= $2 \
                        AND coalesce(s.started_at, s.created_at) < $3 \
                        AND (s.input_tokens IS NOT NULL OR s.output_tokens IS NOT NULL OR s.cost IS NOT NULL) \
                        AND NOT EXISTS (SELECT 1 FROM ai_calls x \
                                         WHERE x.workspace_id = s.workspace_id AND x.job_id = s.job_id) \
                      GROUP BY 1, 2) \
                 SELECT grp, grp2, sum(n)::bigint AS ai_calls, coalesce(sum(i), 0)::bigint AS input_tokens, \
                        coalesce(sum(o), 0)::bigint AS output_tokens, coalesce(sum(c), 0)::text AS cost_usd \
                   FROM (SELECT * FROM calls UNION ALL SELECT * FROM steps) u \
                  GROUP BY grp, grp2 ORDER BY coalesce(sum(c), 0) DESC, grp NULLS LAST, grp2 NULLS LAST \
                  LIMIT $4"
            ),
            [
                tx.workspace_id().into(),
                from.into(),
                to.into(),
                (MAX_GROUPS as i64).into(),
            ],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| UsageGroup {
            group: r.grp,
            subgroup: r.grp2,
            totals: UsageTotals {
                ai_calls: r.ai_calls,
                input_tokens: r.input_tokens,
                output_tokens: r.output_tokens,
                cost_usd: r.cost_usd,
            },
        })
        .collect())
}

/// Jobs finished in one minute.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct MinuteThroughput {
    pub minute: Timestamp,
    pub completed: i64,
    pub failed: i64,
}

/// Running jobs held by one runner.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct RunnerLoad {
    pub runner_id: Uuid,
    pub name: String,
    pub running: i64,
}

/// Percentiles in milliseconds over the last hour; none without samples.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct Percentiles {
    pub samples: i64,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
}

/// A workspace's queue at a glance.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkspaceStats {
    /// Jobs by status; every status is present.
    pub counts: Vec<(JobStatus, i64)>,
    /// How long the longest-waiting claimable job has been queued.
    pub oldest_queued_seconds: Option<f64>,
    pub running_by_runner: Vec<RunnerLoad>,
    /// The last 60 minutes, oldest first, the current minute last.
    pub throughput: Vec<MinuteThroughput>,
    /// Queued (created, due, re-queued or resumed) to claimed, for claims in the last hour.
    pub queue_wait: Percentiles,
    /// Claimed to finished, for jobs that completed or failed in the last hour.
    pub run_time: Percentiles,
}

/// When a queued job became claimable: the latest of its creation, its due time and its
/// resume.
const QUEUED_SINCE: &str = "greatest(created_at, run_after, resumed_at)";

/// The workspace's queue figures.
pub async fn workspace_stats(tx: &WorkspaceTx) -> Result<WorkspaceStats, StoreError> {
    let ws = || -> sea_orm::Value { tx.workspace_id().into() };
    #[derive(FromQueryResult)]
    struct Count {
        status: String,
        n: i64,
    }
    let counted: Vec<Count> = tx
        .all(
            "SELECT status, count(*) AS n FROM runner_jobs WHERE workspace_id = $1 GROUP BY status",
            [ws()],
        )
        .await?;
    let counts = JobStatus::ALL
        .into_iter()
        .map(|s| {
            let n = counted
                .iter()
                .find(|c| c.status == s.as_str())
                .map_or(0, |c| c.n);
            (s, n)
        })
        .collect();
    #[derive(FromQueryResult)]
    struct Oldest {
        seconds: Option<f64>,
    }
    let oldest: Option<Oldest> = tx
        .one(
            &format!(
                "SELECT extract(epoch FROM now() - min({QUEUED_SINCE}))::float8 AS seconds \
                   FROM runner_jobs WHERE workspace_id = $1 AND status = $2"
            ),
            [ws(), JobStatus::Queued.as_str().into()],
        )
        .await?;
    let running_by_runner: Vec<RunnerLoad> = tx
        .all(
            "SELECT j.lease_runner_id AS runner_id, r.name, count(*) AS running \
               FROM runner_jobs j JOIN runners r ON r.workspace_id = j.workspace_id AND r.id = j.lease_runner_id \
              WHERE j.workspace_id = $1 AND j.status = $2 \
              GROUP BY j.lease_runner_id, r.name ORDER BY running DESC, r.name",
            [ws(), JobStatus::Running.as_str().into()],
        )
        .await?;
    let throughput: Vec<MinuteThroughput> = tx
        .all(
            "WITH done AS ( \
                 SELECT date_trunc('minute', finished_at) AS minute, status FROM runner_jobs \
                  WHERE workspace_id = $1 AND status IN ($2, $3, $4) \
                    AND finished_at >= date_trunc('minute', now()) - interval '59 minutes') \
             SELECT m.minute, \
                    count(d.status) FILTER (WHERE d.status = $2) AS completed, \
                    count(d.status) FILTER (WHERE d.status = $3) AS failed \
               FROM generate_series(date_trunc('minute', now()) - interval '59 minutes', \
                                    date_trunc('minute', now()), interval '1 minute') AS m(minute) \
               LEFT JOIN done d ON d.minute = m.minute \
              GROUP BY m.minute ORDER BY m.minute",
            [
                ws(),
                JobStatus::Completed.as_str().into(),
                JobStatus::Failed.as_str().into(),
                JobStatus::Cancelled.as_str().into(),
            ],
        )
        .await?;
    let queue_wait: Option<Percentiles> = tx
        .one(
            &format!(
                "SELECT count(*) AS samples, \
                        percentile_cont(0.5) WITHIN GROUP (ORDER BY w) AS p50_ms, \
                        percentile_cont(0.95) WITHIN GROUP (ORDER BY w) AS p95_ms \
                   FROM (SELECT greatest(0, extract(epoch FROM started_at - {QUEUED_SINCE}) * 1000)::float8 AS w \
                           FROM runner_jobs \
                          WHERE workspace_id = $1 AND started_at >= now() - interval '1 hour') s"
            ),
            [ws()],
        )
        .await?;
    let run_time: Option<Percentiles> = tx
        .one(
            "SELECT count(*) AS samples, \
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY w) AS p50_ms, \
                    percentile_cont(0.95) WITHIN GROUP (ORDER BY w) AS p95_ms \
               FROM (SELECT greatest(0, extract(epoch FROM finished_at - started_at) * 1000)::float8 AS w \
                       FROM runner_jobs \
                      WHERE workspace_id = $1 AND status IN ($2, $3) AND started_at IS NOT NULL \
                        AND finished_at >= now() - interval '1 hour') s",
            [
                ws(),
                JobStatus::Completed.as_str().into(),
                JobStatus::Failed.as_str().into(),
            ],
        )
        .await?;
    let none = || Percentiles {
        samples: 0,
        p50_ms: None,
        p95_ms: None,
    };
    Ok(WorkspaceStats {
        counts,
        oldest_queued_seconds: oldest.and_then(|o| o.seconds),
        running_by_runner,
        throughput,
        queue_wait: queue_wait.unwrap_or_else(none),
        run_time: run_time.unwrap_or_else(none),
    })
}

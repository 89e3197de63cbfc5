//! The cross-workspace paths: the background sweeps, and nothing else.
//!
//! The rule: a sweep reads across workspaces only through a SECURITY DEFINER function
//! (`runyard_expired_leases`, `runyard_due_jobs`, `runyard_next_due`,
//! `runyard_idle_tasks`, `runyard_overdue_approvals`, `runyard_settle_all_pauses`,
//! `runyard_apply_retention`), each
//! behind a transaction-scoped advisory lock where it writes, so one replica at a time
//! does the work. What a sweep then writes, it writes as the app role in one workspace at
//! a time (`runyard.workspace_id` set, actor `system`), through the same transition
//! statement as the request path, so row-level security holds for the writes too. The
//! policy (retry, back off, fail, pause) is decided here in Rust by the domain crate;
//! SQL only selects, locks and applies. Jobs made claimable wake waiting runners after
//! the commit.

use std::collections::BTreeMap;
use std::time::Duration;

use runyard_domain::{
    Actor, FailureKind, JobStatus, LostLease, PauseKind, Role, WorkspaceSettings, after_lost_lease,
    event_type,
};
use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult, TransactionTrait};
use uuid::Uuid;

use crate::scope::stmt;
use crate::transition::{self, Attempt, Change, Echo, Event, Fence, Lease, Set, Stamp};
use crate::{Database, StoreError, WorkspaceTx};

/// Writes `changes` (grouped by workspace) as the system, one statement per workspace, in
/// `tx`, closing the open steps of the `ended` (job, attempt) pairs. Returns the workspaces in which jobs became `QUEUED`.
async fn apply_by_workspace(
    tx: &DatabaseTransaction,
    changes: BTreeMap<Uuid, Vec<Change>>,
    ended: &BTreeMap<Uuid, Vec<(Uuid, i32)>>,
) -> Result<Vec<Uuid>, StoreError> {
    let mut queued = Vec::new();
    for (workspace, changes) in changes {
        tx.execute_raw(stmt(
            "SELECT set_config('runyard.workspace_id', $1, true), \
                    set_config('runyard.actor', $2, true)",
            [
                workspace.to_string().into(),
                Actor::System.to_string().into(),
            ],
        ))
        .await?;
        let rows = transition::apply_on(tx, workspace, &changes).await?;
        // Attempts taken back from runners end here: close their open steps.
        if let Some(ended) = ended.get(&workspace) {
            crate::jobs::close_steps(tx, workspace, ended).await?;
        }
        if rows
            .iter()
            .any(|r| r.status() == JobStatus::Queued.as_str())
        {
            queued.push(workspace);
        }
    }
    Ok(queued)
}

impl Database {
    /// One pass of the lease reaper over every workspace: expired leases and timed-out
    /// attempts become failed attempts (or paused jobs, when their task asked them to hand
    /// back), as [`after_lost_lease`] decides. Returns (workspace, runner) per job taken
    /// back; `before_commit` sees them before the jobs become claimable again. Empty when
    /// another replica is reaping.
    pub async fn reap_expired(
        &self,
        limit: u32,
        pause_grace: Duration,
        before_commit: impl FnOnce(&[(Uuid, Uuid)]),
    ) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
        #[derive(FromQueryResult)]
        struct Expired {
            lease_workspace: Uuid,
            lease_job: Uuid,
            lease_runner: Option<Uuid>,
            lease_attempt: i32,
            lease_max_attempts: i32,
            lease_backoff_seconds: i32,
            lease_cancel_requested: bool,
            lease_pause_requested: bool,
            lease_why: String,
            lease_pause_kind: Option<String>,
        }
        let tx = self.connection().begin().await?;
        let expired = Expired::find_by_statement(stmt(
            "SELECT * FROM runyard_expired_leases($1::integer, $2)",
            [i64::from(limit).into(), pause_grace.as_secs_f64().into()],
        ))
        .all(&tx)
        .await?;
        let mut changes: BTreeMap<Uuid, Vec<Change>> = BTreeMap::new();
        for e in &expired {
            let lost = LostLease {
                attempt: e.lease_attempt,
                max_attempts: e.lease_max_attempts,
                backoff_base_seconds: e.lease_backoff_seconds,
                cancel_requested: e.lease_cancel_requested,
                pause_requested: e.lease_pause_requested,
            };
            let (next, delay) = after_lost_lease(lost, rand::random::<f64>());
            changes.entry(e.lease_workspace).or_default().push(reaped(
                e.lease_job,
                &e.lease_why,
                e.lease_runner,
                e.lease_attempt,
                e.lease_pause_kind.as_deref(),
                next,
                delay,
            )?);
        }
        let lost: Vec<(Uuid, Uuid)> = expired
            .iter()
            .filter_map(|e| Some((e.lease_workspace, e.lease_runner?)))
            .collect();
        let mut ended: BTreeMap<Uuid, Vec<(Uuid, i32)>> = BTreeMap::new();
        for e in &expired {
            ended
                .entry(e.lease_workspace)
                .or_default()
                .push((e.lease_job, e.lease_attempt));
        }
        let queued = apply_by_workspace(&tx, changes, &ended).await?;
        before_commit(&lost);
        tx.commit().await?;
        for workspace in queued {
            self.signals().jobs_queued(workspace);
        }
        Ok(lost)
    }

    /// One pass of the promoter: due `PENDING` jobs become `QUEUED`, and so do
    /// `SUSPENDED` jobs whose poll time came; suspended jobs past their `max_wait_until`
    /// become `FAILED` (`suspend_timeout`). Returns the workspace of each job changed
    /// (empty when another replica is promoting).
    pub async fn promote_due(&self, limit: u32) -> Result<Vec<Uuid>, StoreError> {
        #[derive(FromQueryResult)]
        struct Due {
            due_workspace: Uuid,
            due_job: Uuid,
        }
        let tx = self.connection().begin().await?;
        let due = Due::find_by_statement(stmt(
            "SELECT due_workspace, due_job FROM runyard_due_jobs($1::integer)",
            [i64::from(limit).into()],
        ))
        .all(&tx)
        .await?;
        let mut changes: BTreeMap<Uuid, Vec<Change>> = BTreeMap::new();
        for d in &due {
            changes
                .entry(d.due_workspace)
                .or_default()
                .push(Change::new(
                    d.due_job,
                    JobStatus::Pending,
                    JobStatus::Queued,
                    Fence::Status,
                    Set::default(),
                    Event::new(
                        event_type::QUEUED,
                        serde_json::json!({}),
                        Echo::STATUS_ATTEMPT,
                    ),
                )?);
        }
        // Suspended jobs whose poll time came (queued) or whose deadline passed (failed).
        #[derive(FromQueryResult)]
        struct Polled {
            polled_workspace: Uuid,
            polled_job: Uuid,
            polled_timed_out: bool,
        }
        let polled = Polled::find_by_statement(stmt(
            "SELECT polled_workspace, polled_job, polled_timed_out \
               FROM runyard_due_suspended($1::integer)",
            [i64::from(limit).into()],
        ))
        .all(&tx)
        .await?;
        for p in &polled {
            let change = if p.polled_timed_out {
                crate::jobs::suspend_timed_out(p.polled_job)?
            } else {
                crate::jobs::woken(p.polled_job, serde_json::json!({"reason": "poll"}))?
            };
            changes.entry(p.polled_workspace).or_default().push(change);
        }
        let queued = apply_by_workspace(&tx, changes, &BTreeMap::new()).await?;
        tx.commit().await?;
        for workspace in queued {
            self.signals().jobs_queued(workspace);
        }
        Ok(due
            .into_iter()
            .map(|d| d.due_workspace)
            .chain(polled.into_iter().map(|p| p.polled_workspace))
            .collect())
    }

    /// When the next waiting job falls due, if any.
    pub async fn next_due(&self) -> Result<Option<crate::Timestamp>, StoreError> {
        #[derive(FromQueryResult)]
        struct Due {
            due: Option<crate::Timestamp>,
        }
        let row = Due::find_by_statement(stmt("SELECT runyard_next_due() AS due", []))
            .one(&self.single())
            .await?;
        Ok(row.and_then(|r| r.due))
    }

    /// Enters workspace `id` as the system itself (the sweepers' actor), in a new
    /// transaction. For background work that acts on what an audited sweep function
    /// returned; never reachable from a request.
    pub async fn enter_system(&self, id: Uuid) -> Result<WorkspaceTx, StoreError> {
        #[derive(FromQueryResult)]
        struct Entered {
            settings: serde_json::Value,
        }
        let tx = self.connection().begin().await?;
        let entered = Entered::find_by_statement(stmt(
            "SELECT w.settings FROM (SELECT set_config('runyard.workspace_id', $1, true), \
                    set_config('runyard.actor', 'system', true)) s, workspaces w WHERE w.id = $2",
            [id.to_string().into(), id.into()],
        ))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(WorkspaceTx::new(
            tx,
            id,
            Role::Owner,
            Actor::System.to_string(),
            WorkspaceSettings::from_json(&entered.settings),
            self.signals().clone(),
        ))
    }

    /// Jobs waiting for an approval past their `approval_deadline`, as (workspace, job),
    /// oldest deadline first.
    pub async fn overdue_approvals(&self, limit: u32) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
        #[derive(FromQueryResult)]
        struct Overdue {
            overdue_workspace: Uuid,
            overdue_job: Uuid,
        }
        let rows = Overdue::find_by_statement(stmt(
            "SELECT overdue_workspace, overdue_job FROM runyard_overdue_approvals($1::integer)",
            [i64::from(limit).into()],
        ))
        .all(&self.single())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.overdue_workspace, r.overdue_job))
            .collect())
    }

    /// Rejects job `id` of `workspace` as the system when its approval wait is still
    /// past its deadline: it becomes `FAILED` (`approval_timeout`) with the rejection
    /// recorded. `false` when it was decided or left the wait meanwhile.
    pub async fn time_out_approval(&self, workspace: Uuid, id: Uuid) -> Result<bool, StoreError> {
        let tx = self.enter_system(workspace).await?;
        let failed = crate::jobs::time_out_approval(&tx, id).await?;
        tx.commit().await?;
        Ok(failed.is_some())
    }

    /// Active tasks idle past their workspace's `auto_pause_after_seconds`, as
    /// (workspace, task), oldest activity first.
    pub async fn idle_tasks(&self, limit: u32) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
        #[derive(FromQueryResult)]
        struct Idle {
            idle_workspace: Uuid,
            idle_task: Uuid,
        }
        let rows = Idle::find_by_statement(stmt(
            "SELECT idle_workspace, idle_task FROM runyard_idle_tasks($1::integer)",
            [i64::from(limit).into()],
        ))
        .all(&self.single())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.idle_workspace, r.idle_task))
            .collect())
    }

    /// Settles every requested pause whose task has no running job left. Returns the
    /// tasks that became `paused`, as (workspace, task).
    pub async fn settle_pauses(&self) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
        #[derive(FromQueryResult)]
        struct Settled {
            settled_workspace: Uuid,
            settled_task: Uuid,
        }
        let rows = Settled::find_by_statement(stmt(
            "SELECT settled_workspace, settled_task FROM runyard_settle_all_pauses()",
            [],
        ))
        .all(&self.single())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.settled_workspace, r.settled_task))
            .collect())
    }

    /// Deletes up to `limit` finished jobs past their workspace's `retention_days`, with
    /// everything that belongs to them. Returns how many jobs went (0 when another
    /// replica holds the retention lock).
    pub async fn apply_retention(&self, limit: u32) -> Result<u64, StoreError> {
        #[derive(FromQueryResult)]
        struct Deleted {
            deleted: i64,
        }
        let row = Deleted::find_by_statement(stmt(
            "SELECT runyard_apply_retention($1::integer) AS deleted",
            [i64::from(limit).into()],
        ))
        .one(&self.single())
        .await?;
        Ok(row.map_or(0, |r| r.deleted.max(0) as u64))
    }
}

/// Why the reaper took an attempt back (`lease_why` of `runyard_expired_leases`).
fn cause(why: &str) -> FailureKind {
    match why {
        "lease_expired" => FailureKind::LeaseExpired,
        // `timed_out`, or a pause that was never handed back in time.
        _ => FailureKind::Timeout,
    }
}

/// The change that takes a job back from a runner that lost it, going to `next`.
fn reaped(
    job: Uuid,
    why: &str,
    runner: Option<Uuid>,
    attempt: i32,
    pause_kind: Option<&str>,
    next: JobStatus,
    delay: Option<f64>,
) -> Result<Change, StoreError> {
    let payload = serde_json::json!({"runner_id": runner, "reason": why});
    let echo = Echo {
        status: true,
        attempt: true,
        run_after: true,
    };
    let set = if next == JobStatus::Paused {
        Set {
            attempt: Some(Attempt::Back),
            started_at: Some(Stamp::Clear),
            pause_requested_at: Some(Stamp::Clear),
            lease: Some(Lease::Drop),
            finished_at: Some(Stamp::Clear),
            // It handed nothing back: its resume starts without a snapshot.
            resume_state: Some(None),
            ..Set::default()
        }
    } else {
        Set {
            run_after_in: delay,
            finished_at: Some(if next.is_terminal() {
                Stamp::Now
            } else {
                Stamp::Clear
            }),
            error: Some(Some(serde_json::json!({"reason": why, "attempt": attempt}))),
            failure_kind: Some(FailureKind::after_attempt(next, cause(why), true)),
            lease: Some(Lease::Drop),
            ..Set::default()
        }
    };
    let kind = if next == JobStatus::Paused {
        pause_kind
            .and_then(PauseKind::parse)
            .unwrap_or(PauseKind::Manual)
            .event_type()
            .to_owned()
    } else {
        format!("job_{why}")
    };
    Change::new(
        job,
        JobStatus::Running,
        next,
        Fence::Status,
        set,
        Event {
            kind,
            payload,
            echo,
            step_id: None,
        },
    )
}

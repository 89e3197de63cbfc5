//! What can go wrong in storage, in terms the layer above can act on.

use runyard_domain::{TaskTransitionError, TransitionError};
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Absent, or in another workspace: the caller cannot tell which.
    #[error("not found")]
    NotFound,
    #[error("the slug is already taken")]
    SlugTaken,
    #[error("the subject is already a member of this workspace")]
    AlreadyMember,
    #[error("a workspace must keep at least one owner")]
    LastOwner,
    #[error("the idempotency key was already used with a different request")]
    IdempotencyMismatch,
    /// The runner does not hold this attempt of the job (any more).
    #[error("this runner no longer holds attempt {attempt} of the job")]
    LeaseLost { attempt: i32 },
    #[error("log entry {seq} was already written with a different body")]
    LogConflict { seq: i64 },
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    TaskTransition(#[from] TaskTransitionError),
    /// Jobs cannot be added to a finished task.
    #[error("the task is {status}; it takes no more jobs")]
    TaskClosed { status: runyard_domain::TaskStatus },
    /// The task still has work in flight.
    #[error("the task has {count} job(s) still queued or running; cancel them or wait")]
    TaskBusy { count: i64 },
    /// Only a job of an agent task can hand back a snapshot, and only when asked to pause.
    #[error("{0}")]
    NotPausable(&'static str),
    #[error("the job is not waiting for an approval")]
    NotAwaitingApproval,
    /// A workspace limit would be exceeded.
    #[error("the workspace allows at most {limit} {what}")]
    QuotaExceeded {
        setting: &'static str,
        what: &'static str,
        limit: i64,
    },
    /// A reference to another row (named by its request field) that does not exist here.
    #[error("{field} does not name an existing row in this workspace")]
    UnknownReference { field: &'static str },
    #[error("database error: {0}")]
    Database(#[from] DbErr),
}

/// The name of the constraint a database error violated, if any.
pub(crate) fn violated_constraint(err: &DbErr) -> Option<String> {
    use sea_orm::RuntimeErr;
    let (DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))) = err
    else {
        return None;
    };
    match e.as_ref() {
        sea_orm::sqlx::Error::Database(db) => db.constraint().map(str::to_owned),
        _ => None,
    }
}

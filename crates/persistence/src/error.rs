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
    #[error("model call {id} was already recorded with different content")]
    AiCallConflict { id: uuid::Uuid },
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
    #[error("the job is {status}: it takes no more commands")]
    JobFinished { status: runyard_domain::JobStatus },
    #[error("the command was not found")]
    CommandNotFound,
    #[error("the job is {status}, not SUSPENDED")]
    NotSuspended { status: runyard_domain::JobStatus },
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

impl StoreError {
    /// Whether the database could not be reached: no connection within the pool's acquire
    /// timeout, a connection lost mid-request, or a server refusing connections (starting
    /// up, shutting down). Trying again later may succeed; the request's input was not at
    /// fault.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Database(e) => db_unavailable(e),
            _ => false,
        }
    }
}

fn db_unavailable(err: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error;
    let (DbErr::Conn(RuntimeErr::SqlxError(e))
    | DbErr::Exec(RuntimeErr::SqlxError(e))
    | DbErr::Query(RuntimeErr::SqlxError(e))) = err
    else {
        return matches!(err, DbErr::ConnectionAcquire(_));
    };
    match e.as_ref() {
        Error::Io(_)
        | Error::Tls(_)
        | Error::PoolTimedOut
        | Error::PoolClosed
        | Error::WorkerCrashed
        | Error::Protocol(_) => true,
        // SQLSTATE class 08 (connection exception); 57P01-57P03: the server is shutting
        // down, crashed, or not yet accepting connections.
        Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")),
        _ => false,
    }
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

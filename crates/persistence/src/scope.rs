//! The workspace-scoped transaction: the only way repository code reaches tenant data.

use std::sync::atomic::{AtomicBool, Ordering};

use runyard_domain::{Role, WorkspaceSettings};
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbBackend, FromQueryResult, Statement, TransactionTrait,
    Value,
};
use uuid::Uuid;

use crate::{Signals, StoreError};

/// Commits `tx` in a task of its own, so that it runs to the end even when the caller's
/// future is dropped meanwhile (a client that went away): a `COMMIT` cut off mid-flight
/// would leave its connection to roll back a transaction that may already have ended.
/// `after_commit` runs once the commit succeeded, in the same task.
pub(crate) async fn commit_to_the_end(
    tx: DatabaseTransaction,
    after_commit: impl FnOnce() + Send + 'static,
) -> Result<(), StoreError> {
    tokio::spawn(async move {
        tx.commit().await?;
        after_commit();
        Ok::<_, sea_orm::DbErr>(())
    })
    .await
    .map_err(|e| sea_orm::DbErr::Custom(format!("commit task: {e}")))??;
    Ok(())
}

/// A transaction that has entered one workspace: `runyard.workspace_id`,
/// `runyard.subject` and `runyard.actor` are set with `set_config(.., true)`, so they
/// end with the transaction and a pooled connection never carries them further.
///
/// Dropping it without [`WorkspaceTx::commit`] rolls everything back.
///
/// It remembers whether it made jobs of its workspace claimable (a transition or an
/// insert into `QUEUED`); its commit then wakes the runners waiting for that workspace,
/// so no caller can forget to.
pub struct WorkspaceTx {
    tx: DatabaseTransaction,
    workspace_id: Uuid,
    role: Role,
    actor: String,
    settings: WorkspaceSettings,
    signals: Signals,
    queued: AtomicBool,
}

impl WorkspaceTx {
    pub(crate) fn new(
        tx: DatabaseTransaction,
        workspace_id: Uuid,
        role: Role,
        actor: String,
        settings: WorkspaceSettings,
        signals: Signals,
    ) -> Self {
        Self {
            tx,
            workspace_id,
            role,
            actor,
            settings,
            signals,
            queued: AtomicBool::new(false),
        }
    }

    /// Begins a transaction on `db` and enters `workspace_id` as `subject`, trusting the
    /// caller that the subject may (used when creating the workspace itself).
    pub(crate) async fn begin_trusted(
        db: &sea_orm::DatabaseConnection,
        signals: Signals,
        workspace_id: Uuid,
        role: Role,
        subject: &str,
        actor: String,
    ) -> Result<Self, StoreError> {
        let tx = db.begin().await?;
        tx.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT set_config('runyard.workspace_id', $1, true), \
                    set_config('runyard.subject', $2, true), \
                    set_config('runyard.actor', $3, true)",
            [
                workspace_id.to_string().into(),
                subject.into(),
                actor.clone().into(),
            ],
        ))
        .await?;
        Ok(Self::new(
            tx,
            workspace_id,
            role,
            actor,
            WorkspaceSettings::default(),
            signals,
        ))
    }

    pub fn workspace_id(&self) -> Uuid {
        self.workspace_id
    }

    /// The caller's role in this workspace.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The workspace's settings as they were when the transaction entered it.
    pub fn settings(&self) -> &WorkspaceSettings {
        &self.settings
    }

    /// Who acts, as recorded on events (`user:alice`).
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Commits, to the end even when the caller goes away (see [`commit_to_the_end`]);
    /// when the transaction made jobs claimable, wakes the runners waiting for them (here
    /// and, batched, on every other server) once they are visible.
    pub async fn commit(self) -> Result<(), StoreError> {
        let Self {
            tx,
            workspace_id,
            signals,
            queued,
            ..
        } = self;
        let queued = queued.load(Ordering::Relaxed);
        commit_to_the_end(tx, move || {
            if queued {
                signals.jobs_queued(workspace_id);
            }
        })
        .await
    }

    /// The transaction, for statements built elsewhere in this crate.
    pub(crate) fn conn(&self) -> &DatabaseTransaction {
        &self.tx
    }

    /// Records that this transaction made jobs of its workspace claimable.
    pub(crate) fn made_claimable(&self) {
        self.queued.store(true, Ordering::Relaxed);
    }

    pub(crate) async fn one<T: FromQueryResult>(
        &self,
        sql: &str,
        values: impl IntoIterator<Item = Value>,
    ) -> Result<Option<T>, StoreError> {
        Ok(T::find_by_statement(stmt(sql, values))
            .one(&self.tx)
            .await?)
    }

    pub(crate) async fn all<T: FromQueryResult>(
        &self,
        sql: &str,
        values: impl IntoIterator<Item = Value>,
    ) -> Result<Vec<T>, StoreError> {
        Ok(T::find_by_statement(stmt(sql, values))
            .all(&self.tx)
            .await?)
    }

    pub(crate) async fn execute(
        &self,
        sql: &str,
        values: impl IntoIterator<Item = Value>,
    ) -> Result<u64, sea_orm::DbErr> {
        Ok(self
            .tx
            .execute_raw(stmt(sql, values))
            .await?
            .rows_affected())
    }
}

pub(crate) fn stmt(sql: &str, values: impl IntoIterator<Item = Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}

//! The workspace-scoped transaction: the only way repository code reaches tenant data.

use runyard_domain::{Role, WorkspaceSettings};
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbBackend, FromQueryResult, Statement, TransactionTrait,
    Value,
};
use uuid::Uuid;

use crate::StoreError;

/// Commits `tx` in a task of its own, so that it runs to the end even when the caller's
/// future is dropped meanwhile (a client that went away): a `COMMIT` cut off mid-flight
/// would leave its connection to roll back a transaction that may already have ended.
pub(crate) async fn commit_to_the_end(tx: DatabaseTransaction) -> Result<(), StoreError> {
    tokio::spawn(tx.commit())
        .await
        .map_err(|e| sea_orm::DbErr::Custom(format!("commit task: {e}")))??;
    Ok(())
}

/// A transaction that has entered one workspace: `runyard.workspace_id`,
/// `runyard.subject` and `runyard.actor` are set with `set_config(.., true)`, so they
/// end with the transaction and a pooled connection never carries them further.
///
/// Dropping it without [`WorkspaceTx::commit`] rolls everything back.
pub struct WorkspaceTx {
    tx: DatabaseTransaction,
    workspace_id: Uuid,
    role: Role,
    actor: String,
    settings: WorkspaceSettings,
}

impl WorkspaceTx {
    pub(crate) fn new(
        tx: DatabaseTransaction,
        workspace_id: Uuid,
        role: Role,
        actor: String,
        settings: WorkspaceSettings,
    ) -> Self {
        Self {
            tx,
            workspace_id,
            role,
            actor,
            settings,
        }
    }

    /// Begins a transaction on `db` and enters `workspace_id` as `subject`, trusting the
    /// caller that the subject may (used when creating the workspace itself).
    pub(crate) async fn begin_trusted(
        db: &sea_orm::DatabaseConnection,
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
    pub fn settings(&self) -> WorkspaceSettings {
        self.settings
    }

    /// Who acts, as recorded on events (`user:alice`).
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Commits, to the end even when the caller goes away (see [`commit_to_the_end`]).
    pub async fn commit(self) -> Result<(), StoreError> {
        commit_to_the_end(self.tx).await
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

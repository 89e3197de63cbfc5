//! The connection pool and the ways into a workspace.

use std::time::Duration;

use runyard_domain::{Actor, Role, WorkspaceSettings};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseConnection, DbErr, ExecResult, FromQueryResult,
    QueryResult, TransactionTrait,
};
use uuid::Uuid;

use crate::records::WorkspaceRecord;
use crate::scope::{WorkspaceTx, stmt};
use crate::workspaces::WorkspaceRow;
use crate::{Signals, StoreError, WorkspaceRecord as Record};

/// How a request names a workspace: `{ws}` in a path is its id or its slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkspaceRef {
    Id(Uuid),
    Slug(String),
}

impl WorkspaceRef {
    pub fn parse(raw: &str) -> Self {
        match Uuid::parse_str(raw) {
            Ok(id) => Self::Id(id),
            Err(_) => Self::Slug(raw.to_owned()),
        }
    }
}

/// The server's handle on PostgreSQL. It hands out [`WorkspaceTx`]s; it has no method
/// that runs tenant queries outside one.
#[derive(Clone)]
pub struct Database {
    conn: DatabaseConnection,
    signals: Signals,
    /// Statements outside a workspace transaction run in one of their own: behind a
    /// transaction-mode pooler a server connection is ours only inside a transaction.
    own_transactions: bool,
    /// Where notifications are listened for; `None` listens on a pooled connection.
    listen_url: Option<String>,
}

/// How the pool connects; see [`Database::connect_with_settings`].
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_connections: u32,
    /// How long a request waits for a pooled connection.
    pub acquire_timeout: Duration,
    /// Prepared statements kept per connection. 0 (for a pooler in transaction mode, which
    /// moves clients between server connections) prepares every statement unnamed, just
    /// before it runs, and runs lone statements in explicit transactions.
    pub statement_cache: usize,
    /// A direct connection for `LISTEN`, which a transaction-mode pooler cannot carry;
    /// `None` listens on a connection of the pool.
    pub listen_url: Option<String>,
}

impl PoolSettings {
    /// `max_connections` connections, the default acquire timeout and statement cache,
    /// listening on the pool.
    #[must_use]
    pub fn new(max_connections: u32) -> Self {
        Self {
            max_connections,
            acquire_timeout: DEFAULT_ACQUIRE_TIMEOUT,
            statement_cache: DEFAULT_STATEMENT_CACHE,
            listen_url: None,
        }
    }
}

/// sqlx's default number of prepared statements kept per connection.
pub const DEFAULT_STATEMENT_CACHE: usize = 100;

/// How long a request waits for a pooled connection by default before it fails with
/// [`StoreError::is_unavailable`].
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

impl Database {
    /// Connects a pool of at most `max_connections` to `url` (the app role's URL), waiting
    /// up to [`DEFAULT_ACQUIRE_TIMEOUT`] for a connection.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        Self::connect_with(url, max_connections, DEFAULT_ACQUIRE_TIMEOUT).await
    }

    /// Connects a pool of at most `max_connections` to `url`. A request that gets no
    /// connection within `acquire_timeout` (the database is away, or the pool is
    /// exhausted) fails with an error for which [`StoreError::is_unavailable`] holds.
    ///
    /// A pooled connection is handed out only outside any transaction block: one that a
    /// cancelled request left inside a transaction is closed (which rolls it back) rather
    /// than reused, so no request ever runs inside another's transaction — or workspace.
    pub async fn connect_with(
        url: &str,
        max_connections: u32,
        acquire_timeout: Duration,
    ) -> Result<Self, StoreError> {
        Self::connect_with_settings(
            url,
            &PoolSettings {
                acquire_timeout,
                ..PoolSettings::new(max_connections)
            },
        )
        .await
    }

    /// Connects a pool to `url` as `settings` say; see [`Database::connect_with`].
    pub async fn connect_with_settings(
        url: &str,
        settings: &PoolSettings,
    ) -> Result<Self, StoreError> {
        let (max_connections, acquire_timeout) =
            (settings.max_connections, settings.acquire_timeout);
        let statement_cache = settings.statement_cache;
        let mut opts = ConnectOptions::new(url.to_owned());
        opts.max_connections(max_connections)
            .min_connections(1)
            .acquire_timeout(acquire_timeout)
            .connect_timeout(acquire_timeout)
            .sqlx_logging(false)
            // The check below replaces the ping sqlx would otherwise send on every acquire.
            .test_before_acquire(false)
            .map_sqlx_postgres_opts(move |o| o.statement_cache_capacity(statement_cache))
            .map_sqlx_postgres_before_acquire(|conn, _| Box::pin(outside_transaction(conn)));
        Ok(Self {
            conn: sea_orm::Database::connect(opts).await?,
            signals: Signals::default(),
            own_transactions: statement_cache == 0,
            listen_url: settings.listen_url.clone(),
        })
    }

    /// The wake-ups of this server: committed transactions that made jobs claimable
    /// announce them here, and long-polls and live tails wait on them.
    pub fn signals(&self) -> &Signals {
        &self.signals
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.conn.ping().await?;
        Ok(())
    }

    /// The newest applied migration, if the schema has any.
    pub async fn schema_version(&self) -> Result<Option<String>, StoreError> {
        #[derive(FromQueryResult)]
        struct Version {
            version: String,
        }
        let row = Version::find_by_statement(stmt(
            "SELECT version FROM seaql_migrations ORDER BY version DESC LIMIT 1",
            [],
        ))
        .one(&self.single())
        .await?;
        Ok(row.map(|r| r.version))
    }

    /// Every applied migration, oldest first, with the checksum recorded for it (none for
    /// a database older than the checksum table, until its next migrate records them).
    pub async fn applied_migrations(&self) -> Result<Vec<(String, Option<String>)>, StoreError> {
        #[derive(FromQueryResult)]
        struct Applied {
            version: String,
            sha256: Option<String>,
        }
        #[derive(FromQueryResult)]
        struct Present {
            present: bool,
        }
        let kept = Present::find_by_statement(stmt(
            "SELECT to_regclass('runyard_migration_checksums') IS NOT NULL AS present",
            [],
        ))
        .one(&self.single())
        .await?
        .is_some_and(|p| p.present);
        let sql = if kept {
            "SELECT m.version, c.sha256 FROM seaql_migrations m \
               LEFT JOIN runyard_migration_checksums c ON c.version = m.version \
              ORDER BY m.version"
        } else {
            "SELECT version, NULL::text AS sha256 FROM seaql_migrations ORDER BY version"
        };
        let rows = Applied::find_by_statement(stmt(sql, []))
            .all(&self.single())
            .await?;
        Ok(rows.into_iter().map(|r| (r.version, r.sha256)).collect())
    }

    /// Enters the workspace named by `ws` as `subject`, in a new transaction. `None` when
    /// the workspace does not exist or the subject is not one of its members.
    pub async fn enter(
        &self,
        subject: &str,
        actor: &Actor,
        ws: &WorkspaceRef,
    ) -> Result<Option<WorkspaceTx>, StoreError> {
        #[derive(FromQueryResult)]
        struct Entered {
            entered_id: Uuid,
            entered_role: String,
            entered_settings: serde_json::Value,
        }
        let (id, slug) = match ws {
            WorkspaceRef::Id(id) => (Some(*id), None),
            WorkspaceRef::Slug(slug) => (None, Some(slug.clone())),
        };
        let tx = self.conn.begin().await?;
        let entered = Entered::find_by_statement(stmt(
            "SELECT entered_id, entered_role, entered_settings FROM runyard_enter_workspace($1, $2, $3, $4)",
            [
                subject.into(),
                actor.to_string().into(),
                id.into(),
                slug.into(),
            ],
        ))
        .one(&tx)
        .await?;
        let Some(entered) = entered else {
            return Ok(None);
        };
        let role = Role::parse(&entered.entered_role).ok_or_else(|| {
            sea_orm::DbErr::Custom(format!("unknown role {:?}", entered.entered_role))
        })?;
        Ok(Some(WorkspaceTx::new(
            tx,
            entered.entered_id,
            role,
            actor.to_string(),
            WorkspaceSettings::from_json(&entered.entered_settings),
            self.signals.clone(),
        )))
    }

    /// Begins the transaction that creates workspace `id`, entered as its future owner.
    pub(crate) async fn begin_creating(
        &self,
        id: Uuid,
        subject: &str,
        actor: &Actor,
    ) -> Result<WorkspaceTx, StoreError> {
        WorkspaceTx::begin_trusted(
            &self.conn,
            self.signals.clone(),
            id,
            Role::Owner,
            subject,
            actor.to_string(),
        )
        .await
    }

    /// The workspaces `subject` belongs to, with the subject's role in each, oldest first.
    /// Runs with only `runyard.subject` set: row-level security shows the subject's own
    /// memberships and their workspaces, nothing else.
    pub async fn workspaces_of(&self, subject: &str) -> Result<Vec<(Record, Role)>, StoreError> {
        #[derive(FromQueryResult)]
        struct Row {
            #[sea_orm(nested)]
            workspace: WorkspaceRow,
            member_role: String,
        }
        let tx = self.conn.begin().await?;
        tx.execute_raw(stmt(
            "SELECT set_config('runyard.subject', $1, true)",
            [subject.into()],
        ))
        .await?;
        let rows = Row::find_by_statement(stmt(
            "SELECT w.id, w.slug, w.name, w.settings, w.created_at, w.updated_at, m.role AS member_role \
               FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id \
              WHERE m.subject = $1 ORDER BY w.id",
            [subject.into()],
        ))
        .all(&tx)
        .await?;
        crate::scope::commit_to_the_end(tx, || {}).await?;
        rows.into_iter()
            .map(|r| {
                let role = Role::parse(&r.member_role).ok_or_else(|| {
                    sea_orm::DbErr::Custom(format!("unknown role {:?}", r.member_role))
                })?;
                Ok((WorkspaceRecord::from(r.workspace), role))
            })
            .collect()
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(self) {
        let _ = self.conn.close().await;
    }
}

/// Whether a pooled connection is alive and outside any transaction block. Run as one
/// simple query, a statement outside a block is its own transaction and starts it, so its
/// start time equals the transaction's; inside a block left open, the transaction started
/// earlier (and inside an aborted one the query fails). Either way the pool closes the
/// connection, and PostgreSQL rolls back what it held.
async fn outside_transaction(
    conn: &mut sea_orm::sqlx::PgConnection,
) -> Result<bool, sea_orm::sqlx::Error> {
    use sea_orm::sqlx::Row;
    let row = sea_orm::sqlx::raw_sql("SELECT statement_timestamp() = transaction_timestamp()")
        .fetch_one(conn)
        .await?;
    let outside: bool = row.try_get(0)?;
    if !outside {
        tracing::warn!("closed a pooled connection that was left inside a transaction");
    }
    Ok(outside)
}

impl Database {
    /// A handle that is not connected to anything: every query fails. For rendering the
    /// API spec, which needs the endpoints but never calls them.
    pub fn disconnected() -> Self {
        Self {
            conn: DatabaseConnection::default(),
            signals: Signals::default(),
            own_transactions: false,
            listen_url: None,
        }
    }

    /// The connection, for the statistics in [`crate::stats`].
    pub(crate) fn connection(&self) -> &DatabaseConnection {
        &self.conn
    }
}

impl Database {
    /// Enters the workspace of a runner token, in a new transaction. `None` when the
    /// token is malformed, unknown, or its runner revoked.
    pub async fn enter_runner(
        &self,
        token: &str,
    ) -> Result<Option<(WorkspaceTx, crate::queue::RunnerIdentity)>, StoreError> {
        #[derive(FromQueryResult)]
        struct Entered {
            runner_labels: Vec<String>,
            workspace_settings: serde_json::Value,
        }
        let Some(token) = runyard_domain::RunnerToken::parse(token) else {
            return Ok(None);
        };
        let tx = self.conn.begin().await?;
        let entered = Entered::find_by_statement(stmt(
            "SELECT runner_labels, workspace_settings FROM runyard_enter_runner($1, $2, $3)",
            [
                token.workspace_id.into(),
                token.runner_id.into(),
                token.secret_hash().into(),
            ],
        ))
        .one(&tx)
        .await?;
        let Some(entered) = entered else {
            return Ok(None);
        };
        let actor = Actor::Runner(token.runner_id).to_string();
        let settings = WorkspaceSettings::from_json(&entered.workspace_settings);
        let scope = WorkspaceTx::new(
            tx,
            token.workspace_id,
            Role::Member,
            actor,
            settings,
            self.signals.clone(),
        );
        Ok(Some((
            scope,
            crate::queue::RunnerIdentity {
                id: token.runner_id,
                labels: entered.runner_labels,
            },
        )))
    }

    /// Tells every server listening that these workspaces have claimable jobs.
    pub async fn notify_jobs(&self, workspaces: Vec<Uuid>) -> Result<(), StoreError> {
        self.single()
            .execute_raw(stmt(
                "SELECT pg_notify('runyard_jobs', w::text) FROM unnest($1::uuid[]) AS w",
                [workspaces.into()],
            ))
            .await?;
        Ok(())
    }

    pub(crate) fn pool(&self) -> &sea_orm::sqlx::PgPool {
        self.conn.get_postgres_connection_pool()
    }

    /// The direct URL to listen on, if not the pool.
    pub(crate) fn listen_url(&self) -> Option<&str> {
        self.listen_url.as_deref()
    }

    /// Where a lone statement (one outside any workspace transaction) runs: the pool, or,
    /// behind a transaction-mode pooler, a transaction of its own — sqlx prepares an
    /// unnamed statement and runs it in two round trips, which such a pooler may send to
    /// different server connections unless a transaction holds one.
    pub(crate) fn single(&self) -> Single<'_> {
        Single(self)
    }
}

/// A lone statement's way to the database; see [`Database::single`].
pub(crate) struct Single<'a>(&'a Database);

type Boxed<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// Runs one [`ConnectionTrait`] call on the pool, or inside a transaction of its own that
/// commits on success.
macro_rules! single {
    ($single:ident . $call:ident ( $($arg:expr),* )) => {
        Box::pin(async move {
            let db = $single.0;
            if !db.own_transactions {
                return db.conn.$call($($arg),*).await;
            }
            let tx = db.conn.begin().await?;
            let out = tx.$call($($arg),*).await?;
            tx.commit().await?;
            Ok(out)
        })
    };
}

impl ConnectionTrait for Single<'_> {
    fn get_database_backend(&self) -> sea_orm::DbBackend {
        self.0.conn.get_database_backend()
    }

    fn execute_raw<'a, 'b>(
        &'a self,
        stmt: sea_orm::Statement,
    ) -> Boxed<'b, Result<ExecResult, DbErr>>
    where
        'a: 'b,
        Self: 'b,
    {
        single!(self.execute_raw(stmt))
    }

    fn execute_unprepared<'a, 's, 'b>(
        &'a self,
        sql: &'s str,
    ) -> Boxed<'b, Result<ExecResult, DbErr>>
    where
        'a: 'b,
        's: 'b,
        Self: 'b,
    {
        single!(self.execute_unprepared(sql))
    }

    fn query_one_raw<'a, 'b>(
        &'a self,
        stmt: sea_orm::Statement,
    ) -> Boxed<'b, Result<Option<QueryResult>, DbErr>>
    where
        'a: 'b,
        Self: 'b,
    {
        single!(self.query_one_raw(stmt))
    }

    fn query_all_raw<'a, 'b>(
        &'a self,
        stmt: sea_orm::Statement,
    ) -> Boxed<'b, Result<Vec<QueryResult>, DbErr>>
    where
        'a: 'b,
        Self: 'b,
    {
        single!(self.query_all_raw(stmt))
    }
}

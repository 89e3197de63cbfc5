//! Row-level security, checked in SQL as the app role (`runyard_app`) — never as a
//! superuser or the owner, who could bypass it.

use runyard_testkit::TestDb;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait, Value};
use uuid::Uuid;

fn stmt(sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}

async fn count(conn: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> i64 {
    let row = conn
        .query_one_raw(stmt(sql, values))
        .await
        .expect("query")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a count")
}

const TENANT_TABLES: [&str; 6] = [
    "workspaces",
    "workspace_members",
    "agent_tasks",
    "runner_jobs",
    "job_steps",
    "job_events",
];

/// Seeds one workspace with a member, a task, a job, a step and an event, as the app role.
async fn seed(conn: &DatabaseConnection, slug: &str) -> (Uuid, Uuid) {
    let ws = Uuid::now_v7();
    let job = Uuid::now_v7();
    let tx = conn.begin().await.unwrap();
    tx.execute_raw(stmt(
        "SELECT set_config('runyard.workspace_id', $1, true)",
        vec![ws.to_string().into()],
    ))
    .await
    .unwrap();
    for (sql, values) in [
        (
            "INSERT INTO workspaces (id, slug, name) VALUES ($1, $2, $2)",
            vec![ws.into(), slug.into()],
        ),
        (
            "INSERT INTO workspace_members (workspace_id, subject, role) VALUES ($1, $2, 'owner')",
            vec![ws.into(), format!("{slug}-owner").into()],
        ),
        (
            "INSERT INTO agent_tasks (workspace_id, id, title, created_by) VALUES ($1, $2, 't', 'system')",
            vec![ws.into(), Uuid::now_v7().into()],
        ),
        (
            "INSERT INTO runner_jobs (workspace_id, id, type, status, created_by, last_event_seq) VALUES ($1, $2, 'command', 'QUEUED', 'system', 1)",
            vec![ws.into(), job.into()],
        ),
        (
            "INSERT INTO job_steps (workspace_id, id, job_id, attempt, ordinal, name, phase, type, status) VALUES ($1, $2, $3, 1, 0, 's', 'SETUP', 'COMMAND', 'PENDING')",
            vec![ws.into(), Uuid::now_v7().into(), job.into()],
        ),
        (
            "INSERT INTO job_events (workspace_id, job_id, seq, id, type, actor) VALUES ($1, $2, 1, $3, 'job_created', 'system')",
            vec![ws.into(), job.into(), Uuid::now_v7().into()],
        ),
    ] {
        tx.execute_raw(stmt(sql, values))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    tx.commit().await.unwrap();
    (ws, job)
}

async fn enter(conn: &DatabaseConnection, ws: Uuid) -> sea_orm::DatabaseTransaction {
    let tx = conn.begin().await.unwrap();
    tx.execute_raw(stmt(
        "SELECT set_config('runyard.workspace_id', $1, true)",
        vec![ws.to_string().into()],
    ))
    .await
    .unwrap();
    tx
}

#[tokio::test]
async fn the_app_role_is_neither_superuser_nor_owner_nor_bypassrls() {
    let db = TestDb::new().await;
    let conn = db.connect_app().await;
    let row = conn
        .query_one_raw(stmt(
            "SELECT current_user::text AS me, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user",
            vec![],
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<String>("", "me").unwrap(), "runyard_app");
    assert!(!row.try_get::<bool>("", "rolsuper").unwrap());
    assert!(!row.try_get::<bool>("", "rolbypassrls").unwrap());
    let owned = count(
        &conn,
        "SELECT count(*) AS n FROM pg_tables WHERE tableowner = current_user",
        vec![],
    )
    .await;
    assert_eq!(owned, 0, "the app role must not own any table");
}

#[tokio::test]
async fn every_tenant_table_has_forced_row_level_security() {
    let db = TestDb::new().await;
    let conn = db.connect_app().await;
    // Every table with a workspace_id column (and workspaces itself) is a tenant table.
    let rows = conn
        .query_all_raw(stmt(
            "SELECT c.relname::text AS name, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced \
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
              WHERE n.nspname = 'public' AND c.relkind = 'r' \
                AND (c.relname = 'workspaces' OR EXISTS ( \
                     SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'workspace_id'))",
            vec![],
        ))
        .await
        .unwrap();
    let mut names: Vec<String> = Vec::new();
    for row in rows {
        let name: String = row.try_get("", "name").unwrap();
        assert!(
            row.try_get::<bool>("", "enabled").unwrap(),
            "{name}: RLS not enabled"
        );
        assert!(
            row.try_get::<bool>("", "forced").unwrap(),
            "{name}: RLS not forced"
        );
        names.push(name);
    }
    for table in TENANT_TABLES {
        assert!(
            names.iter().any(|n| n == table),
            "{table} missing from {names:?}"
        );
    }
}

#[tokio::test]
async fn without_a_workspace_setting_no_rows_are_visible() {
    let db = TestDb::new().await;
    let conn = db.connect_app().await;
    seed(&conn, "alpha").await;
    seed(&conn, "beta").await;
    for table in TENANT_TABLES {
        let n = count(&conn, &format!("SELECT count(*) AS n FROM {table}"), vec![]).await;
        assert_eq!(n, 0, "{table} leaks rows without a workspace setting");
    }
    // An empty setting is the same as none.
    let tx = conn.begin().await.unwrap();
    tx.execute_raw(stmt(
        "SELECT set_config('runyard.workspace_id', '', true)",
        vec![],
    ))
    .await
    .unwrap();
    assert_eq!(
        count(&tx, "SELECT count(*) AS n FROM runner_jobs", vec![]).await,
        0
    );
}

#[tokio::test]
async fn workspace_a_sees_none_of_workspace_b() {
    let db = TestDb::new().await;
    let conn = db.connect_app().await;
    let (a, _) = seed(&conn, "alpha").await;
    let (b, b_job) = seed(&conn, "beta").await;
    let tx = enter(&conn, a).await;
    for table in TENANT_TABLES {
        let key = if table == "workspaces" {
            "id"
        } else {
            "workspace_id"
        };
        let theirs = count(
            &tx,
            &format!("SELECT count(*) AS n FROM {table} WHERE {key} = $1"),
            vec![b.into()],
        )
        .await;
        assert_eq!(theirs, 0, "{table}: A sees B's rows");
        let ours = count(&tx, &format!("SELECT count(*) AS n FROM {table}"), vec![]).await;
        assert_eq!(ours, 1, "{table}: A should see exactly its own row");
    }
    // Looking B's job up by its id, without any workspace filter, finds nothing.
    assert_eq!(
        count(
            &tx,
            "SELECT count(*) AS n FROM runner_jobs WHERE id = $1",
            vec![b_job.into()]
        )
        .await,
        0
    );
}

#[tokio::test]
async fn rows_of_another_workspace_cannot_be_written() {
    let db = TestDb::new().await;
    let conn = db.connect_app().await;
    let (a, _) = seed(&conn, "alpha").await;
    let (b, b_job) = seed(&conn, "beta").await;

    // Inserting a row carrying B's id under A's setting is refused by the policy.
    let tx = enter(&conn, a).await;
    let err = tx
        .execute_raw(stmt(
            "INSERT INTO runner_jobs (workspace_id, id, type, status, created_by) VALUES ($1, $2, 'x', 'QUEUED', 'system')",
            vec![b.into(), Uuid::now_v7().into()],
        ))
        .await
        .expect_err("inserting into another workspace must fail");
    assert!(err.to_string().contains("row-level security"), "{err}");
    drop(tx);

    // Updating or deleting B's rows under A's setting touches nothing.
    let tx = enter(&conn, a).await;
    let updated = tx
        .execute_raw(stmt(
            "UPDATE runner_jobs SET priority = 5 WHERE id = $1",
            vec![b_job.into()],
        ))
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(updated, 0);
    let deleted = tx
        .execute_raw(stmt(
            "DELETE FROM workspace_members WHERE workspace_id = $1",
            vec![b.into()],
        ))
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(deleted, 0);
    // Moving one of A's own jobs into B is refused as well.
    let err = tx
        .execute_raw(stmt(
            "UPDATE runner_jobs SET workspace_id = $1",
            vec![b.into()],
        ))
        .await
        .expect_err("moving a row into another workspace must fail");
    assert!(
        err.to_string().contains("row-level security") || err.to_string().contains("violates"),
        "{err}"
    );
}

#[tokio::test]
async fn job_events_are_append_only_for_the_app_role() {
    let db = TestDb::new().await;
    let conn = db.connect_app().await;
    let (a, job) = seed(&conn, "alpha").await;
    for sql in [
        "UPDATE job_events SET type = 'tampered' WHERE job_id = $1",
        "DELETE FROM job_events WHERE job_id = $1",
    ] {
        let tx = enter(&conn, a).await;
        let err = tx
            .execute_raw(stmt(sql, vec![job.into()]))
            .await
            .expect_err(sql);
        assert!(
            err.to_string().contains("permission denied"),
            "{sql}: {err}"
        );
    }
    let tx = enter(&conn, a).await;
    assert_eq!(
        count(
            &tx,
            "SELECT count(*) AS n FROM job_events WHERE type = 'job_created'",
            vec![]
        )
        .await,
        1
    );
}

#[tokio::test]
async fn the_setting_ends_with_its_transaction() {
    let db = TestDb::new().await;
    // One connection, so the second transaction runs on the same session as the first.
    let conn = db.connect_app().await;
    let (a, _) = seed(&conn, "alpha").await;
    let tx = enter(&conn, a).await;
    assert_eq!(
        count(&tx, "SELECT count(*) AS n FROM runner_jobs", vec![]).await,
        1
    );
    tx.commit().await.unwrap();
    let tx = conn.begin().await.unwrap();
    assert_eq!(
        count(&tx, "SELECT count(*) AS n FROM runner_jobs", vec![]).await,
        0
    );
}

#[tokio::test]
async fn a_malformed_setting_fails_closed() {
    let db = TestDb::new().await;
    let conn = db.connect_app().await;
    seed(&conn, "alpha").await;
    let tx = conn.begin().await.unwrap();
    tx.execute_raw(stmt(
        "SELECT set_config('runyard.workspace_id', 'not-a-uuid', true)",
        vec![],
    ))
    .await
    .unwrap();
    assert!(
        tx.query_one_raw(stmt("SELECT count(*) AS n FROM runner_jobs", vec![]))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_subject_sees_only_its_own_memberships() {
    let db = TestDb::new().await;
    let conn = db.connect_app().await;
    seed(&conn, "alpha").await;
    seed(&conn, "beta").await;
    let tx = conn.begin().await.unwrap();
    tx.execute_raw(stmt(
        "SELECT set_config('runyard.subject', 'alpha-owner', true)",
        vec![],
    ))
    .await
    .unwrap();
    assert_eq!(
        count(&tx, "SELECT count(*) AS n FROM workspace_members", vec![]).await,
        1
    );
    assert_eq!(
        count(
            &tx,
            "SELECT count(*) AS n FROM workspaces WHERE slug = 'alpha'",
            vec![]
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &tx,
            "SELECT count(*) AS n FROM workspaces WHERE slug = 'beta'",
            vec![]
        )
        .await,
        0
    );
    // A subject setting alone opens no job rows.
    assert_eq!(
        count(&tx, "SELECT count(*) AS n FROM runner_jobs", vec![]).await,
        0
    );
}

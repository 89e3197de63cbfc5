//! The migrations and the function definitions add up to the committed schema snapshot
//! (`migration/schema.snapshot.sql`): the current schema, readable in one place.

use runyard_testkit::TestDb;
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};

/// The environment variable that rewrites the snapshot from a freshly migrated database.
const BLESS: &str = "RUNYARD_BLESS_SCHEMA";
const SNAPSHOT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../migration/schema.snapshot.sql"
);

/// The schema as pg_catalog describes it, one item per line (functions span several),
/// in a fixed order: tables with their columns, row-level security, constraints, indexes,
/// policies, triggers, functions with their owner, security and grants, table grants.
const DESCRIBE: &str = r#"
WITH t AS (
    SELECT c.oid, c.relname, c.relrowsecurity, c.relforcerowsecurity, c.relacl
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
)
SELECT 1 AS part, t.relname AS name, lpad(a.attnum::text, 4, '0') AS sub,
       format('column %s.%s %s%s%s', t.relname, a.attname, format_type(a.atttypid, a.atttypmod),
              CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
              coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')) AS line
  FROM t JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = t.oid AND d.adnum = a.attnum
UNION ALL
SELECT 2, t.relname, '', format('table %s row level security %s, forced %s', t.relname,
       t.relrowsecurity, t.relforcerowsecurity)
  FROM t
UNION ALL
SELECT 3, t.relname, con.conname, format('constraint %s.%s %s', t.relname, con.conname,
       pg_get_constraintdef(con.oid))
  FROM t JOIN pg_constraint con ON con.conrelid = t.oid
UNION ALL
SELECT 4, t.relname, i.relname, pg_get_indexdef(i.oid)
  FROM t JOIN pg_index x ON x.indrelid = t.oid JOIN pg_class i ON i.oid = x.indexrelid
UNION ALL
SELECT 5, p.tablename, p.policyname, format('policy %s on %s for %s to %s using (%s) with check (%s)',
       p.policyname, p.tablename, p.cmd, p.roles::text, p.qual, p.with_check)
  FROM pg_policies p WHERE p.schemaname = 'public'
UNION ALL
SELECT 6, t.relname, tg.tgname, pg_get_triggerdef(tg.oid)
  FROM t JOIN pg_trigger tg ON tg.tgrelid = t.oid AND NOT tg.tgisinternal
UNION ALL
SELECT 7, p.proname, pg_get_function_identity_arguments(p.oid),
       format(E'-- owner %s, grants %s\n%s', pg_get_userbyid(p.proowner),
              coalesce(p.proacl::text, 'default'), pg_get_functiondef(p.oid))
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'public'
UNION ALL
SELECT 8, t.relname, '', format('grants on %s: %s', t.relname, coalesce(t.relacl::text, 'default'))
  FROM t
ORDER BY 1, 2, 3
"#;

async fn describe(db: &TestDb) -> String {
    let conn = Database::connect(&db.superuser_url)
        .await
        .expect("connect as a superuser");
    let rows = conn
        .query_all_raw(Statement::from_string(DbBackend::Postgres, DESCRIBE))
        .await
        .expect("describe the schema");
    let mut out = String::from(
        "-- The schema a database migrated from scratch has, as pg_catalog describes it.\n\
         -- Generated; to update: RUNYARD_BLESS_SCHEMA=1 cargo test -p runyard-tests --test it -- schema::\n",
    );
    for row in rows {
        let line: String = row.try_get("", "line").expect("a line");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    conn.close().await.ok();
    out
}

#[tokio::test]
async fn a_database_migrated_from_scratch_matches_the_schema_snapshot() {
    let db = TestDb::new().await;
    let actual = describe(&db).await;
    if std::env::var_os(BLESS).is_some() {
        std::fs::write(SNAPSHOT, &actual).expect("write the schema snapshot");
        return;
    }
    let expected = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    if actual != expected {
        let diff: Vec<String> = actual
            .lines()
            .zip(expected.lines().chain(std::iter::repeat("<end of file>")))
            .enumerate()
            .filter(|(_, (a, e))| a != e)
            .take(5)
            .map(|(i, (a, e))| format!("line {}: database has\n  {a}\nsnapshot has\n  {e}", i + 1))
            .collect();
        panic!(
            "migration/schema.snapshot.sql is stale (or the migrations changed the schema).\n\
             If the change is meant, run: {BLESS}=1 cargo test -p runyard-tests --test it -- schema::\n\
             First differences:\n{}",
            diff.join("\n")
        );
    }
}

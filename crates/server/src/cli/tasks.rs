//! `runyard tasks`: agent tasks, which group jobs and can be paused (their state kept in a
//! snapshot) and resumed.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use runyard_client::{AgentTask as Task, TaskDetail, TaskSnapshot as Snapshot, TaskStatus};
use serde_json::{Value, json};

use super::client::CliError;
use super::jobs::jobs_table;
use super::output::{self, Fields, Table};
use super::{Connection, Ctx, list_pages, parse};

pub const EXAMPLES: &str = "\
Examples:
  runyard tasks create -w acme --title 'Refactor the parser'
  runyard tasks list -w acme --status active
  runyard tasks pause -w acme 0197c3a2-... --reason 'waiting for review'
  runyard tasks snapshot -w acme 0197c3a2-... -o snapshot.json
  runyard tasks resume -w acme 0197c3a2-...";

#[derive(Debug, Args)]
pub struct TasksArgs {
    #[command(flatten)]
    pub conn: Connection,
    #[command(subcommand)]
    pub command: TasksCommand,
}

#[derive(Debug, Subcommand)]
pub enum TasksCommand {
    /// Create an agent task.
    #[command(
        after_help = "Examples:\n  runyard tasks create -w acme --title 'Refactor the parser'\n  runyard tasks create -w acme --title 'Triage' --metadata '{\"issue\": 42}'"
    )]
    Create {
        /// What the task is about.
        #[arg(long)]
        title: String,
        /// Free-form JSON kept with the task, or @FILE to read it from a file.
        #[arg(long, value_name = "JSON")]
        metadata: Option<String>,
    },
    /// List tasks, newest first.
    #[command(
        after_help = "Examples:\n  runyard tasks list -w acme\n  runyard tasks list -w acme --status paused --all"
    )]
    List {
        /// Only tasks in this status: active, paused, completed, failed, cancelled.
        #[arg(long, value_name = "STATUS")]
        status: Option<String>,
        /// Page size.
        #[arg(long, value_name = "N")]
        limit: Option<u32>,
        /// Follow `next_cursor` through every page.
        #[arg(long, conflicts_with = "cursor")]
        all: bool,
        /// Continue from the `next_cursor` of an earlier page.
        #[arg(long, value_name = "CURSOR")]
        cursor: Option<String>,
    },
    /// One task with its jobs and its snapshot, if any.
    #[command(
        after_help = "Example:\n  runyard tasks show -w acme 0197c3a2-7d1e-7c4b-9a57-2f0e8f1b6c11"
    )]
    Show(TaskId),
    /// Pause a task: its running job is asked to hand back its state as a snapshot.
    #[command(
        after_help = "Example:\n  runyard tasks pause -w acme 0197c3a2-... --reason 'waiting for review'"
    )]
    Pause {
        /// The task's id.
        #[arg(value_name = "ID")]
        id: String,
        /// Why, kept with the snapshot.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Resume a paused task: its work is queued again with the snapshot.
    #[command(
        after_help = "Example:\n  runyard tasks resume -w acme 0197c3a2-7d1e-7c4b-9a57-2f0e8f1b6c11"
    )]
    Resume(TaskId),
    /// Print (or save) a paused task's snapshot.
    #[command(
        after_help = "Examples:\n  runyard tasks snapshot -w acme 0197c3a2-...\n  runyard tasks snapshot -w acme 0197c3a2-... -o snapshot.json   # the log_snapshot only"
    )]
    Snapshot {
        /// The task's id.
        #[arg(value_name = "ID")]
        id: String,
        /// Write the snapshot's `log_snapshot` (pretty JSON) to this file; `-` for stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Finish a task as completed (or, with --status failed, as failed).
    #[command(
        after_help = "Examples:\n  runyard tasks complete -w acme 0197c3a2-...\n  runyard tasks complete -w acme 0197c3a2-... --status failed"
    )]
    Complete {
        /// The task's id.
        #[arg(value_name = "ID")]
        id: String,
        /// How it ended [default: completed].
        #[arg(long, value_enum)]
        status: Option<Outcome>,
    },
    /// Cancel a task.
    #[command(
        after_help = "Example:\n  runyard tasks cancel -w acme 0197c3a2-7d1e-7c4b-9a57-2f0e8f1b6c11"
    )]
    Cancel(TaskId),
}

#[derive(Debug, Args)]
pub struct TaskId {
    /// The task's id.
    #[arg(value_name = "ID")]
    id: String,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Outcome {
    Completed,
    Failed,
}

fn task_path<'a>(ws: &'a str, id: &'a str, action: Option<&'a str>) -> Vec<&'a str> {
    let mut segments = vec!["v1", "workspaces", ws, "agent-tasks", id];
    segments.extend(action);
    segments
}

pub async fn run(ctx: &Ctx, command: TasksCommand) -> Result<(), CliError> {
    let ws = ctx.workspace()?;
    match command {
        TasksCommand::Create { title, metadata } => {
            let mut body = json!({"title": title});
            if let Some(raw) = metadata {
                body["metadata"] = read_json("--metadata", &raw)?;
            }
            let task = ctx
                .api
                .post(&["v1", "workspaces", ws, "agent-tasks"], Some(&body))
                .await?;
            changed(ctx, task, "Created")
        }
        TasksCommand::List {
            status,
            limit,
            all,
            cursor,
        } => {
            let mut query = Vec::new();
            query.extend(status.map(|s| ("status", s)));
            query.extend(limit.map(|l| ("limit", l.to_string())));
            query.extend(cursor.map(|c| ("cursor", c)));
            let page = list_pages(
                ctx,
                &["v1", "workspaces", ws, "agent-tasks"],
                query,
                all,
                "tasks",
            )
            .await?;
            if ctx.json {
                return Ok(output::print_json(&page)?);
            }
            let tasks: Vec<Task> = parse(page["items"].clone())?;
            tasks_table(tasks).print("No tasks found.")?;
            Ok(())
        }
        TasksCommand::Show(TaskId { id }) => {
            let found = ctx.api.get(&task_path(ws, &id, None), &[]).await?;
            if ctx.json {
                return Ok(output::print_json(&found)?);
            }
            let detail: TaskDetail = parse(found)?;
            std::io::stdout()
                .lock()
                .write_all(render_detail(detail).as_bytes())?;
            Ok(())
        }
        TasksCommand::Pause { id, reason } => {
            let body = match reason {
                Some(r) => json!({"reason": r}),
                None => json!({}),
            };
            let task = ctx
                .api
                .post(&task_path(ws, &id, Some("pause")), Some(&body))
                .await?;
            changed(ctx, task, "Paused")
        }
        TasksCommand::Resume(TaskId { id }) => {
            let task = ctx
                .api
                .post(&task_path(ws, &id, Some("resume")), None)
                .await?;
            changed(ctx, task, "Resumed")
        }
        TasksCommand::Snapshot { id, output: target } => {
            let found = ctx
                .api
                .get(&task_path(ws, &id, Some("snapshot")), &[])
                .await?;
            if ctx.json && target.is_none() {
                return Ok(output::print_json(&found)?);
            }
            let snapshot: Snapshot = parse(found)?;
            match target {
                Some(path) => {
                    let mut text = serde_json::to_string_pretty(&snapshot.log_snapshot)
                        .map_err(anyhow::Error::from)?;
                    text.push('\n');
                    if path.as_os_str() == "-" {
                        std::io::stdout().lock().write_all(text.as_bytes())?;
                    } else {
                        std::fs::write(&path, text).map_err(|e| {
                            CliError::Other(anyhow::anyhow!("writing {}: {e}", path.display()))
                        })?;
                        eprintln!(
                            "Wrote the {} snapshot of task {} to {}.",
                            snapshot.kind,
                            snapshot.task_id,
                            path.display()
                        );
                    }
                }
                None => {
                    std::io::stdout()
                        .lock()
                        .write_all(render_snapshot(&snapshot).as_bytes())?;
                }
            }
            Ok(())
        }
        TasksCommand::Complete { id, status } => {
            let body = match status {
                Some(Outcome::Completed) => json!({"status": "completed"}),
                Some(Outcome::Failed) => json!({"status": "failed"}),
                None => json!({}),
            };
            let task = ctx
                .api
                .post(&task_path(ws, &id, Some("complete")), Some(&body))
                .await?;
            changed(ctx, task, "Finished")
        }
        TasksCommand::Cancel(TaskId { id }) => {
            let task = ctx
                .api
                .post(&task_path(ws, &id, Some("cancel")), None)
                .await?;
            changed(ctx, task, "Cancelled")
        }
    }
}

/// Inline JSON or `@file`.
fn read_json(flag: &str, raw: &str) -> Result<Value, CliError> {
    let (text, source) = match raw.strip_prefix('@') {
        Some(path) => (
            std::fs::read_to_string(path)
                .map_err(|e| CliError::Usage(format!("{flag} @{path}: {e}")))?,
            path,
        ),
        None => (raw.to_owned(), flag),
    };
    serde_json::from_str(&text)
        .map_err(|e| CliError::Usage(format!("{source} is not valid JSON: {e}")))
}

/// Prints the task a change returned.
fn changed(ctx: &Ctx, answer: Value, done: &str) -> Result<(), CliError> {
    if ctx.json {
        return Ok(output::print_json(&answer)?);
    }
    let task: Task = parse(answer)?;
    let mut line = format!("{done} task {} ({}): {}", task.id, task.title, task.status);
    if task.status == TaskStatus::Active && task.pause_requested_at.is_some() {
        line.push_str(" (pause requested: its running job hands back a snapshot)");
    }
    output::say(line)?;
    Ok(())
}

fn tasks_table(tasks: Vec<Task>) -> Table {
    let mut table = Table::new(&["ID", "TITLE", "STATUS", "LAST ACTIVITY", "CREATED"]);
    for t in tasks {
        table.row(vec![
            t.id,
            output::truncate(&t.title, 60),
            t.status.to_string(),
            output::ago_opt(Some(t.last_activity_at)),
            output::ago(t.created_at),
        ]);
    }
    table
}

fn render_detail(detail: TaskDetail) -> String {
    let t = &detail.task;
    let mut status = t.status.to_string();
    if let (Some(at), None) = (t.pause_requested_at, t.paused_at) {
        status.push_str(&format!(" (pause requested {})", output::ago(at)));
    }
    let mut fields = Fields::new();
    fields
        .add("id", &t.id)
        .add("title", &t.title)
        .add("status", status)
        .add("paused", output::time_opt(t.paused_at))
        .add("last activity", output::time_opt(Some(t.last_activity_at)))
        .add(
            "created",
            format!("{} by {}", output::time(t.created_at), t.created_by),
        )
        .add("updated", output::time_opt(Some(t.updated_at)));
    if !t.metadata.is_null() {
        fields.add(
            "metadata",
            serde_json::to_string_pretty(&t.metadata).unwrap_or_default(),
        );
    }
    let mut out = fields.render();
    out.push_str("\nSnapshot:\n");
    match &detail.snapshot {
        None => out.push_str("  (none)\n"),
        Some(s) => {
            let mut f = Fields::new();
            f.add("  kind", s.kind.as_str())
                .add("  reason", output::or_dash(s.reason.as_deref()))
                .add("  job", output::or_dash(s.job_id.as_deref()))
                .add("  taken", output::time(s.created_at));
            out.push_str(&f.render());
        }
    }
    out.push_str("\nJobs:\n");
    if detail.jobs.is_empty() {
        out.push_str("  (none)\n");
    } else {
        out.push_str(&jobs_table(detail.jobs).render());
    }
    out
}

fn render_snapshot(s: &Snapshot) -> String {
    let mut f = Fields::new();
    f.add("task", &s.task_id)
        .add("kind", s.kind.as_str())
        .add("reason", output::or_dash(s.reason.as_deref()))
        .add("job", output::or_dash(s.job_id.as_deref()))
        .add("taken", output::time(s.created_at))
        .add(
            "log snapshot",
            serde_json::to_string_pretty(&s.log_snapshot).unwrap_or_default(),
        );
    f.render()
}

#[cfg(test)]
mod tests {
    //! The task endpoints' shapes, as the API contract gives them, read and rendered.
    use super::*;

    const TASK: &str = r#"{"id": "0197c3a2-0000-7000-8000-000000000001",
        "workspace_id": "0197c3a2-0000-7000-8000-0000000000ff", "title": "Refactor",
        "status": "paused", "metadata": {"issue": 42}, "pause_requested_at": "2030-01-01T10:00:00Z",
        "paused_at": "2030-01-01T10:00:05Z", "last_activity_at": "2030-01-01T10:00:05Z",
        "created_by": "user:alice", "created_at": "2030-01-01T09:00:00Z",
        "updated_at": "2030-01-01T10:00:05Z"}"#;

    #[test]
    fn a_task_with_its_jobs_and_snapshot_renders() {
        let job = r#"{"id": "0197c3a2-0000-7000-8000-0000000000aa",
            "workspace_id": "0197c3a2-0000-7000-8000-0000000000ff", "type": "command",
            "payload": {}, "status": "PAUSED", "requires_approval": false, "attempt": 1,
            "max_attempts": 3, "priority": 0, "labels": [], "run_after": "2030-01-01T09:30:00Z",
            "timeout_seconds": 3600, "backoff_seconds": 10, "created_by": "user:alice",
            "created_at": "2030-01-01T09:30:00Z", "updated_at": "2030-01-01T09:30:00Z"}"#;
        let body = format!(
            r#"{{"task": {TASK}, "jobs": [{job}], "snapshot": {{"job_id": null,
            "reason": "review", "kind": "manual", "created_at": "2030-01-01T10:00:05Z"}},
            "usage": {{"ai_calls": 0, "input_tokens": 0, "output_tokens": 0, "cost_usd": "0"}}}}"#
        );
        let detail: TaskDetail = serde_json::from_str(&body).unwrap();
        let text = render_detail(detail);
        assert!(text.contains("status:        paused\n"), "{text}");
        assert!(text.contains("\"issue\": 42"), "{text}");
        assert!(text.contains("  kind:   manual\n"), "{text}");
        assert!(text.contains("  reason: review\n"), "{text}");
        assert!(
            text.contains("0197c3a2-0000-7000-8000-0000000000aa  command  PAUSED  1/3"),
            "{text}"
        );
    }

    #[test]
    fn a_task_without_a_snapshot_or_jobs_says_so() {
        let detail: TaskDetail = serde_json::from_str(&format!(
            r#"{{"task": {TASK}, "jobs": [], "snapshot": null,
            "usage": {{"ai_calls": 0, "input_tokens": 0, "output_tokens": 0, "cost_usd": "0"}}}}"#
        ))
        .unwrap();
        let text = render_detail(detail);
        assert!(text.contains("Snapshot:\n  (none)\n"), "{text}");
        assert!(text.contains("Jobs:\n  (none)\n"), "{text}");
    }

    #[test]
    fn a_snapshot_renders_with_its_log() {
        let s: Snapshot = serde_json::from_str(
            r#"{"task_id": "t1", "job_id": "j1", "kind": "auto", "reason": null,
                "log_snapshot": {"messages": ["hi"]}, "created_at": "2030-01-01T10:00:05Z"}"#,
        )
        .unwrap();
        let text = render_snapshot(&s);
        assert!(
            text.starts_with("task:         t1\nkind:         auto\n"),
            "{text}"
        );
        assert!(text.contains("\"messages\": ["), "{text}");
    }

    #[test]
    fn task_lists_render_as_a_table() {
        let tasks: Vec<Task> = serde_json::from_str(&format!("[{TASK}]")).unwrap();
        let text = tasks_table(tasks).render();
        assert!(text.starts_with("ID  "), "{text}");
        assert!(text.contains("Refactor  paused"), "{text}");
    }
}

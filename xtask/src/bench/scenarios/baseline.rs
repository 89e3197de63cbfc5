//! Baseline: pgbench raw inserts, one per transaction — what the database alone does.

use crate::bench::report::{Figure, int};
use crate::bench::stats::midway;
use crate::bench::{Ctx, heading, sql};

pub(in crate::bench) async fn baseline(ctx: &mut Ctx, ws: &str) -> anyhow::Result<()> {
    heading("baseline: pgbench raw inserts, one per transaction");
    let su = ctx.server.superuser();
    sql::psql(
        &su,
        "CREATE TABLE IF NOT EXISTS bench_raw (\n\
           id uuid DEFAULT gen_random_uuid() PRIMARY KEY,\n\
           workspace_id uuid,\n\
           type text,\n\
           payload jsonb,\n\
           created_at timestamptz DEFAULT now());\n",
    )
    .await?;
    let script = ctx.server.data_dir.join("bench_raw.sql");
    std::fs::write(
        &script,
        format!(
            "\\set n random(1, 1000000000)\n\
             INSERT INTO bench_raw (workspace_id, type, payload) \
             VALUES ('{ws}', 'noop', jsonb_build_object('n', :n));\n"
        ),
    )?;
    for &clients in ctx.plan.enqueue_clients {
        sql::psql(&su, "TRUNCATE bench_raw;\nCHECKPOINT;\n").await?;
        let secs = ctx.plan.baseline.as_secs();
        let meter = ctx.meter(midway(ctx.plan.baseline)).await;
        let run = sql::pgbench(&su, &script, clients, secs).await?;
        let phase = format!("baseline pgbench c={clients}");
        let cpu = meter
            .finish(&phase, Some(run.transactions), "inserts")
            .await;
        ctx.cpu(cpu);
        ctx.tool_commands.push(run.command.clone());
        ctx.baseline.push((clients, run.tps));
        ctx.record(
            Figure::info(
                format!("Baseline raw INSERT, {clients} clients"),
                run.tps,
                "tps",
            )
            .note(format!(
                "pgbench, {} transactions, {} failed",
                int(run.transactions),
                run.failed
            ))
            .phases(&[&phase]),
        );
    }
    Ok(())
}

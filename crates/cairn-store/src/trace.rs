//! A statement trace for benchmarks: every statement a server runs, with its parameters,
//! appended to a file as JSON lines; and a replayer that runs the read statements of such a
//! trace straight through the database driver, one after another on one connection.
//!
//! `scripts/bench` records the statements of one request per benchmarked route, replays them,
//! and prints Cairn's latency beside the replay's, so the cost of everything Cairn adds over
//! its SQL (HTTP, authentication, permission checks, mapping and rendering) is visible as a
//! ratio. Tracing is off unless `cairn serve --trace-sql FILE` asks for it; it is never on in
//! a measured run.

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde::{Deserialize, Serialize};

use crate::Store;

#[derive(Serialize, Deserialize)]
struct Traced {
    sql: String,
    values: Vec<sea_query::Value>,
    micros: u64,
}

impl Store {
    /// Appends every statement this store runs to `path` (opened in append mode, so the file
    /// can be truncated between requests). Call before the store is shared.
    pub fn trace_statements_to(&mut self, path: &Path) -> std::io::Result<()> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        let sink = Arc::new(Mutex::new(file));
        for conn in [&mut self.writer, &mut self.reader] {
            let sink = sink.clone();
            conn.set_metric_callback(move |info| {
                let line = Traced {
                    sql: info.statement.sql.clone(),
                    values: info
                        .statement
                        .values
                        .as_ref()
                        .map(|v| v.0.clone())
                        .unwrap_or_default(),
                    micros: info.elapsed.as_micros() as u64,
                };
                if let (Ok(json), Ok(mut f)) = (serde_json::to_string(&line), sink.lock()) {
                    let _ = writeln!(f, "{json}");
                }
            });
        }
        Ok(())
    }
}

/// What a replay measured.
#[derive(Debug, Clone, Serialize)]
pub struct Replay {
    /// Read statements replayed (writes in the trace, such as a session's last-seen time,
    /// are skipped: replaying them would change the data).
    pub statements: usize,
    pub skipped_writes: usize,
    /// Median over the runs of the time to run all of them, one after another.
    pub all_ms: f64,
    /// The slowest statement's median time: the request's main query.
    pub main_ms: f64,
    /// The start of its SQL.
    pub main_sql: String,
}

/// Runs the read statements of a trace `runs` times on the store's read connection.
pub async fn replay(store: &Store, trace: &Path, runs: usize) -> Result<Replay, crate::DbErr> {
    let backend = match store.backend() {
        crate::Backend::Sqlite => DbBackend::Sqlite,
        crate::Backend::Postgres => DbBackend::Postgres,
    };
    let file = std::fs::File::open(trace).map_err(|e| crate::DbErr::Custom(e.to_string()))?;
    let mut statements = Vec::new();
    let mut skipped_writes = 0;
    for line in std::io::BufReader::new(file).lines() {
        let line = line.map_err(|e| crate::DbErr::Custom(e.to_string()))?;
        let Ok(t) = serde_json::from_str::<Traced>(&line) else {
            continue;
        };
        let head = t.sql.trim_start().to_ascii_uppercase();
        if !(head.starts_with("SELECT") || head.starts_with("WITH")) {
            skipped_writes += 1;
            continue;
        }
        statements.push(Statement::from_sql_and_values(backend, t.sql, t.values));
    }
    let runs = runs.max(1);
    let mut per_statement = vec![Vec::with_capacity(runs); statements.len()];
    let mut totals = Vec::with_capacity(runs);
    // One warm-up pass, as the measured requests ran on a warm server.
    for s in &statements {
        store.reader().query_all_raw(s.clone()).await?;
    }
    for _ in 0..runs {
        let mut total = Duration::ZERO;
        for (i, s) in statements.iter().enumerate() {
            let started = Instant::now();
            store.reader().query_all_raw(s.clone()).await?;
            let took = started.elapsed();
            per_statement[i].push(took);
            total += took;
        }
        totals.push(total);
    }
    let medians: Vec<Duration> = per_statement.into_iter().map(median).collect();
    let (main_index, main) = medians
        .iter()
        .enumerate()
        .max_by_key(|(_, d)| **d)
        .map(|(i, d)| (Some(i), *d))
        .unwrap_or((None, Duration::ZERO));
    Ok(Replay {
        statements: statements.len(),
        skipped_writes,
        all_ms: ms(median(totals)),
        main_ms: ms(main),
        main_sql: main_index
            .map(|i| statements[i].sql.chars().take(120).collect())
            .unwrap_or_default(),
    })
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0
}

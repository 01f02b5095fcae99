//! `cairn`: see `cairn --help`.

use clap::Parser;

/// mimalloc instead of glibc's malloc: under load, rows and responses are allocated on one
/// thread (a SQLite worker, a Tokio worker) and freed on another, and glibc's arena locks
/// then cost more than the work itself (measured with perf on the board benchmark). The
/// `override` feature also replaces `malloc` and `free` for the C code linked in, so SQLite's
/// own allocations take the same path.
///
/// The `no_thp` feature turns transparent huge pages off for the process (`PR_SET_THP_DISABLE`).
/// mimalloc commits its arena eagerly, and with huge pages each first touch of that arena
/// brought in 2 MiB: an idle server with the large data set held 41-64 MB, 20-43 MB of it
/// huge pages it barely used; without them it holds 30 MB. Board, dashboard and My work
/// throughput showed no difference beyond run-to-run noise in an A/B.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = cairn::cli::Cli::parse();
    cairn::cli::init_logging(cli.global.log_format);
    match cairn::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

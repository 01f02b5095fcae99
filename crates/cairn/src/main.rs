//! `cairn`: see `cairn --help`.

use clap::Parser;

/// mimalloc instead of glibc's malloc: under load, rows and responses are allocated on one
/// thread (a SQLite worker, a Tokio worker) and freed on another, and glibc's arena locks
/// then cost more than the work itself (measured with perf on the board benchmark). The
/// `override` feature also replaces `malloc` and `free` for the C code linked in, so SQLite's
/// own allocations take the same path.
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

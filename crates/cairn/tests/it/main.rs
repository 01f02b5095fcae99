//! Cairn's integration tests: one binary (each file under `tests/` would link separately).
//! Every test starts the real HTTP app on a free port against its own database: a fresh
//! SQLite file, or a fresh PostgreSQL database when `CAIRN_TEST_DATABASE_URL` is set.

mod harness;

mod accounts;
mod api_conventions;
mod audit;
mod backup;
#[cfg(unix)]
mod bench_tools;
#[cfg(unix)]
mod binary;
mod browser;
#[cfg(unix)]
mod crash;
mod crm;
mod delivery;
mod demo;
mod docs;
mod exports;
mod members;
mod sessions;
mod store;
mod tenancy;
mod tokens;
mod ui_delivery;

//! The Cairn binary as a library: configuration, wiring and the HTTP server, so the
//! integration tests start exactly what `cairn serve` starts.

pub mod backup;
pub mod cli;
pub mod demo;
pub mod seed;
pub mod server;

use std::path::{Path, PathBuf};

use anyhow::Context;
use cairn_core::secrets::{Cipher, random_bytes};
use cairn_core::{Cairn, Config};
use cairn_store::Store;

/// Where the data lives and how to reach the database.
#[derive(Debug, Clone)]
pub struct Paths {
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
}

impl Paths {
    /// The database URL: the one given, or SQLite in the data directory.
    pub fn database_url(&self) -> anyhow::Result<String> {
        match &self.database_url {
            Some(u) => Ok(u.clone()),
            None => Store::sqlite_url_for(&self.data_dir).context("creating the data directory"),
        }
    }
}

/// Loads the installation key: `CAIRN_SECRET_KEY` (64 hex characters) or
/// `<data-dir>/secret.key`, created with 32 random bytes on first start. It encrypts TOTP
/// seeds (and later vault secrets) and never enters the database.
pub fn load_key(data_dir: &Path) -> anyhow::Result<[u8; 32]> {
    if let Ok(hex_key) = std::env::var("CAIRN_SECRET_KEY") {
        return parse_key(hex_key.trim())
            .context("CAIRN_SECRET_KEY must be 64 hexadecimal characters");
    }
    let path = data_dir.join("secret.key");
    if path.exists() {
        let raw = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        return parse_key(raw.trim())
            .with_context(|| format!("{} must hold 64 hexadecimal characters", path.display()));
    }
    std::fs::create_dir_all(data_dir).context("creating the data directory")?;
    let key = random_bytes::<32>();
    write_private(&path, &hex_encode(&key))
        .with_context(|| format!("writing {}", path.display()))?;
    tracing::info!(path = %path.display(), "created the installation key; back it up separately from the database");
    Ok(key)
}

fn hex_encode(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn parse_key(s: &str) -> anyhow::Result<[u8; 32]> {
    anyhow::ensure!(s.len() == 64, "wrong length");
    let mut out = [0u8; 32];
    for (i, chunk) in s.as_bytes().chunks(2).enumerate() {
        out[i] = u8::from_str_radix(std::str::from_utf8(chunk)?, 16)?;
    }
    Ok(out)
}

/// Writes a new file readable only by its owner, all at once: the content goes to a
/// temporary file that is synced and then hard-linked to `path` (which fails if `path`
/// exists), so a crash never leaves an empty or half-written key behind.
#[cfg(unix)]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let partial = path.with_extension(format!("partial-{}", std::process::id()));
    let written = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&partial)?;
        f.write_all(content.as_bytes())?;
        f.sync_all()?;
        std::fs::hard_link(&partial, path)?;
        if let Some(dir) = path.parent() {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    })();
    let _ = std::fs::remove_file(&partial);
    written
}

#[cfg(not(unix))]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    std::fs::write(path, content)
}

/// Connects, migrates and wires the core.
pub async fn open(paths: &Paths, config: Config) -> anyhow::Result<Cairn> {
    open_traced(paths, config, None).await
}

/// [`open`], appending every SQL statement to `trace` when given (benchmarks only).
pub async fn open_traced(
    paths: &Paths,
    config: Config,
    trace: Option<&Path>,
) -> anyhow::Result<Cairn> {
    let url = paths.database_url()?;
    let mut store = Store::connect(&url)
        .await
        .with_context(|| format!("connecting to the database ({})", redact_url(&url)))?;
    let applied = cairn_store::migrations::migrate(&store)
        .await
        .context("applying migrations")?;
    for m in applied {
        tracing::info!(migration = m, "applied migration");
    }
    store
        .optimize()
        .await
        .context("refreshing planner statistics")?;
    if let Some(trace) = trace {
        store
            .trace_statements_to(trace)
            .with_context(|| format!("opening the statement trace {}", trace.display()))?;
    }
    let key = load_key(&paths.data_dir)?;
    Ok(Cairn::new(store, Cipher::new(&key), config))
}

/// Hides a password in a database URL for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_private_file_is_written_whole_once_and_readable_only_by_its_owner() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("cairn-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("secret.key");
        let _ = std::fs::remove_file(&path);
        write_private(&path, "first").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        // Never overwrites, and leaves no temporary file either way.
        assert!(write_private(&path, "second").is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first");
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! The command line: `cairn serve`, `migrate`, `backup`, `restore`, `admin …`, `audit verify`,
//! `docs …`, and the hidden `bench-data` generator.

use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use cairn_core::{Config, RequestMeta};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::Paths;

/// Cairn: the self-hosted operating system for agencies and studios.
#[derive(Debug, Parser)]
#[command(name = "cairn", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Directory for the SQLite database, the installation key and files.
    #[arg(long, env = "CAIRN_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
    /// Database URL; default SQLite in the data directory. `postgres://…` for PostgreSQL.
    #[arg(long, env = "CAIRN_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Log format.
    #[arg(
        long,
        env = "CAIRN_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (applies migrations first).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Write a consistent snapshot of the SQLite database while the server runs.
    Backup {
        /// The file to write (it must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Replace the SQLite database with a backup, after checking it (stop the server first;
    /// the current database is kept beside it as `cairn.db.before-restore-<time>`).
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
    },
    /// Manage users and owners.
    #[command(subcommand)]
    Admin(Admin),
    /// Audit log tools.
    #[command(subcommand)]
    Audit(Audit),
    /// Generated documentation.
    #[command(subcommand)]
    Docs(Docs),
    /// Create (or refresh) a demo workspace with realistic data and one login per role;
    /// `--scale large` adds the large data set. Refuses any workspace it did not create.
    Demo(DemoArgs),
    /// Replay the read statements of a `serve --trace-sql` file straight through the database
    /// driver and print their timings as JSON (benchmarks: Cairn's overhead over its SQL).
    #[command(hide = true)]
    BenchReplay {
        /// The trace file.
        #[arg(long)]
        trace: PathBuf,
        /// Timed runs (after one warm-up run).
        #[arg(long, default_value_t = 50)]
        runs: usize,
    },
    /// Fill a workspace with a large synthetic CRM data set for benchmarks (no audit entries;
    /// see docs/benchmarks.md).
    #[command(hide = true)]
    BenchData(BenchDataArgs),
}

/// `cairn bench-data` options.
#[derive(Debug, Args)]
pub struct BenchDataArgs {
    /// Slug of the workspace to fill (it must exist and have at least one member).
    #[arg(long)]
    pub workspace: String,
    /// Number of clients to generate.
    #[arg(long, default_value_t = 10_000)]
    pub clients: u64,
    /// Contacts per client (the first is the primary contact).
    #[arg(long, default_value_t = 10)]
    pub contacts_per_client: u64,
    /// Tags in the workspace list; each client gets 0 to 3 of them.
    #[arg(long, default_value_t = 12)]
    pub tags: usize,
    /// Projects to generate (each with milestones and role slots); the first, "Bench board",
    /// gets 500 tasks.
    #[arg(long, default_value_t = 0)]
    pub projects: u64,
    /// Tasks to spread over the projects.
    #[arg(long, default_value_t = 0)]
    pub tasks: u64,
    /// Seed of the generator: the same seed gives the same names, statuses, owners and tags.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Run ANALYZE on SQLite afterwards (always done on PostgreSQL). Off by default: the
    /// server never analyzes SQLite, so the default shows the planner as production sees it.
    #[arg(long)]
    pub analyze: bool,
}

/// `cairn demo` options.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Slug of the demo workspace.
    #[arg(long, default_value = "demo")]
    pub workspace: String,
    /// Add bulk data: `large` is 10,000 clients, 100,000 contacts, 5,000 projects and
    /// 1,000,000 tasks in the demo workspace plus 50 smaller workspaces (sizes below).
    #[arg(long, value_enum)]
    pub scale: Option<DemoScale>,
    /// Generated clients in the demo workspace.
    #[arg(long, requires = "scale")]
    pub clients: Option<u64>,
    /// Mean contacts per generated client (a few big clients have many, most have few).
    #[arg(long, requires = "scale")]
    pub contacts_per_client: Option<u64>,
    /// Generated projects in the demo workspace.
    #[arg(long, requires = "scale")]
    pub projects: Option<u64>,
    /// Generated tasks in the demo workspace.
    #[arg(long, requires = "scale")]
    pub tasks: Option<u64>,
    /// Staff members added to the demo workspace.
    #[arg(long, requires = "scale")]
    pub staff: Option<u64>,
    /// Smaller demo workspaces to create next to it (`<slug>-small-01`, ...).
    #[arg(long, requires = "scale", value_parser = clap::value_parser!(u64).range(0..=999))]
    pub workspaces: Option<u64>,
    /// Clients of each smaller workspace.
    #[arg(long, requires = "scale")]
    pub small_clients: Option<u64>,
    /// Projects of each smaller workspace.
    #[arg(long, requires = "scale")]
    pub small_projects: Option<u64>,
    /// Tasks of each smaller workspace.
    #[arg(long, requires = "scale")]
    pub small_tasks: Option<u64>,
    /// Seed of the generators.
    #[arg(long, requires = "scale")]
    pub seed: Option<u64>,
}

/// Sizes `cairn demo --scale` knows.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DemoScale {
    Large,
}

impl DemoArgs {
    /// The demo's options: the scale's default sizes with the flags given on top.
    pub fn options(&self) -> crate::demo::Options {
        let scale = self.scale.map(|DemoScale::Large| {
            let d = crate::demo::Scale::large();
            crate::demo::Scale {
                clients: self.clients.unwrap_or(d.clients),
                contacts_per_client: self.contacts_per_client.unwrap_or(d.contacts_per_client),
                projects: self.projects.unwrap_or(d.projects),
                tasks: self.tasks.unwrap_or(d.tasks),
                staff: self.staff.unwrap_or(d.staff),
                workspaces: self.workspaces.unwrap_or(d.workspaces),
                small_clients: self.small_clients.unwrap_or(d.small_clients),
                small_projects: self.small_projects.unwrap_or(d.small_projects),
                small_tasks: self.small_tasks.unwrap_or(d.small_tasks),
                seed: self.seed.unwrap_or(d.seed),
            }
        });
        crate::demo::Options {
            workspace: self.workspace.clone(),
            scale,
        }
    }
}

/// `cairn serve` options.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "CAIRN_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Public base URL (https turns on secure cookies and HSTS). Default: http://<bind>.
    #[arg(long, env = "CAIRN_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "CAIRN_SESSION_IDLE_MINUTES", default_value_t = 30)]
    pub session_idle_minutes: u64,
    /// Hours after sign-in at which a session ends regardless of activity.
    #[arg(long, env = "CAIRN_SESSION_MAX_HOURS", default_value_t = 12)]
    pub session_max_hours: u64,
    /// Megabytes of board and list results kept until the workspace changes (0 turns the read
    /// cache off; see docs/architecture.md).
    #[arg(long, env = "CAIRN_READ_CACHE_MB", default_value_t = 24)]
    pub read_cache_mb: u64,
    /// Append every SQL statement, with its parameters, to this file (benchmarks only: it
    /// slows every query; see `cairn bench-replay`).
    #[arg(long, hide = true)]
    pub trace_sql: Option<PathBuf>,
}

/// `cairn admin …`
#[derive(Debug, Subcommand)]
pub enum Admin {
    /// Create a workspace and its first owner.
    CreateOwner {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        workspace: String,
        /// Read the password from standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Create a user in a workspace with a role.
    CreateUser {
        #[arg(long)]
        workspace: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["owner", "admin", "member", "viewer"])]
        role: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Set a user's password (ends all their sessions).
    ResetPassword {
        #[arg(long)]
        email: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Grant (or with --revoke, remove) the platform-admin flag.
    PlatformAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        revoke: bool,
    },
}

/// `cairn audit …`
#[derive(Debug, Subcommand)]
pub enum Audit {
    /// Recompute every hash chain and report the first broken link.
    Verify,
}

/// `cairn docs …`
#[derive(Debug, Subcommand)]
pub enum Docs {
    /// Print the permission matrix as Markdown (docs/permissions.md).
    Permissions,
    /// Print the OpenAPI document.
    Openapi,
}

fn read_password() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context("reading the password from standard input")?;
    let s = s.trim_end_matches(['\n', '\r']).to_string();
    if s.is_empty() {
        bail!("no password on standard input");
    }
    Ok(s)
}

/// Sets up logging.
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn,tower_http=info")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let paths = Paths {
        data_dir: cli.global.data_dir.clone(),
        database_url: cli.global.database_url.clone(),
    };
    match cli.command {
        Command::Docs(Docs::Permissions) => {
            print!("{}", cairn_domain::permissions::render_markdown());
            Ok(())
        }
        Command::Docs(Docs::Openapi) => {
            println!("{}", cairn_web::openapi_json());
            Ok(())
        }
        Command::Migrate => {
            crate::open(&paths, Config::default()).await?;
            println!("migrations are up to date");
            Ok(())
        }
        Command::Serve(args) => serve(paths, args).await,
        Command::BenchData(args) => bench_data(paths, args).await,
        Command::Demo(args) => {
            let app = crate::open(&paths, Config::default()).await?;
            let report = crate::demo::run(&app, &args.options()).await;
            app.store.close().await;
            println!("{}", report?);
            Ok(())
        }
        Command::Admin(a) => admin(paths, a).await,
        Command::BenchReplay { trace, runs } => {
            let store = cairn_store::Store::connect(&paths.database_url()?).await?;
            let replay = cairn_store::trace::replay(&store, &trace, runs).await?;
            println!("{}", serde_json::to_string(&replay)?);
            store.close().await;
            Ok(())
        }
        Command::Backup { to } => {
            let info = crate::backup::backup(&paths, &to).await?;
            println!("backed up to {}: {info}", to.display());
            println!(
                "the installation key is not in the backup: keep {} (or CAIRN_SECRET_KEY) safe as well",
                paths.data_dir.join("secret.key").display()
            );
            Ok(())
        }
        Command::Restore { from } => {
            let r = crate::backup::restore(&paths, &from).await?;
            println!("restored {}: {}", from.display(), r.info);
            if let Some(previous) = r.previous {
                println!("the replaced database is kept at {}", previous.display());
            }
            for m in r.migrated {
                println!("applied migration {m}");
            }
            Ok(())
        }
        Command::Audit(Audit::Verify) => {
            let app = crate::open(&paths, Config::default()).await?;
            let r = cairn_core::audit::verify(&app.store).await?;
            match r.first_break {
                None => {
                    println!("ok: {} entries in {} chains verified", r.entries, r.chains);
                    Ok(())
                }
                Some((chain, seq, why)) => {
                    bail!("broken link in chain {chain} at entry {seq}: {why}")
                }
            }
        }
    }
}

async fn admin(paths: Paths, cmd: Admin) -> anyhow::Result<()> {
    let app = crate::open(&paths, Config::default()).await?;
    let cli_meta = RequestMeta {
        ip: None,
        user_agent: Some("cairn cli".into()),
    };
    match cmd {
        Admin::CreateOwner {
            email,
            name,
            workspace,
            ..
        } => {
            let password = read_password()?;
            let input = cairn_core::accounts::NewOwner {
                workspace,
                name,
                email: email.clone(),
                password,
            };
            let (_, ws) = app
                .create_owner(input, &cli_meta)
                .await
                .map_err(anyhow::Error::msg)?;
            println!("created workspace {ws} with owner {email}");
        }
        Admin::CreateUser {
            workspace,
            email,
            name,
            role,
            ..
        } => {
            let password = read_password()?;
            app.cli_create_user(&workspace, &email, &name, &role, &password)
                .await
                .map_err(anyhow::Error::msg)?;
            println!("created {email} as {role}");
        }
        Admin::ResetPassword { email, .. } => {
            let password = read_password()?;
            app.reset_password(&email, &password)
                .await
                .map_err(anyhow::Error::msg)?;
            println!("password reset for {email}; their sessions were ended");
        }
        Admin::PlatformAdmin { email, revoke } => {
            app.set_platform_admin(&email, !revoke)
                .await
                .map_err(anyhow::Error::msg)?;
            println!(
                "{email} is {}a platform admin",
                if revoke { "no longer " } else { "" }
            );
        }
    }
    app.store.close().await;
    Ok(())
}

async fn bench_data(paths: Paths, args: BenchDataArgs) -> anyhow::Result<()> {
    let app = crate::open(&paths, Config::default()).await?;
    let summary_workspace = args.workspace.clone();
    let summary = crate::seed::generate(
        &app.store,
        &crate::seed::Options {
            workspace: args.workspace,
            clients: args.clients,
            contacts_per_client: args.contacts_per_client,
            tags: args.tags,
            seed: args.seed,
            analyze: args.analyze,
            skewed: false,
        },
    )
    .await?;
    println!("{summary}");
    let delivery = crate::seed::delivery::generate(
        &app.store,
        &crate::seed::delivery::Options {
            workspace: summary_workspace,
            projects: args.projects,
            tasks: args.tasks,
            seed: args.seed,
            analyze: args.analyze,
            skewed: false,
        },
    )
    .await?;
    if args.projects > 0 {
        println!("{delivery}");
    }
    // A bulk load leaves the data in the write-ahead log; a running server checkpoints as it
    // goes, so the benchmark should not start from a WAL of hundreds of megabytes that every
    // read has to search.
    if app.store.backend() == cairn_store::Backend::Sqlite {
        use cairn_store::sea_orm::ConnectionTrait;
        app.store
            .writer()
            .execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await?;
    }
    app.store.close().await;
    Ok(())
}

async fn serve(paths: Paths, args: ServeArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    // One server per SQLite file (it is the single writer), and no restore beneath it.
    let _lock = match crate::backup::sqlite_file(&paths) {
        Ok(_) => Some(crate::backup::DataDirLock::acquire(
            &paths.data_dir,
            "starting another server",
        )?),
        Err(_) => None,
    };
    let config = Config {
        session_idle: Duration::from_secs(args.session_idle_minutes.max(1) * 60),
        session_absolute: Duration::from_secs(args.session_max_hours.max(1) * 3600),
        read_cache_bytes: args.read_cache_mb.saturating_mul(1024 * 1024),
        ..Config::default()
    };
    let app = crate::open_traced(&paths, config, args.trace_sql.as_deref()).await?;
    let listener = tokio::net::TcpListener::bind(&args.bind)
        .await
        .with_context(|| format!("binding {}", args.bind))?;
    let local = listener.local_addr()?;
    let public_url = args
        .public_url
        .unwrap_or_else(|| format!("http://{local}"))
        .trim_end_matches('/')
        .to_string();
    if let Some(token) = app.prepare_setup().await? {
        tracing::warn!(
            "no user yet: open {public_url}/setup?token={token} to create the first workspace and owner (or run `cairn admin create-owner`)"
        );
    }
    let router = cairn_web::app(
        app.clone(),
        cairn_web::WebConfig {
            public_url: public_url.clone(),
        },
    );
    tracing::info!(address = %local, public_url = %public_url, startup_ms = started.elapsed().as_millis() as u64, "Cairn is listening");
    crate::server::serve(listener, router, crate::server::shutdown_signal()).await?;
    app.store.close().await;
    Ok(())
}

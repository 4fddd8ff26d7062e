//! `etjanst-gateway serve …` runs the municipality's gateway; `etjanst-gateway bankid-sim …`
//! a BankID RP API v6.0 simulator on loopback for development and tests.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};

use etjanst_gateway::{api, bankid, sim, store, tls};

#[derive(Parser)]
#[command(name = "etjanst-gateway", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The gateway: citizens' submissions, BankID signing, the case API.
    Serve(Box<ServeArgs>),
    /// Prints a new random key for the case API (256 bits, hex), to put in
    /// ETJANST_GATEWAY_API_KEY or the file `--api-key-file` names.
    ApiKey,
    /// A BankID RP API v6.0 simulator over TLS with client certificates.
    BankidSim {
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Where the test CA, the server's and the RP's certificates are written.
        #[arg(long, default_value = "bankid-sim-certs")]
        certs: PathBuf,
        /// Seconds an order waits for the app before `startFailed`.
        #[arg(long, default_value_t = 30)]
        start_window: u64,
    },
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Where citizens' apps reach the gateway (through the reverse proxy).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Where the municipality's back-ends reach the case API: its own address, which need not
    /// be reachable from the internet.
    #[arg(long, default_value = "127.0.0.1:8081")]
    case_api_listen: String,
    /// The SQLite file, or a `postgres://` URL (with `?sslmode=verify-full&sslrootcert=FILE`
    /// for TLS that checks the server). From the environment, a password in it stays out of
    /// the process list.
    #[arg(
        long,
        env = "ETJANST_GATEWAY_STORE",
        hide_env_values = true,
        default_value = "gateway.sqlite"
    )]
    store: String,
    /// An etjanst data folder whose catalogue the gateway accepts (default: the embedded one).
    #[arg(long)]
    catalogue: Option<PathBuf>,
    /// A file holding the case API's key (by default the key is read from the environment,
    /// ETJANST_GATEWAY_API_KEY; never from the command line, which other users can list).
    #[arg(long)]
    api_key_file: Option<PathBuf>,
    #[arg(long, default_value = "Testkommunen")]
    organisation: String,
    #[arg(long, default_value = "212000-0000")]
    organisation_number: String,
    #[arg(long, default_value = "https://appapi2.test.bankid.com/rp/v6.0")]
    bankid_url: String,
    /// The RP certificate: PEM (certificate and key) or PKCS#12.
    #[arg(long)]
    bankid_cert: PathBuf,
    #[arg(long, env = "ETJANST_BANKID_CERT_PASSWORD")]
    bankid_cert_password: Option<String>,
    /// BankID's SSL root (PEM).
    #[arg(long)]
    bankid_root: PathBuf,
    #[arg(long, default_value_t = 25 * 1024 * 1024)]
    max_body: usize,
    #[arg(long, default_value_t = 30)]
    uploads_per_minute: u32,
    /// Reverse proxies and load balancers whose X-Forwarded-For names the citizen: addresses
    /// or networks, comma-separated ("" for none; the gateway is then reached directly).
    #[arg(long, default_value = "127.0.0.1,::1")]
    trusted_proxies: api::TrustedProxies,
    /// Milliseconds between BankID collects for one order.
    #[arg(long, default_value_t = 2000)]
    collect_interval_ms: u64,
    #[arg(long)]
    bundle: Option<PathBuf>,
    /// Hours an upload nobody signs is kept before it is purged.
    #[arg(long, default_value_t = 24)]
    pending_ttl: u64,
    /// The most megabytes of unfiled uploads held at once; past it uploads get 503.
    #[arg(long, default_value_t = 4096)]
    max_pending_mb: u64,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "etjanst_gateway=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("etjanst-gateway: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(Cli::parse())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("etjanst-gateway: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The case API's key: from `file`, or else the environment; refused if weak.
fn api_key(file: Option<&std::path::Path>) -> Result<String, String> {
    let key = match file {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .trim()
            .to_string(),
        None => std::env::var("ETJANST_GATEWAY_API_KEY").map_err(|_| {
            "Ingen API-nyckel för ärende-API:t: sätt ETJANST_GATEWAY_API_KEY eller ange \
             --api-key-file. Skapa en med `etjanst-gateway api-key`."
                .to_string()
        })?,
    };
    match api::weak_api_key(&key) {
        Some(why) => Err(why),
        None => Ok(key),
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::ApiKey => {
            let key = etjanst_gateway::random_bytes::<32>()
                .map_err(|e| format!("operativsystemets slumpkälla: {e}"))?;
            println!("{}", hex::encode(key));
            Ok(())
        }
        Command::BankidSim {
            port,
            certs,
            start_window,
        } => {
            let pki = tls::TestPki::in_dir(&certs)?;
            let listener = std::net::TcpListener::bind(("127.0.0.1", port))
                .map_err(|e| format!("127.0.0.1:{port}: {e}"))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            println!("https://{addr}/rp/v6.0");
            println!("CA: {}", pki.ca().display());
            println!(
                "RP-certifikat: {} (och {}, lösenord qwerty123)",
                pki.rp_pem().display(),
                pki.rp_p12().display()
            );
            let timings = sim::Timings {
                start_window: Duration::from_secs(start_window),
                ..Default::default()
            };
            sim::serve(listener, &pki, timings).await
        }
        Command::Serve(a) => {
            let a = *a;
            let api_key = api_key(a.api_key_file.as_deref())?;
            let catalogue = match &a.catalogue {
                Some(dir) => etjanst::catalogue::Catalogue::open(dir),
                None => etjanst::catalogue::Catalogue::embedded(),
            }
            .map_err(|e| e.to_string())?;
            // The certificates first: a mistyped path must not leave an empty database behind.
            let bankid = bankid::RpClient::new(&bankid::RpConfig {
                base_url: a.bankid_url,
                certificate: a.bankid_cert,
                certificate_password: a.bankid_cert_password,
                root: a.bankid_root,
            })
            .map_err(|e| e.to_string())?;
            let store: Arc<dyn store::Store> =
                if a.store.starts_with("postgres://") || a.store.starts_with("postgresql://") {
                    Arc::new(
                        store::Postgres::connect(&a.store)
                            .await
                            .map_err(|e| e.to_string())?,
                    )
                } else {
                    Arc::new(store::Sqlite::open(a.store.as_ref()).map_err(|e| e.to_string())?)
                };
            let bind = |address: &str| {
                let listener =
                    std::net::TcpListener::bind(address).map_err(|e| format!("{address}: {e}"))?;
                let url = format!(
                    "http://{}",
                    listener.local_addr().map_err(|e| e.to_string())?
                );
                Ok::<_, String>((listener, url))
            };
            let (citizens, url) = bind(&a.listen)?;
            let (cases, cases_url) = bind(&a.case_api_listen)?;
            println!("{url}");
            println!("ärende-API: {cases_url}");
            api::serve_with_cases(
                citizens,
                Some(cases),
                api::Settings {
                    organisation: a.organisation,
                    organisation_number: a.organisation_number,
                    max_body: a.max_body,
                    uploads_per_minute: a.uploads_per_minute,
                    trusted_proxies: a.trusted_proxies,
                    collect_interval: Duration::from_millis(a.collect_interval_ms),
                    bundle: a.bundle,
                    pending_ttl: Duration::from_secs(a.pending_ttl * 3600),
                    max_pending_bytes: a.max_pending_mb << 20,
                    ..api::Settings::new(catalogue, bankid, store, api_key)
                },
            )
            .await
            .map_err(|e| e.to_string())
        }
    }
}

//! The PostgreSQL store with a real server from Debian's package on loopback
//! (`spec/postgres-in-tests.md`), and two gateway instances on one database, as a region runs
//! them behind a load balancer.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use common::*;
use etjanst_gateway::store::{Postgres, Store};
use etjanst_gateway::tls::TestPki;
use serde_json::json;

/// A PostgreSQL server in a fresh folder, stopped and removed when dropped, whatever the test's
/// outcome.
struct Server {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

fn bin_dir() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    found.sort();
    found.pop().filter(|b| b.join("initdb").exists()).expect(
        "PostgreSQL's server is not installed: run scripts/setup (Debian package postgresql)",
    )
}

impl Server {
    fn run(&self, program: &str, args: &[&str]) {
        let exe = self.bin.join(program);
        let status = if self.as_postgres {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&exe)
                .args(args)
                .status()
        } else {
            Command::new(&exe).args(args).status()
        }
        .unwrap();
        assert!(status.success(), "{program} {args:?}");
    }

    fn start() -> Server {
        Server::start_with(None)
    }

    /// A server with TLS on, its certificate and key `pki`'s server's.
    fn start_with(tls: Option<&TestPki>) -> Server {
        let bin = bin_dir();
        let dir = tempfile::tempdir().unwrap();
        // The server refuses to run as root; the package's `postgres` user runs it then.
        let as_postgres = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
        if as_postgres {
            Command::new("chown")
                .args(["postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let s = Server {
            dir,
            bin,
            port,
            as_postgres,
        };
        let d = s.dir.path();
        let db = d.join("db");
        let log = d.join("log");
        s.run(
            "initdb",
            &[
                "-D",
                db.to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "etjanst",
                "--no-sync",
            ],
        );
        let mut options = format!("-p {port} -k {} -c listen_addresses=127.0.0.1", d.display());
        if let Some(pki) = tls {
            let (cert, key) = (d.join("server.crt"), d.join("server.key"));
            std::fs::copy(pki.server_cert(), &cert).unwrap();
            std::fs::copy(pki.server_key(), &key).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
            if s.as_postgres {
                Command::new("chown")
                    .arg("postgres")
                    .args([&cert, &key])
                    .status()
                    .unwrap();
            }
            options.push_str(&format!(
                " -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
                cert.display(),
                key.display()
            ));
        }
        s.run(
            "pg_ctl",
            &[
                "-D",
                db.to_str().unwrap(),
                "-l",
                log.to_str().unwrap(),
                "-w",
                "start",
                "-o",
                &options,
            ],
        );
        s
    }

    fn url(&self) -> String {
        format!("postgres://etjanst@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let db = self.dir.path().join("db");
        self.run(
            "pg_ctl",
            &["-D", db.to_str().unwrap(), "-m", "fast", "stop"],
        );
    }
}

async fn a_store_tls(pg: &Server) -> bool {
    Postgres::connect(&pg.url())
        .await
        .unwrap()
        .tls()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_gateway_instances_share_one_database() {
    let pg = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(dir.path()).await;
    let a_store: Arc<dyn Store> = Arc::new(Postgres::connect(&pg.url()).await.unwrap());
    let b_store: Arc<dyn Store> = Arc::new(Postgres::connect(&pg.url()).await.unwrap());
    limit_steps(&*a_store).await;
    assert!(!a_store_tls(&pg).await, "this server has no TLS");
    assert!(
        Postgres::connect(&format!("{}?sslmode=require", pg.url()))
            .await
            .is_err(),
        "TLS required and the server has none"
    );
    let (a, a_cases) = serve_with_cases(settings(&sim, a_store.clone()));
    let (b, b_cases) = serve_with_cases(settings(&sim, b_store.clone()));
    let http = reqwest::Client::new();

    // Upload and start signing through A.
    let through_a = Citizen::upload(&a, &http, felanmalan()).await;
    let started = through_a.sign(true).await;
    // Everything after (the app opened, polls, the receipt) through B.
    let through_b = Citizen {
        gateway: &b,
        ..through_a
    };
    let v = sign_here(&sim, &b_store, &through_b, &started, TOLVAN).await;
    assert_eq!(v["status"], "complete", "{v}");
    let number = v["receipt"]["caseNumber"].as_str().unwrap().to_string();
    let (status, xml) = case_api(&http, &b_cases, &format!("getinstance/{number}/xml")).await;
    assert_eq!(status, 200);
    assert!(latin1(&xml).contains("<Lastname><![CDATA[Tolvansson]]></Lastname>"));
    // The back-end's lists come from the database, whichever instance answers.
    for path in [
        "getinstances/family/302/Inskickat",
        "getinstances/owner/citizenidentifier/19990807-2391",
    ] {
        let (status, list) = case_api(&http, &a_cases, path).await;
        assert_eq!(status, 200);
        let list = latin1(&list);
        assert!(
            list.contains(&format!("<flowInstanceID>{number}</flowInstanceID>")),
            "{path}: {list}"
        );
    }
    // A retried upload through B finds A's submission.
    let r = http
        .post(format!("{b}/api/v1/submissions"))
        .header("Idempotency-Key", &through_b.key)
        .body(felanmalan())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Many citizens, each request to whichever instance: every case once.
    let limit = Arc::new(tokio::sync::Semaphore::new(20));
    let mut tasks = Vec::new();
    for i in 0..60 {
        let (a, b, http, limit) = (a.clone(), b.clone(), http.clone(), limit.clone());
        let phone = sim.phone.clone();
        let sim_url = sim.url.clone();
        let store = b_store.clone();
        tasks.push(tokio::spawn(async move {
            let _p = limit.acquire().await.unwrap();
            let (first, second) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
            let c = Citizen::upload(first, &http, upload_body("synpunkt")).await;
            let started = c.sign(false).await;
            let _ = started;
            let c = Citizen {
                gateway: second,
                ..c
            };
            let qr = c.status().await.1["qrData"].as_str().unwrap().to_string();
            let r = phone
                .post(format!("{sim_url}/__sim/scan"))
                .json(&json!({ "qrData": qr }))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            c.status().await;
            let order = order_of(&store, &c.id).await;
            phone
                .post(format!("{sim_url}/__sim/approve"))
                .json(&json!({ "orderRef": order.order_ref, "personalNumber": "201701012393" }))
                .send()
                .await
                .unwrap();
            let (_, v) = c.status().await;
            v["receipt"]["caseNumber"].as_str().unwrap().to_string()
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap());
    }
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 60);
    assert_eq!(a_store.count_cases().await.unwrap(), 61);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_second_signer_signs_through_another_instance() {
    let pg = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(dir.path()).await;
    let a_store: Arc<dyn Store> = Arc::new(Postgres::connect(&pg.url()).await.unwrap());
    let b_store: Arc<dyn Store> = Arc::new(Postgres::connect(&pg.url()).await.unwrap());
    let a = serve(settings(&sim, a_store.clone()));
    let b = serve(settings(&sim, b_store.clone()));
    let http = reqwest::Client::new();
    let receipt =
        common::signers::co_applicant_signs_through_a_code(&sim, &a_store, &a, &b, &http).await;
    assert_eq!(receipt["signers"].as_array().unwrap().len(), 2);
    assert_eq!(b_store.count_cases().await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_url_says_how_the_database_is_reached_over_tls() {
    let dir = tempfile::tempdir().unwrap();
    let pki = TestPki::in_dir(&dir.path().join("db-ca")).unwrap();
    let stranger = TestPki::in_dir(&dir.path().join("another-ca")).unwrap();
    let pg = Server::start_with(Some(&pki));
    let url = |query: String| format!("{}?{query}", pg.url());
    let ours = pki.ca().display().to_string();
    let theirs = stranger.ca().display().to_string();

    // Checked all the way: the CA and the name (127.0.0.1 is in the certificate).
    let store = Postgres::connect(&url(format!("sslmode=verify-full&sslrootcert={ours}")))
        .await
        .unwrap();
    assert!(store.tls().await.unwrap(), "encrypted");
    assert_eq!(store.count_cases().await.unwrap(), 0);
    assert!(
        Postgres::connect(&url(format!("sslmode=verify-ca&sslrootcert={ours}")))
            .await
            .unwrap()
            .tls()
            .await
            .unwrap()
    );

    // A certificate from another CA is refused, whether the name is checked or not.
    for mode in ["verify-full", "verify-ca", "require"] {
        let e = Postgres::connect(&url(format!("sslmode={mode}&sslrootcert={theirs}")))
            .await
            .err()
            .unwrap_or_else(|| panic!("{mode} with another CA connected"));
        assert!(
            e.to_string().to_lowercase().contains("certificate"),
            "{mode}: {e}"
        );
    }
    let e = Postgres::connect(&url("sslmode=verify-full".into()))
        .await
        .err()
        .unwrap();
    assert!(e.to_string().contains("sslrootcert"), "{e}");
    let e = Postgres::connect(&url("sslmode=verify-everything".into()))
        .await
        .err()
        .unwrap();
    assert!(e.to_string().contains("verify-full"), "{e}");

    // libpq's weaker modes: encrypted without a check, or plain.
    let require = Postgres::connect(&url("sslmode=require".into()))
        .await
        .unwrap();
    assert!(require.tls().await.unwrap());
    let plain = Postgres::connect(&url("sslmode=disable".into()))
        .await
        .unwrap();
    assert!(!plain.tls().await.unwrap());
}

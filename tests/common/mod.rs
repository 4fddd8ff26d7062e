//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod blankett;
pub mod http;
pub mod tls;

use std::path::Path;
use std::process::{Command, Output};

use chrono::NaiveDate;
use etjanst::catalogue::Catalogue;
use etjanst::fill::Answers;
use etjanst::flow::Flow;

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

pub fn catalogue() -> Catalogue {
    Catalogue::embedded().expect("the embedded catalogue loads")
}

pub fn forms_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("forms")
}

/// The example answers of a fillable flow (by its id or any alias).
pub fn example(flow: &Flow) -> (String, Answers) {
    let names = std::iter::once(&flow.id).chain(flow.aliases.iter());
    for name in names {
        let path = forms_dir().join("examples").join(format!("{name}.json"));
        if let Ok(text) = std::fs::read_to_string(&path) {
            let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
            let answers = Answers::from_json(flow, &doc)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            return (name.clone(), answers);
        }
    }
    panic!("no example in forms/examples/ for {}", flow.id)
}

/// What a command printed, as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The path of an embedded example answers file.
pub fn example_path(name: &str) -> String {
    format!("{}/forms/examples/{name}.json", env!("CARGO_MANIFEST_DIR"))
}

pub const OEFLOW: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/oep/example-written-from-source.oeflow"
);

/// Runs `etjanst` on `data` with a passphrase in the environment (a cheap scrypt) and `env`.
pub fn etjanst_with(data: &Path, passphrase: &str, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_etjanst"));
    c.arg("--data-dir")
        .arg(data)
        .args(args)
        .env("ETJANST_PASSPHRASE", passphrase)
        .env("ETJANST_SCRYPT_LOG_N", "10")
        .env_remove("ETJANST_DATA_DIR");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// Runs the `etjanst` command on data directory `data` (the environment's one ignored).
pub fn etjanst(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_etjanst"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("ETJANST_DATA_DIR")
        .output()
        .unwrap()
}

/// Every file under `dir`.
pub fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

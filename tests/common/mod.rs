//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod http;

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

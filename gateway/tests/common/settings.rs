//! The one gateway configuration the test suites start (the gateway's own, `etjanst submit`'s
//! and the window's), against the BankID simulator on this machine: the municipality, and no
//! rate limits that a fast test would run into. A suite changes what it needs with `..`.
//! Included by path from `tests/submit.rs` and `src-tauri/tests/window.rs`.

use std::sync::Arc;
use std::time::Duration;

use etjanst_gateway::api::Settings;
use etjanst_gateway::bankid::{RpClient, RpConfig};
use etjanst_gateway::store::Store;

pub fn test_settings(rp: &RpConfig, store: Arc<dyn Store>, api_key: &str) -> Settings {
    Settings {
        organisation: "Lindesbergs kommun".into(),
        organisation_number: "212000-1967".into(),
        max_body: 2 * 1024 * 1024,
        uploads_per_minute: 0,
        polls_per_minute: 0,
        collect_interval: Duration::ZERO,
        ..Settings::new(
            etjanst::catalogue::Catalogue::embedded().unwrap(),
            RpClient::new(rp).unwrap(),
            store,
            api_key.into(),
        )
    }
}

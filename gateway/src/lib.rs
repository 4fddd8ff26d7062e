//! etjanst's gateway: the municipality's side of an online submission.
//!
//! - [`api`]: the citizen's API (upload, sign, collect, receipt) and the Open ePlatform-
//!   compatible case API for the municipality's back-ends.
//! - [`bankid`]: BankID's RP API v6.0 (client, QR, messages, signature document).
//! - [`faults`]: network faults for the clients' tests (a proxy that loses receipts).
//! - [`sim`]: a BankID RP API v6.0 simulator for development and tests.
//! - [`store`]: submissions, orders and cases, in SQLite or PostgreSQL.
//! - [`tls`]: the simulator's test PKI.

#![forbid(unsafe_code)]

pub mod api;
pub mod bankid;
pub mod faults;
pub mod sim;
pub mod store;
pub mod tls;

/// `N` bytes from the OS's random source. Its failure is an error for the caller to report:
/// without it no submission id, nonce or key can be made safely, and nothing else will do.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b)?;
    Ok(b)
}

pub use etjanst::error_chain;

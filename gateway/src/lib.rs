//! etjanst's gateway: the municipality's side of an online submission.
//!
//! - [`api`]: the citizen's API (upload, sign, collect, receipt) and the Open ePlatform-
//!   compatible case API for the municipality's back-ends.
//! - [`bankid`]: BankID's RP API v6.0 (client, QR, messages, signature document).
//! - [`sim`]: a BankID RP API v6.0 simulator for development and tests.
//! - [`store`]: submissions, orders and cases, in SQLite or PostgreSQL.
//! - [`tls`]: the simulator's test PKI.

#![forbid(unsafe_code)]

pub mod api;
pub mod bankid;
pub mod sim;
pub mod store;
pub mod tls;

/// `N` bytes from the OS's random source.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    // Without an OS random source no order, nonce or key can be made safely.
    getrandom::fill(&mut b).expect("the operating system's random source");
    b
}

pub use etjanst::error_chain;

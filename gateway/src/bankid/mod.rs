//! BankID's relying-party API v6.0: its wire format, the client the gateway signs with, the
//! animated QR code and the official user messages.

pub mod client;
mod p12;
pub mod qr;
pub mod rfa;
pub mod signature;
pub mod types;

pub use client::{RpClient, RpConfig, RpError};

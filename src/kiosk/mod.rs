//! Kiosk mode, for a library's or a service centre's computer: the administrator's
//! configuration ([`config`]), the code that leaves kiosk mode ([`admin`]), the idle deadline
//! ([`idle`]) and the visitor's session, whose data is sealed under a key held only in memory
//! and is gone when the session ends ([`session`]), and the drafts a visitor keeps with a
//! personal code ([`kept`]).

pub mod admin;
pub mod config;
pub mod files;
pub mod idle;
pub mod kept;
pub mod session;

pub use config::{KioskConfig, KioskError};
pub use idle::{Idle, IdleState};
pub use session::{EndReason, Session, SessionEnd};

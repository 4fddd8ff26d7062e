//! The commands the window calls. Each is a thin call into the core (`etjanst::app`, `fill`,
//! `vault`, `pdf`); errors come back as the core's message in the chosen language.

pub mod blankett;
pub mod catalogue;
pub mod cosign;
pub mod files;
pub mod form;
pub mod kiosk;
pub mod misc;
pub mod print;
pub mod profile;
pub mod statement;
pub mod submit;
pub mod update;
pub mod vault;

/// A command's result: an error is the sentence to show.
pub type Res<T> = Result<T, String>;

/// The core's error as its message: every core error type displays through the message
/// catalogue in the language set with `etjanst::i18n::set_language` (the window's), so no
/// language is passed here.
pub fn fail(e: impl std::fmt::Display) -> String {
    e.to_string()
}

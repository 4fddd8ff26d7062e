//! Handing a web address or a saved file to the system (browser, PDF viewer): the desktop's
//! own opener, one process per call, the argument passed as one argument, never through a
//! shell.

use std::process::{Command, Stdio};

#[cfg(all(unix, not(target_os = "macos")))]
const OPENER: &str = "xdg-open";
#[cfg(target_os = "macos")]
const OPENER: &str = "open";
#[cfg(windows)]
const OPENER: &str = "explorer";

pub fn open(target: &str) -> Result<(), String> {
    let mut child = Command::new(OPENER)
        .arg(target)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{OPENER}: {e}"))?;
    // Reaped in the background: xdg-open may wait for the program it started.
    std::thread::spawn(move || child.wait());
    Ok(())
}

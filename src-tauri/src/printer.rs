//! The system's printers: which there are, and printing a PDF on one. The filled form is
//! handed over in memory, never written to a file of ours.
//!
//! Linux and macOS print through CUPS (`lpstat`, `lp`), tested on Linux only. Windows has no
//! command that prints a PDF without a PDF program installed: its branch lists the printers
//! and says so when asked to print (the citizen saves the PDF and prints it from there).
//! It compiles by inspection only; this CI has no Windows toolchain.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Printer {
    pub name: String,
    pub default: bool,
}

/// Why printing failed, in the system's own words (shown under "Tekniska detaljer").
pub type Failure = String;

#[cfg(unix)]
pub use cups::{list, print};
#[cfg(windows)]
pub use windows::{list, print};

#[cfg(unix)]
mod cups {
    use std::io::Write;
    use std::process::{Command, Stdio};

    use super::{Failure, Printer};

    fn lpstat(args: &[&str]) -> String {
        Command::new("lpstat")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    pub fn list() -> Vec<Printer> {
        // "system default destination: NAME"
        let default = lpstat(&["-d"])
            .rsplit(':')
            .next()
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        lpstat(&["-e"])
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|name| Printer {
                default: name == default,
                name: name.to_string(),
            })
            .collect()
    }

    /// `lp` reads the PDF on standard input; `printer` `None`: the system's default.
    pub fn print(pdf: &[u8], title: &str, printer: Option<&str>) -> Result<(), Failure> {
        let mut args: Vec<&str> = Vec::new();
        if let Some(p) = printer {
            args.extend(["-d", p]);
        }
        args.extend(["-t", title, "--", "-"]);
        let mut child = Command::new("lp")
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("lp: {e}"))?;
        child
            .stdin
            .take()
            .ok_or_else(|| "lp".to_string())?
            .write_all(pdf)
            .map_err(|e| format!("lp: {e}"))?;
        let out = child.wait_with_output().map_err(|e| format!("lp: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }
}

#[cfg(windows)]
mod windows {
    use std::process::Command;

    use super::{Failure, Printer};

    /// The printers from PowerShell's `Get-CimInstance Win32_Printer`, one "Default|Name" a line.
    pub fn list() -> Vec<Printer> {
        let out = Command::new("powershell")
            .args([
                "-NoProfile",
                "-NonInteractive",
                "-Command",
                "Get-CimInstance Win32_Printer | ForEach-Object { \"$($_.Default)|$($_.Name)\" }",
            ])
            .output();
        let Ok(out) = out else {
            return Vec::new();
        };
        if !out.status.success() {
            return Vec::new();
        }
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.trim().split_once('|'))
            .map(|(default, name)| Printer {
                default: default.eq_ignore_ascii_case("true"),
                name: name.to_string(),
            })
            .collect()
    }

    pub fn print(_pdf: &[u8], _title: &str, _printer: Option<&str>) -> Result<(), Failure> {
        Err(
            "Windows prints a PDF only through a PDF program: save the PDF and print it there"
                .into(),
        )
    }
}

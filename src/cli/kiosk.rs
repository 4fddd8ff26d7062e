//! `etjanst kiosk`: what an administrator needs to set a kiosk computer up — the hash of their
//! code for the configuration, and a check of the configuration as the app will read it.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use clap::Subcommand;

use super::{Failure, lang};

#[derive(Subcommand)]
pub(crate) enum KioskCommand {
    /// Print the hash of an administrator's code, for `admin_code` in the kiosk configuration
    /// (the code is read from standard input, or asked for)
    HashCode,
    /// Check a kiosk configuration as the desktop app will read it (default: /etc/etjanst/kiosk.toml)
    Check { file: Option<PathBuf> },
}

pub(crate) fn run(command: KioskCommand) -> Result<u8, Failure> {
    match command {
        KioskCommand::HashCode => {
            let code = zeroize::Zeroizing::new(read_code()?);
            let hash = etjanst::kiosk::admin::hash(code.trim_end_matches(['\r', '\n']), None)
                .map_err(Failure::input)?;
            writeln!(std::io::stdout(), "{hash}")?;
            Ok(0)
        }
        KioskCommand::Check { file } => {
            let path = file.unwrap_or_else(|| etjanst::kiosk::config::SYSTEM_PATH.into());
            let c = etjanst::kiosk::KioskConfig::load(&path).map_err(Failure::input)?;
            writeln!(
                std::io::stdout(),
                "{}",
                etjanst::t!(
                    lang(),
                    "kiosk-config-ok",
                    path = path.display().to_string(),
                    minutes = c.idle_timeout.as_secs() / 60,
                    seconds = c.idle_timeout.as_secs() % 60,
                    printer = c.printer.clone().unwrap_or_else(|| "–".into())
                )
            )?;
            Ok(0)
        }
    }
}

/// The code from standard input when it is not a terminal, else asked for twice.
fn read_code() -> Result<String, Failure> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line);
    }
    let first = rpassword::prompt_password(etjanst::t!(lang(), "kiosk-code-prompt"))?;
    let again = rpassword::prompt_password(etjanst::t!(lang(), "kiosk-code-again"))?;
    if first != again {
        return Err(Failure::input(etjanst::t!(lang(), "kiosk-code-mismatch")));
    }
    Ok(first)
}

//! `etjanst profile`: the citizen's own details ("Mina uppgifter"), kept encrypted in the
//! vault, that fill the applicant's questions (`check --profile`, `pdf --profile`, and every
//! new form in the window).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use etjanst::profile::Profile;

use super::*;

#[derive(Subcommand)]
pub(crate) enum ProfileCommand {
    /// Your details as kept (encrypted) on this computer.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Sets your details; what is not given stays as it is, an empty value ("") clears it.
    Set(Box<ProfileArgs>),
    /// Erases your details from this computer.
    Erase,
}

#[derive(Args)]
pub(crate) struct ProfileArgs {
    /// Read the details from a JSON file (the form `profile show --json` prints).
    #[arg(long, value_name = "FILE")]
    from: Option<PathBuf>,
    #[arg(long)]
    first_name: Option<String>,
    #[arg(long)]
    last_name: Option<String>,
    #[arg(long)]
    personnummer: Option<String>,
    #[arg(long)]
    care_of: Option<String>,
    #[arg(long)]
    address: Option<String>,
    #[arg(long)]
    zip_code: Option<String>,
    /// Postort.
    #[arg(long)]
    city: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    mobile_phone: Option<String>,
    #[arg(long)]
    email: Option<String>,
    /// The organisation you act for.
    #[arg(long)]
    organization: Option<String>,
    #[arg(long)]
    organization_number: Option<String>,
}

/// The profile `check --profile` and `pdf --profile` fill the answers from, once read.
static PROFILE: OnceLock<Profile> = OnceLock::new();

/// Reads the profile from the vault for this run's answers.
pub(crate) fn load(dir: &Path, passphrase_file: Option<&Path>) -> Result<(), Failure> {
    let vault = super::drafts::open(dir, passphrase_file, false)?
        .ok_or_else(|| Failure::from(etjanst::vault::VaultError::NotCreated))?;
    let profile = vault.profile()?.unwrap_or_default();
    if profile.is_empty() {
        eprintln!("{}", etjanst::t!(lang(), "profile-empty"));
    }
    let _ = PROFILE.set(profile);
    Ok(())
}

/// Fills `answers` from the profile, when this run asked for it.
pub(crate) fn fill(flow: &Flow, answers: &mut Answers) {
    if let Some(p) = PROFILE.get() {
        etjanst::profile::prefill(&Form::new(flow), answers, p);
    }
}

pub(crate) fn run(
    dir: &Path,
    passphrase_file: Option<&Path>,
    command: ProfileCommand,
) -> Result<u8, Failure> {
    let lang = lang();
    let mut out = std::io::stdout().lock();
    match command {
        ProfileCommand::Show { json } => {
            let profile = match super::drafts::open(dir, passphrase_file, false)? {
                Some(v) => v.profile()?.unwrap_or_default(),
                None => Profile::default(),
            };
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&profile)?)?;
            } else if profile.is_empty() {
                writeln!(out, "{}", etjanst::t!(lang, "profile-empty"))?;
            } else {
                for (label, value) in rows(&profile) {
                    writeln!(out, "{}: {value}", etjanst::i18n::text(lang, label, &[]))?;
                }
            }
            Ok(0)
        }
        ProfileCommand::Set(args) => {
            let mut vault = super::drafts::open(dir, passphrase_file, true)?
                .ok_or_else(|| Failure::from(etjanst::vault::VaultError::NotCreated))?;
            let mut profile = match &args.from {
                Some(path) => {
                    let text = std::fs::read_to_string(path)
                        .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
                    serde_json::from_str(&text).map_err(|e| {
                        Failure::input(format!(
                            "{}: {}",
                            path.display(),
                            etjanst::json_error::message(&e, false)
                        ))
                    })?
                }
                None => vault.profile()?.unwrap_or_default(),
            };
            for (slot, value) in [
                (&mut profile.first_name, args.first_name),
                (&mut profile.last_name, args.last_name),
                (&mut profile.personnummer, args.personnummer),
                (&mut profile.care_of, args.care_of),
                (&mut profile.address, args.address),
                (&mut profile.zip_code, args.zip_code),
                (&mut profile.postal_address, args.city),
                (&mut profile.phone, args.phone),
                (&mut profile.mobile_phone, args.mobile_phone),
                (&mut profile.email, args.email),
                (&mut profile.organization_name, args.organization),
                (&mut profile.organization_number, args.organization_number),
            ] {
                if let Some(v) = value {
                    *slot = Some(v);
                }
            }
            let checked = match profile.checked(today()) {
                Ok(p) => p,
                Err(invalid) => {
                    let mut err = std::io::stderr().lock();
                    for i in invalid {
                        writeln!(err, "{}: {}", i.field, i.message)?;
                    }
                    return Ok(1);
                }
            };
            vault.set_profile(&checked)?;
            writeln!(out, "{}", etjanst::t!(lang, "profile-saved"))?;
            Ok(0)
        }
        ProfileCommand::Erase => {
            if let Some(mut vault) = super::drafts::open(dir, passphrase_file, false)? {
                vault.erase_profile()?;
            }
            writeln!(out, "{}", etjanst::t!(lang, "profile-erased"))?;
            Ok(0)
        }
    }
}

/// The profile's filled details with their labels' message keys, in the order forms ask.
fn rows(p: &Profile) -> Vec<(&'static str, &str)> {
    [
        ("field-firstName", &p.first_name),
        ("field-lastName", &p.last_name),
        ("field-citizenId", &p.personnummer),
        ("field-careOf", &p.care_of),
        ("field-address", &p.address),
        ("field-zipCode", &p.zip_code),
        ("field-postalAddress", &p.postal_address),
        ("field-phone", &p.phone),
        ("field-mobilePhone", &p.mobile_phone),
        ("field-email", &p.email),
        ("field-name", &p.organization_name),
        ("field-organizationNumber", &p.organization_number),
    ]
    .into_iter()
    .filter_map(|(label, v)| v.as_deref().map(|v| (label, v)))
    .collect()
}

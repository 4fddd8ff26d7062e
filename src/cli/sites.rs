//! Catalogues from the municipalities' sites, and their signed bundles.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::*;

pub(super) fn bundle_keygen(output: PathBuf) -> Result<u8, Failure> {
    let (secret, public) = catalogue::bundle::keygen();
    write_secret(&output, &secret)?;
    // A script takes the key alone from stdout; a person is told what it is on stderr.
    eprintln!(
        "Den hemliga nyckeln finns i {}. Den publika nyckeln, att ge till invånarnas --key:",
        output.display()
    );
    writeln!(std::io::stdout(), "{public}")?;
    Ok(0)
}

pub(super) fn bundle_build(
    flows: PathBuf,
    site: String,
    key: PathBuf,
    output: PathBuf,
) -> Result<u8, Failure> {
    let secret = std::fs::read_to_string(&key)
        .map_err(|e| Failure::input(format!("{}: {e}", key.display())))?;
    if catalogue::bundle::origin(&site).is_none() {
        return Err(Failure::input(format!(
            "--site {site}: ange webbplatsens adress, till exempel https://e-tjanster.kommun.se"
        )));
    }
    let created = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let bytes =
        catalogue::bundle::build(&flows, Some(&site), &secret, &created).map_err(Failure::input)?;
    catalogue::write_atomic(&output, &bytes)?;
    Ok(0)
}

pub(super) fn sync(dir: &Path, args: SyncArgs) -> Result<u8, Failure> {
    let SyncArgs {
        site,
        name,
        no_icons,
        no_blanketter,
        all_files,
        bundle,
        key,
        replace_key,
    } = args;
    let name = name.unwrap_or_else(|| host(&site));
    if etjanst::slug(&name).is_empty() {
        return Err(Failure::input(
            catalogue::bundle::BundleError::BadName(name).to_string(),
        ));
    }
    let mut index = catalogue::index::Index::open(dir)?;
    let defaults = catalogue::sync::SyncOptions::default();
    let options = catalogue::sync::SyncOptions {
        icons: !no_icons,
        blanketter: !no_blanketter,
        limits: if all_files {
            defaults.limits.all_files()
        } else {
            defaults.limits
        },
        ..defaults
    };
    if catalogue::sync::is_plain_http(&site) {
        eprintln!(
            "etjanst: varning: {site} använder http utan kryptering; vem som helst på vägen kan ändra katalogen. Använd https om webbplatsen har det."
        );
    }
    let mut last = None;
    let mut report = |p: catalogue::sync::Progress| {
        // One line per stage and tenth, so a log stays readable.
        let tenth = (p.done * 10).checked_div(p.total).unwrap_or(10);
        if last != Some((p.stage, tenth)) {
            last = Some((p.stage, tenth));
            eprintln!("{} … {}/{}", p.stage.label_sv(), p.done, p.total);
        }
    };
    let outcome = catalogue::sync::sync(
        &mut index,
        &site,
        &name,
        &options,
        &mut report,
        &catalogue::sync::CancelHandle::default(),
    )
    .map_err(Failure::input)?;
    match outcome {
        catalogue::sync::SyncOutcome::Unchanged => {
            println!("Katalogen från {name} är oförändrad.")
        }
        catalogue::sync::SyncOutcome::Updated {
            services,
            icons,
            blanketter,
            dropped_links,
            files_left,
        } => {
            writeln!(
                std::io::stdout(),
                "{services} e-tjänster från {name} ({icons} ikoner, {blanketter} blanketter)"
            )?;
            if dropped_links > 0 {
                eprintln!(
                    "etjanst: varning: {dropped_links} länkar i katalogen ledde inte till {name}s egen webbplats och togs bort"
                );
            }
            if files_left > 0 {
                eprintln!(
                    "{files_left} ikoner och blanketter hämtas vid nästa synkning eller när e-tjänsten öppnas (--all-files hämtar allt nu, för användning utan nät)"
                );
            }
        }
    }
    // A bundle given once is remembered with its key for later syncs of the site.
    let site_key = site.trim_end_matches('/');
    if let Some(key) = &key {
        catalogue::bundle::public_key(key).map_err(Failure::input)?;
        let pinned = index.bundle_source(site_key)?;
        // A key swapped silently would let whoever serves the site sign its flows.
        if let Some((_, old)) = pinned.as_ref().filter(|(_, old)| old.trim() != key.trim())
            && !replace_key
        {
            return Err(Failure::input(format!(
                "{name} har redan nyckeln {old}; ange --replace-key om kommunen har bytt nyckel"
            )));
        }
        let url = bundle
            .clone()
            .or(pinned.map(|(url, _)| url))
            .ok_or_else(|| Failure::input("--key behöver --bundle första gången"))?;
        index.set_bundle_source(site_key, &url, key)?;
    }
    if let Some((url, key)) = index.bundle_source(site_key)? {
        let key = catalogue::bundle::public_key(&key).map_err(Failure::input)?;
        eprintln!("Hämtar e-tjänstpaketet …");
        let bytes = catalogue::sync::fetch(&url, &options).map_err(Failure::input)?;
        // A bundle that does not verify is refused whole; the installed one stays.
        let refused = |e: catalogue::bundle::BundleError| Failure {
            code: 1,
            message: e.to_string(),
        };
        let verified = catalogue::bundle::verify(&bytes, &key).map_err(refused)?;
        let installed = catalogue::bundle::installed(dir, &name);
        match catalogue::bundle::judge(&verified, &site, installed.as_ref()).map_err(refused)? {
            catalogue::bundle::Freshness::Unchanged => {
                writeln!(
                    std::io::stdout(),
                    "E-tjänstpaketet från {name} är oförändrat."
                )?;
            }
            catalogue::bundle::Freshness::New => {
                catalogue::bundle::install(dir, &name, &verified).map_err(Failure::input)?;
                writeln!(
                    std::io::stdout(),
                    "{} filer i e-tjänstpaketet från {name}",
                    verified.files.len()
                )?;
            }
        }
    }
    Ok(0)
}

/// Writes a secret readable by its owner only.
fn write_secret(path: &Path, secret: &str) -> Result<(), Failure> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| {
        Failure::input(if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "{} finns redan; en hemlig nyckel skrivs aldrig över. Välj ett annat filnamn, eller flytta den gamla nyckeln först",
                path.display()
            )
        } else {
            format!("{}: {e}", path.display())
        })
    })?;
    writeln!(file, "{secret}")?;
    Ok(())
}

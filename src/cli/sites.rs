//! Catalogues from the municipalities' sites, and their signed bundles.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::*;

pub(super) fn bundle_keygen(lang: Lang, output: PathBuf) -> Result<u8, Failure> {
    let (secret, public) =
        catalogue::bundle::keygen().map_err(|e| Failure::input(e.message(lang)))?;
    write_secret(&output, &secret, lang)?;
    // A script takes the key alone from stdout; a person is told what it is on stderr.
    eprintln!(
        "{}",
        etjanst::t!(lang, "secret-key-written", file = output.display())
    );
    writeln!(std::io::stdout(), "{public}")?;
    Ok(0)
}

pub(super) fn bundle_build(
    lang: Lang,
    flows: PathBuf,
    site: String,
    gateway: Option<String>,
    key: PathBuf,
    output: PathBuf,
) -> Result<u8, Failure> {
    let secret = std::fs::read_to_string(&key)
        .map_err(|e| Failure::input(format!("{}: {e}", key.display())))?;
    if catalogue::bundle::origin(&site).is_none() {
        return Err(Failure::input(etjanst::t!(
            lang,
            "site-address-needed",
            site = site
        )));
    }
    let created = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let bytes =
        catalogue::bundle::build(&flows, Some(&site), gateway.as_deref(), &secret, &created)
            .map_err(Failure::from)?;
    catalogue::write_atomic(&output, &bytes)?;
    Ok(0)
}

pub(super) fn sync(dir: &Path, lang: Lang, args: SyncArgs) -> Result<u8, Failure> {
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
        let warning = etjanst::t!(lang, "warning");
        eprintln!(
            "etjanst: {warning}: {}",
            etjanst::t!(lang, "plain-http", site = site)
        );
    }
    let mut last = None;
    let mut report = |p: catalogue::sync::Progress| {
        // One line per stage and tenth, so a log stays readable.
        let tenth = (p.done * 10).checked_div(p.total).unwrap_or(10);
        if last != Some((p.stage, tenth)) {
            last = Some((p.stage, tenth));
            eprintln!("{} … {}/{}", p.stage.label(lang), p.done, p.total);
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
    .map_err(Failure::from)?;
    match outcome {
        catalogue::sync::SyncOutcome::Unchanged => {
            let unchanged = etjanst::t!(lang, "catalogue-unchanged", name = name);
            writeln!(std::io::stdout(), "{unchanged}")?;
        }
        catalogue::sync::SyncOutcome::Updated {
            services,
            icons,
            blanketter,
            dropped_links,
            files_left,
        } => {
            let updated = etjanst::t!(
                lang,
                "catalogue-updated",
                services = services,
                name = name,
                icons = icons,
                blanketter = blanketter
            );
            writeln!(std::io::stdout(), "{updated}")?;
            if dropped_links > 0 {
                let warning = etjanst::t!(lang, "warning");
                let dropped =
                    etjanst::t!(lang, "links-dropped", count = dropped_links, name = name);
                eprintln!("etjanst: {warning}: {dropped}");
            }
            if files_left > 0 {
                eprintln!("{}", etjanst::t!(lang, "files-left", count = files_left));
            }
        }
    }
    // A bundle given once is remembered with its key for later syncs of the site.
    let site_key = site.trim_end_matches('/');
    if let Some(key) = &key {
        catalogue::bundle::public_key(key).map_err(Failure::from)?;
        let pinned = index.bundle_source(site_key)?;
        // A key swapped silently would let whoever serves the site sign its flows.
        if let Some((_, old)) = pinned.as_ref().filter(|(_, old)| old.trim() != key.trim())
            && !replace_key
        {
            return Err(Failure::input(etjanst::t!(
                lang,
                "key-pinned",
                name = name,
                key = old
            )));
        }
        let url = bundle
            .clone()
            .or(pinned.map(|(url, _)| url))
            .ok_or_else(|| Failure::input(etjanst::t!(lang, "key-needs-bundle")))?;
        index.set_bundle_source(site_key, &url, key)?;
    }
    if let Some((url, key)) = index.bundle_source(site_key)? {
        let key = catalogue::bundle::public_key(&key).map_err(Failure::from)?;
        eprintln!("{}", etjanst::t!(lang, "fetching-bundle"));
        let bytes = catalogue::sync::fetch(&url, &options).map_err(Failure::from)?;
        // A bundle that does not verify is refused whole; the installed one stays.
        let refused = |e: catalogue::bundle::BundleError| Failure {
            code: 1,
            message: e.message(lang),
        };
        let verified = catalogue::bundle::verify(&bytes, &key).map_err(refused)?;
        let installed = catalogue::bundle::installed(dir, &name);
        match catalogue::bundle::judge(&verified, &site, installed.as_ref()).map_err(refused)? {
            catalogue::bundle::Freshness::Unchanged => {
                let unchanged = etjanst::t!(lang, "bundle-unchanged", name = name);
                writeln!(std::io::stdout(), "{unchanged}")?;
            }
            catalogue::bundle::Freshness::New => {
                catalogue::bundle::install(dir, &name, &verified).map_err(Failure::from)?;
                let installed = etjanst::t!(
                    lang,
                    "bundle-installed",
                    count = verified.files.len(),
                    name = name
                );
                writeln!(std::io::stdout(), "{installed}")?;
            }
        }
    }
    Ok(0)
}

/// Writes a secret readable by its owner only.
fn write_secret(path: &Path, secret: &str, lang: Lang) -> Result<(), Failure> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| {
        Failure::input(if e.kind() == std::io::ErrorKind::AlreadyExists {
            etjanst::t!(lang, "secret-exists", file = path.display())
        } else {
            format!("{}: {e}", path.display())
        })
    })?;
    writeln!(file, "{secret}")?;
    Ok(())
}

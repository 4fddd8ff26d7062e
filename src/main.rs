//! `etjanst`: the command-line face of the core. Each subcommand calls one core function.
//!
//! Exit codes: 0 done (or, for `check`, the form is complete and valid); 1 the answers have
//! validation errors; 2 the input could not be used (unknown flow, bad file).

use std::io::Write;

use chrono::Timelike;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use etjanst::catalogue::{self, Catalogue};
use etjanst::fill::{self, Answers, Form, Lang, Mode};
use etjanst::flow::{self, Flow, QueryKind};
use etjanst::flowinstance;

#[derive(Parser)]
#[command(name = "etjanst", version, about = "Kommunens e-tjänster offline")]
struct Cli {
    /// Data directory (default: $ETJANST_DATA_DIR, else the system's data directory).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Language of messages.
    #[arg(long, global = true, value_enum, default_value_t = LangArg::Sv)]
    lang: LangArg,
    /// File whose first line is the drafts' passphrase (default: $ETJANST_PASSPHRASE, else
    /// the keychain, else a prompt).
    #[arg(long, global = true, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Sv,
    En,
}

#[derive(Subcommand)]
enum Command {
    /// List the e-services in the catalogue.
    Flows {
        #[arg(long)]
        json: bool,
        /// Only this category, e.g. "Omsorg och hjälp".
        #[arg(long)]
        category: Option<String>,
        /// A synced site's catalogue instead of the embedded one (its address).
        #[arg(long)]
        site: Option<String>,
    },
    /// Save an e-service's PDF blankett (to print and fill by hand).
    Blankett {
        /// Service id or alias (with --site: the flow id on that site).
        flow: String,
        #[arg(long)]
        site: Option<String>,
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Show a flow's steps and questions.
    Show {
        /// Flow id or alias (with --site: the e-service's number on that site).
        flow: String,
        #[arg(long)]
        json: bool,
        /// A synced site's e-service instead of a fillable flow.
        #[arg(long)]
        site: Option<String>,
    },
    /// Add fillable flows from .oeflow (or JSON) files; one bad file imports nothing.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Check answers: visible questions and validation errors.
    Check {
        flow: String,
        #[arg(long, value_name = "FILE")]
        answers: PathBuf,
        #[arg(long)]
        json: bool,
        /// Validate as a draft (formats only) instead of for print/submit.
        #[arg(long)]
        draft: bool,
    },
    /// Print the submitted-case XML (Open ePlatform flow instance) of complete answers, as
    /// Open ePlatform writes it (ISO-8859-1). Without the server's part it is a preview.
    Xml {
        flow: String,
        #[arg(long, value_name = "FILE")]
        answers: PathBuf,
        /// Where attached files are read from, by their names in the answers file (default:
        /// the answers file's folder).
        #[arg(long, value_name = "DIR")]
        attachments: Option<PathBuf>,
        /// Name the attached files without their content (as a query with Open ePlatform's
        /// excludeFileContentFromXML), when the files are not at hand.
        #[arg(long)]
        no_file_content: bool,
        /// UTF-8 instead of ISO-8859-1 (Open ePlatform's forceUTF setting).
        #[arg(long)]
        utf8: bool,
        /// Indent with TABs instead of 4 spaces.
        #[arg(long)]
        tabs: bool,
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Write the flow's XML Schema, schema-{FlowID}.xsd, as Open ePlatform generates it.
    Xsd {
        flow: String,
        /// Default: schema-{FlowID}.xsd in the current folder.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Make a printable PDF of complete answers, or of the blank form.
    Pdf {
        flow: String,
        #[arg(long, value_name = "FILE", required_unless_present = "blank")]
        answers: Option<PathBuf>,
        /// An empty form to fill in by hand.
        #[arg(long, conflicts_with = "answers")]
        blank: bool,
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Leave out the QR codes with the answers.
        #[arg(long)]
        no_qr: bool,
        /// Time printed on the PDF and carried in its codes, ÅÅÅÅ-MM-DDTHH:MM:SS (default: now).
        #[arg(long, value_name = "TIME")]
        created: Option<String>,
    },
    /// Read the answers back from scanned pages (PNG or JPEG) of a printed form: prints the XML.
    Scan {
        #[arg(required = true)]
        images: Vec<PathBuf>,
    },
    /// Write a flow as a .oeflow file.
    Export {
        flow: String,
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Print the JSON Schema of the flow format.
    Schema,
    /// Store a site's public catalogue (an Open ePlatform getflows/json response saved to a
    /// file) for offline use and search; replaces what was stored for that site.
    ImportCatalogue {
        /// The site's address, e.g. https://e-tjanster.sundsvall.se
        #[arg(long)]
        site: String,
        /// The municipality's name (default: the site's host name).
        #[arg(long)]
        name: Option<String>,
        file: PathBuf,
    },
    /// Fetch a municipality's catalogue from its Open ePlatform site (progress on stderr).
    Sync {
        /// The site's address, e.g. https://e-tjanster.sundsvall.se
        #[arg(long)]
        site: String,
        /// The municipality's name (default: the site's host name).
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        no_icons: bool,
        #[arg(long)]
        no_blanketter: bool,
        /// Download every icon and blankett now, for use without a network (a sync otherwise
        /// fetches at most 1000 of each and the rest later).
        #[arg(long)]
        all_files: bool,
        /// Address of the municipality's signed bundle of fillable flows.
        #[arg(long, requires = "key")]
        bundle: Option<String>,
        /// The municipality's public key (base64) that the bundle must be signed with.
        /// Remembered for the site; a different key later needs --replace-key.
        #[arg(long)]
        key: Option<String>,
        /// Replace the key remembered for the site (after the municipality changed it).
        #[arg(long, requires = "key")]
        replace_key: bool,
    },
    /// Signed catalogue bundles, for municipality administrators.
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// Find e-services from a few letters, in the embedded catalogue and every stored site.
    Search {
        text: String,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        category: Option<String>,
        #[arg(long)]
        site: Option<String>,
        /// Only e-services that can be filled in here, offline.
        #[arg(long)]
        fillable: bool,
        /// Only e-services that need e-legitimation.
        #[arg(long)]
        needs_eid: bool,
        /// Only e-services with a PDF blankett.
        #[arg(long)]
        has_blankett: bool,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Saved drafts: encrypted on this computer, never sent anywhere.
    #[command(subcommand)]
    Draft(DraftCommand),
}

#[derive(Subcommand)]
enum BundleCommand {
    /// Make a key pair: the secret key goes to FILE, the public key is printed.
    Keygen {
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Sign every file below --flows (flows, blanketter, icons) into one bundle.
    Build {
        #[arg(long, value_name = "DIR")]
        flows: PathBuf,
        /// The site the bundle is for, e.g. https://e-tjanster.lindesberg.se; citizens'
        /// computers refuse it for any other site.
        #[arg(long)]
        site: String,
        /// File holding the secret key from `bundle keygen`.
        #[arg(long, value_name = "SECRETKEYFILE")]
        key: PathBuf,
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
}

#[derive(Subcommand)]
enum DraftCommand {
    /// Save answers as a draft (a new one, or a new version of --id); prints the draft id.
    Save {
        flow: String,
        #[arg(long, value_name = "FILE")]
        answers: PathBuf,
        #[arg(long)]
        id: Option<String>,
    },
    /// List saved drafts.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Print a draft's answers (the answers-file format).
    Show {
        id: String,
        /// An earlier version: 1 = the one before the newest.
        #[arg(long, default_value_t = 0)]
        version: usize,
    },
    /// Delete a draft and its attachments.
    Delete { id: String },
    /// Write a draft to a passphrase-protected file to open on another computer.
    Export {
        id: String,
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// File whose first line is the file's passphrase (default: $ETJANST_FILE_PASSPHRASE,
        /// else a prompt).
        #[arg(long, value_name = "FILE")]
        file_passphrase_file: Option<PathBuf>,
    },
    /// Import a draft exported on another computer; prints the new draft id.
    Import {
        file: PathBuf,
        #[arg(long, value_name = "FILE")]
        file_passphrase_file: Option<PathBuf>,
    },
}

/// A failure that ends the command with a message and an exit code.
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
}

impl Failure {
    /// The same failure with what to do about it.
    pub(crate) fn with_hint(mut self, hint: &str) -> Self {
        self.message = format!("{}; {hint}", self.message);
        self
    }

    /// Unusable input: exit code 2.
    pub(crate) fn input(message: impl std::fmt::Display) -> Self {
        Failure {
            code: 2,
            message: message.to_string(),
        }
    }
}

macro_rules! input_errors {
    ($($t:ty),*) => {$(
        impl From<$t> for Failure {
            fn from(e: $t) -> Self {
                Failure::input(e)
            }
        }
    )*};
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        // The reader went away (`etjanst flows | head -1`): stop quietly, as ripgrep does.
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Failure {
                code: 0,
                message: String::new(),
            };
        }
        Failure::input(e)
    }
}

input_errors!(
    String,
    etjanst::pdf::PdfError,
    etjanst::qr::QrError,
    &str,
    serde_json::Error,
    catalogue::CatalogueError,
    catalogue::index::IndexError,
    etjanst::flow::LoadError
);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = match cli.lang {
        LangArg::Sv => Lang::Sv,
        LangArg::En => Lang::En,
    };
    match run(cli, lang) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            if !f.message.is_empty() {
                eprintln!("etjanst: {}", f.message);
            }
            ExitCode::from(f.code)
        }
    }
}

mod drafts;

fn data_dir(cli: &Cli) -> Result<PathBuf, Failure> {
    if let Some(d) = &cli.data_dir {
        return Ok(d.clone());
    }
    if let Some(d) = std::env::var_os("ETJANST_DATA_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    directories::ProjectDirs::from("se", "etjanst", "etjanst")
        .map(|p| p.data_dir().to_path_buf())
        .ok_or_else(|| Failure::from("hittar ingen datakatalog; ange --data-dir"))
}

/// A time given on the command line, or now.
fn time_arg(arg: Option<&str>) -> Result<chrono::NaiveDateTime, Failure> {
    match arg {
        None => Ok(chrono::Local::now()
            .naive_local()
            .with_nanosecond(0)
            .unwrap_or_default()),
        Some(t) => chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S")
            .map_err(|_| Failure::input(format!("ogiltig tid \"{t}\" (ÅÅÅÅ-MM-DDTHH:MM:SS)"))),
    }
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

/// A site's host name, as a default name for it.
fn host(site: &str) -> String {
    site.split("://")
        .nth(1)
        .unwrap_or(site)
        .trim_end_matches('/')
        .to_string()
}

/// The municipality's name for page headers, without the catalogue's "(exempelkatalog)".
fn publisher(site: &str) -> String {
    site.split(" (").next().unwrap_or(site).to_string()
}

pub(crate) fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

fn run(cli: Cli, lang: Lang) -> Result<u8, Failure> {
    let dir = data_dir(&cli)?;
    match cli.command {
        Command::Import { files } => {
            let ids = catalogue::import(&dir, &files)?;
            for id in ids {
                writeln!(std::io::stdout(), "importerade {id}")?;
            }
            Ok(0)
        }
        Command::ImportCatalogue { site, name, file } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| Failure::input(format!("{}: {e}", file.display())))?;
            let parsed = catalogue::flowinfo::parse(&bytes, None, &site)
                .map_err(|e| Failure::input(format!("{}: {e}", file.display())))?;
            if parsed.dropped_links > 0 {
                eprintln!(
                    "etjanst: varning: {} länkar som inte ledde till {site} togs bort",
                    parsed.dropped_links
                );
            }
            let services = parsed.services;
            let name = name.unwrap_or_else(|| {
                site.split("://")
                    .nth(1)
                    .unwrap_or(&site)
                    .trim_end_matches('/')
                    .to_string()
            });
            let mut index = catalogue::index::Index::open(&dir)?;
            let count = services.len();
            let data = catalogue::index::SiteData {
                name: name.clone(),
                services,
                ..Default::default()
            };
            index.replace_site(site.trim_end_matches('/'), &data)?;
            writeln!(std::io::stdout(), "{count} e-tjänster från {name}")?;
            Ok(0)
        }
        Command::Bundle(BundleCommand::Keygen { output }) => {
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
        Command::Bundle(BundleCommand::Build {
            flows,
            site,
            key,
            output,
        }) => {
            let secret = std::fs::read_to_string(&key)
                .map_err(|e| Failure::input(format!("{}: {e}", key.display())))?;
            if catalogue::bundle::origin(&site).is_none() {
                return Err(Failure::input(format!(
                    "--site {site}: ange webbplatsens adress, till exempel https://e-tjanster.kommun.se"
                )));
            }
            let created = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let bytes = catalogue::bundle::build(&flows, Some(&site), &secret, &created)
                .map_err(Failure::input)?;
            catalogue::write_atomic(&output, &bytes)?;
            Ok(0)
        }
        Command::Sync {
            site,
            name,
            no_icons,
            no_blanketter,
            all_files,
            bundle,
            key,
            replace_key,
        } => {
            let name = name.unwrap_or_else(|| host(&site));
            if etjanst::slug(&name).is_empty() {
                return Err(Failure::input(
                    catalogue::bundle::BundleError::BadName(name).to_string(),
                ));
            }
            let mut index = catalogue::index::Index::open(&dir)?;
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
                let installed = catalogue::bundle::installed(&dir, &name);
                match catalogue::bundle::judge(&verified, &site, installed.as_ref())
                    .map_err(refused)?
                {
                    catalogue::bundle::Freshness::Unchanged => {
                        writeln!(
                            std::io::stdout(),
                            "E-tjänstpaketet från {name} är oförändrat."
                        )?;
                    }
                    catalogue::bundle::Freshness::New => {
                        catalogue::bundle::install(&dir, &name, &verified)
                            .map_err(Failure::input)?;
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
        Command::Draft(command) => drafts::run(&dir, cli.passphrase_file.as_deref(), command),
        Command::Schema => {
            writeln!(
                std::io::stdout(),
                "{}",
                serde_json::to_string_pretty(&flow::json_schema()).unwrap_or_default()
            )?;
            Ok(0)
        }
        command => {
            let catalogue = Catalogue::open(&dir)?;
            for w in &catalogue.warnings {
                eprintln!("etjanst: varning: {w}");
            }
            run_on(&catalogue, command, lang)
        }
    }
}

fn run_on(catalogue: &Catalogue, command: Command, lang: Lang) -> Result<u8, Failure> {
    let mut out = std::io::stdout().lock();
    match command {
        Command::Flows {
            json,
            category,
            site: Some(site),
        } => {
            let index = etjanst::app::existing_index(catalogue.data_dir())?;
            let url = match &index {
                Some(index) => etjanst::app::find_site(index, &site)?,
                None => None,
            };
            let (Some(index), Some(url)) = (index, url) else {
                return Err(Failure::input(format!(
                    "ingen hämtad katalog heter \"{site}\"; hämta den med: etjanst sync --site https://{}",
                    host(&site)
                )));
            };
            let entries = etjanst::app::list_site(&index, &url, category.as_deref())?;
            if entries.is_empty() {
                return Err(Failure::input(format!(
                    "inga e-tjänster i kategorin \"{}\" från {url}",
                    category.unwrap_or_default()
                )));
            }
            print_entries(&mut out, &entries, json, lang)?;
            Ok(0)
        }
        Command::Blankett { flow, site, output } => {
            let bytes = match site {
                Some(given) => {
                    let unknown =
                        || Failure::input(etjanst::app::AppError::UnknownSite(given.clone()));
                    let mut index =
                        etjanst::app::existing_index(catalogue.data_dir())?.ok_or_else(unknown)?;
                    let site = etjanst::app::find_site(&index, &given)?.ok_or_else(unknown)?;
                    let id: i64 = flow
                        .parse()
                        .map_err(|_| Failure::input("ange e-tjänstens nummer på webbplatsen"))?;
                    let site = site.as_str();
                    let none =
                        || Failure::input(format!("e-tjänst {id} på {site} har ingen blankett"));
                    match index.file(site, id, "blankett")? {
                        Some(bytes) => bytes,
                        // Not reached by a bounded sync yet: fetched now, if the site answers.
                        None if index.service(site, id)?.is_some() => {
                            catalogue::sync::fetch_blankett(
                                &mut index,
                                site,
                                id,
                                &Default::default(),
                            )
                            .map_err(Failure::input)?
                            .ok_or_else(none)?
                        }
                        None => return Err(none()),
                    }
                }
                None => {
                    let service = catalogue.service(&flow).ok_or_else(|| {
                        Failure::input(format!("e-tjänsten \"{flow}\" finns inte i katalogen"))
                    })?;
                    let b = service.blanketter.first().ok_or_else(|| {
                        Failure::input(format!("{} har ingen blankett; skriv ut formuläret med etjanst pdf {flow} --blank", service.name))
                    })?;
                    catalogue.blankett(b)?
                }
            };
            catalogue::write_atomic(&output, &bytes)?;
            Ok(0)
        }
        Command::Flows { json, category, .. } => {
            let entries = etjanst::app::list(catalogue, category.as_deref());
            if let Some(c) = &category
                && entries.is_empty()
            {
                return Err(Failure::input(format!(
                    "det finns ingen kategori \"{c}\"; kategorierna är: {}",
                    catalogue.categories.join(", ")
                )));
            }
            if !json {
                writeln!(out, "{} ({})", catalogue.site.name, catalogue.site.url)?;
            }
            print_entries(&mut out, &entries, json, lang)?;
            if !json && let Some(index) = etjanst::app::existing_index(catalogue.data_dir())? {
                let sites = index.sites()?;
                if !sites.is_empty() {
                    writeln!(out, "\nHämtade kataloger (visa med --site NAMN):")?;
                    for (url, name, n) in sites {
                        writeln!(out, "  {name}: {n} e-tjänster, {url}")?;
                    }
                }
            }
            Ok(0)
        }
        Command::Show { flow, json, site } => {
            let index = etjanst::app::existing_index(catalogue.data_dir())?;
            match etjanst::app::find(catalogue, index.as_ref(), &flow, site.as_deref())
                .map_err(Failure::input)?
            {
                etjanst::app::Found::Flow(found) => {
                    if json {
                        writeln!(out, "{}", serde_json::to_string_pretty(found)?)?;
                    } else {
                        show(&mut out, found)?;
                    }
                }
                etjanst::app::Found::Entry(entry) => {
                    if json {
                        writeln!(out, "{}", serde_json::to_string_pretty(&entry)?)?;
                    } else {
                        writeln!(out, "{} ({})", entry.name, entry.handle)?;
                        writeln!(out, "Kategori: {}", entry.category)?;
                        if let Some(service) = catalogue.service(&entry.id) {
                            writeln!(out, "{}", fill::plain_text(&service.short_description))?;
                        }
                        writeln!(out, "\n{}", etjanst::app::what_to_do(&entry, lang))?;
                    }
                }
                etjanst::app::Found::Synced(hit, long) => show_synced(&mut out, &hit, &long, json)?,
                etjanst::app::Found::Ambiguous(hits) => {
                    let sites: Vec<String> = hits
                        .iter()
                        .map(|h| {
                            format!("  etjanst show {} --site {}   ({})", h.id, h.site, h.name)
                        })
                        .collect();
                    return Err(Failure::input(format!(
                        "e-tjänst {flow} finns på flera webbplatser; välj en:\n{}",
                        sites.join("\n")
                    )));
                }
            }
            Ok(0)
        }
        Command::Check {
            flow,
            answers,
            json,
            draft,
        } => {
            let given = flow;
            let flow = fillable(catalogue, &given, lang)?;
            let mut answers = read_answers(flow, &given, &answers)?;
            let form = Form::new(flow);
            let mode = if draft { Mode::Draft } else { Mode::Complete };
            let report = fill::check(&form, &mut answers, mode, today());
            let remaining = if draft {
                fill::remaining(&form, &answers, today())
            } else {
                Vec::new()
            };
            if json {
                let issues: Vec<_> = report
                    .issues
                    .iter()
                    .map(|i| {
                        let mut v = serde_json::to_value(i).unwrap_or_default();
                        v["message"] = i.message(lang).into();
                        // The names a person used in the answers file, beside the ids.
                        if let Some(q) = flow.query(&i.query) {
                            if let Some(alias) = &q.alias {
                                v["alias"] = alias.clone().into();
                            }
                            if let Some(alias) = i.field.as_deref().and_then(|f| field_alias(q, f))
                            {
                                v["fieldAlias"] = alias.into();
                            }
                        }
                        v
                    })
                    .collect();
                let mut doc = serde_json::json!({
                    "flow": flow.id,
                    "aliases": flow.aliases,
                    "valid": report.is_valid(),
                    "visible": report.visible(&form),
                    "errors": issues,
                });
                if draft {
                    let left: Vec<_> = remaining
                        .iter()
                        .map(|i| {
                            let mut v = serde_json::to_value(i).unwrap_or_default();
                            v["message"] = i.message(lang).into();
                            v
                        })
                        .collect();
                    doc["remaining"] = left.into();
                }
                writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
            } else {
                for q in report.visible(&form) {
                    let mark = match q.state {
                        flow::QueryState::VisibleRequired => "*",
                        _ => " ",
                    };
                    let handle = q.alias.as_deref().unwrap_or(&q.id);
                    writeln!(out, "{mark} {handle:<24} {}", q.name)?;
                }
                if report.is_valid() && draft && !remaining.is_empty() {
                    writeln!(
                        out,
                        "\nUtkastet är giltigt så här långt. Kvar att fylla i innan det kan skrivas ut eller skickas ({}):",
                        remaining.len()
                    )?;
                    print_issues(&mut out, flow, &remaining, lang)?;
                } else if report.is_valid() {
                    writeln!(out, "\nFormuläret är komplett och giltigt.")?;
                } else {
                    writeln!(out, "\n{} fel:", report.issues.len())?;
                    print_issues(&mut out, flow, &report.issues, lang)?;
                }
            }
            Ok(if report.is_valid() { 0 } else { 1 })
        }
        Command::Xml {
            flow,
            answers: answers_path,
            attachments,
            no_file_content,
            utf8,
            tabs,
            output,
        } => {
            let given = flow;
            let flow = fillable(catalogue, &given, lang)?;
            let form = Form::new(flow);
            let Some((answers, report)) = complete_answers(&form, &given, &answers_path, lang)?
            else {
                return Ok(1);
            };
            let files = FilesIn(attachments.unwrap_or_else(|| {
                answers_path
                    .parent()
                    .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
            }));
            // A terminal shows UTF-8; ISO-8859-1 bytes would come out garbled there.
            let to_terminal =
                output.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout());
            let options = flowinstance::Options {
                charset: if utf8 || to_terminal {
                    flowinstance::Charset::Utf8
                } else {
                    flowinstance::Charset::Latin1
                },
                indent: if tabs {
                    flowinstance::Indent::Tabs
                } else {
                    flowinstance::Indent::Spaces
                },
                embed_files: !no_file_content,
            };
            let header = flowinstance::Header::default();
            let bytes = flowinstance::write(
                &form,
                &report.states,
                &answers,
                &header,
                &files,
                options,
            )
            .map_err(|e| match e {
                flowinstance::CaseXmlError::MissingAttachment(name) => Failure::from(format!(
                    "bilagan \"{name}\" finns inte i {}; ange mappen med --attachments, eller --no-file-content för att bara namnge filerna",
                    files.0.display()
                )),
                e => Failure::from(e.to_string()),
            })?;
            eprintln!(
                "{}",
                if lang == Lang::Sv {
                    "Förhandsvisning: ärendenummer, status, inskickare, tider och fil-id sätts av kommunens server när ärendet skickas in, så de saknas här."
                } else {
                    "Preview: the case number, status, poster, times and file ids are set by the municipality's server on submission, so they are missing here."
                }
            );
            if to_terminal && !utf8 {
                eprintln!(
                    "{}",
                    if lang == Lang::Sv {
                        "Visas som UTF-8; med -o FIL eller omdirigering blir det ISO-8859-1 som Open ePlatform skriver."
                    } else {
                        "Shown as UTF-8; with -o FILE or a redirect it is ISO-8859-1, as Open ePlatform writes it."
                    }
                );
            }
            match output {
                Some(path) => catalogue::write_atomic(&path, &bytes)?,
                None => out.write_all(&bytes)?,
            }
            Ok(0)
        }
        Command::Xsd { flow, output } => {
            let given = flow;
            let flow = fillable(catalogue, &given, lang)?;
            let bytes = flowinstance::xsd(flow).map_err(|e| Failure::from(e.to_string()))?;
            let path = output.unwrap_or_else(|| PathBuf::from(format!("schema-{}.xsd", flow.id)));
            catalogue::write_atomic(&path, &bytes)?;
            eprintln!("{}", path.display());
            Ok(0)
        }
        Command::Pdf {
            flow,
            answers,
            blank,
            output,
            no_qr,
            created,
        } => {
            let given = flow;
            let flow = fillable(catalogue, &given, lang)?;
            let options = etjanst::pdf::PdfOptions {
                created: time_arg(created.as_deref())?,
                publisher: publisher(&catalogue.site.name),
                by_post: true,
                qr: !no_qr,
            };
            let bytes = if blank {
                etjanst::pdf::blank(flow, &options)?
            } else {
                let path = answers.ok_or_else(|| Failure::input("ange --answers eller --blank"))?;
                let form = Form::new(flow);
                let Some((answers, report)) = complete_answers(&form, &given, &path, lang)? else {
                    return Ok(1);
                };
                etjanst::pdf::filled(&form, &report.states, &answers, &options)?
            };
            catalogue::write_atomic(&output, &bytes)?;
            Ok(0)
        }
        Command::Scan { images } => {
            let mut pages = Vec::new();
            for path in &images {
                pages.push(
                    std::fs::read(path)
                        .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?,
                );
            }
            let xml = etjanst::qr::scan(&pages)?;
            write!(out, "{xml}")?;
            Ok(0)
        }
        Command::Export { flow, output } => {
            let given = flow;
            let flow = fillable(catalogue, &given, lang)?;
            catalogue::write_atomic(&output, flow::oeflow::export(flow).as_bytes())?;
            Ok(0)
        }
        Command::Search {
            text,
            json,
            category,
            site,
            fillable,
            needs_eid,
            has_blankett,
            limit,
        } => {
            let index = etjanst::app::existing_index(catalogue.data_dir())?;
            let site = match (&site, &index) {
                (None, _) => None,
                (Some(given), Some(index)) => {
                    Some(etjanst::app::find_site(index, given)?.ok_or_else(|| {
                        Failure::input(etjanst::app::AppError::UnknownSite(given.clone()))
                    })?)
                }
                (Some(given), None) => {
                    return Err(Failure::input(etjanst::app::AppError::UnknownSite(
                        given.clone(),
                    )));
                }
            };
            let filter = catalogue::index::Filter {
                category: category.clone(),
                site: site.clone(),
                needs_eid: needs_eid.then_some(true),
                has_blankett: has_blankett.then_some(true),
            };
            let mut hits: Vec<_> = catalogue
                .search(&text)
                .into_iter()
                .filter(|h| category.as_ref().is_none_or(|c| &h.category == c))
                .filter(|h| site.as_ref().is_none_or(|s| &h.site == s))
                .filter(|h| {
                    let Some(service) = catalogue.service(&h.id) else {
                        return false;
                    };
                    let caps = catalogue.capabilities(service);
                    (!fillable || caps.fill_offline)
                        && (!needs_eid || caps.needs_eid)
                        && (!has_blankett || caps.blankett)
                })
                .collect();
            // Synced sites carry no form content: they are filled on the web.
            if !fillable && let Some(index) = &index {
                hits.extend(index.search(&text, &filter, limit)?);
            }
            catalogue::index::rank(&mut hits, &text);
            hits.truncate(limit);
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&hits)?)?;
            } else if hits.is_empty() {
                writeln!(out, "Inga e-tjänster hittades.")?;
            } else {
                // What to type next: the embedded entry's handle, or the number and its site.
                let rows: Vec<(String, &catalogue::index::Hit)> = hits
                    .iter()
                    .map(|h| {
                        let handle = match catalogue.service(&h.id) {
                            Some(s) if h.site == catalogue.site.url => {
                                etjanst::app::handle(&s.id, &s.aliases)
                            }
                            _ => format!("{} --site {}", h.id, host(&h.site)),
                        };
                        (handle, h)
                    })
                    .collect();
                let width = rows
                    .iter()
                    .map(|(k, _)| k.chars().count())
                    .max()
                    .unwrap_or(0);
                for (handle, h) in &rows {
                    writeln!(out, "{handle:<width$}  {}", h.name)?;
                    writeln!(out, "{:<width$}  {}", "", h.category)?;
                }
            }
            Ok(0)
        }
        Command::Import { .. }
        | Command::Schema
        | Command::Draft(_)
        | Command::ImportCatalogue { .. }
        | Command::Sync { .. }
        | Command::Bundle(_) => Ok(0),
    }
}

/// Attached files read from a folder by their names, for `xml` from an answers file.
struct FilesIn(PathBuf);

impl flowinstance::Attachments for FilesIn {
    fn content(&self, file: &fill::FileRef) -> Option<std::borrow::Cow<'_, [u8]>> {
        // Only the file's own name: an answers file cannot point outside the folder.
        let name = Path::new(&file.name).file_name()?;
        std::fs::read(self.0.join(name)).ok().map(Into::into)
    }
}

/// Answers ready to print or submit; when they are not, the errors are printed and `None`
/// returned (exit code 1).
fn complete_answers(
    form: &Form,
    given: &str,
    path: &Path,
    lang: Lang,
) -> Result<Option<(Answers, fill::Report)>, Failure> {
    let mut answers = read_answers(form.flow, given, path)?;
    let report = fill::check(form, &mut answers, Mode::Complete, today());
    if report.is_valid() {
        return Ok(Some((answers, report)));
    }
    let mut err = std::io::stderr().lock();
    writeln!(err, "Formuläret är inte komplett; rätta först:")?;
    print_issues(&mut err, form.flow, &report.issues, lang)?;
    Ok(None)
}

pub(crate) fn read_answers(flow: &Flow, given: &str, path: &Path) -> Result<Answers, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::from(format!("{}: {e}", path.display())))?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Failure::from(format!(
            "{}:{}:{}: {}",
            path.display(),
            e.line(),
            e.column(),
            etjanst::json_error::message(&e, true)
        ))
    })?;
    Answers::from_json(flow, &doc).map_err(|e| {
        // Name the flow the way the person did, not by its number.
        let e = match e {
            fill::AnswerError::WrongFlow { file, .. } => fill::AnswerError::WrongFlow {
                file,
                flow: given.to_string(),
            },
            e => e,
        };
        Failure::from(format!("{}: {e}", path.display()))
    })
}

pub(crate) fn print_issues(
    out: &mut impl Write,
    flow: &Flow,
    issues: &[fill::Issue],
    lang: Lang,
) -> std::io::Result<()> {
    for issue in issues {
        let query = flow.query(&issue.query);
        let name = query.map_or("", |q| q.name.as_str());
        let mut place = query.map_or(issue.query.clone(), |q| q.handle().to_string());
        if let Some(row) = issue.row {
            place.push_str(&format!(" rad {}", row + 1));
        }
        if let Some(field) = &issue.field {
            let field = query
                .and_then(|q| field_alias(q, field))
                .unwrap_or_else(|| field.clone());
            place.push_str(&format!(" / {field}"));
        }
        writeln!(out, "- {place} ({name}): {}", issue.message(lang))?;
    }
    Ok(())
}

/// The alias of a text field (or of a sub-query of a group row) that an issue names by id.
fn field_alias(query: &flow::Query, field: &str) -> Option<String> {
    match &query.kind {
        QueryKind::TextField(t) => t
            .fields
            .iter()
            .find(|f| f.id == field)
            .and_then(|f| f.alias.clone()),
        QueryKind::RepeatingGroup(g) => {
            let (sub, rest) = field.split_once('.').unwrap_or((field, ""));
            let sub = g.queries.iter().find(|q| q.id == sub)?;
            let inner = (!rest.is_empty())
                .then(|| field_alias(sub, rest).unwrap_or_else(|| rest.to_string()));
            let head = sub.handle().to_string();
            Some(inner.map_or(head.clone(), |i| format!("{head}.{i}")))
        }
        _ => None,
    }
}

fn show(out: &mut impl Write, flow: &Flow) -> std::io::Result<()> {
    writeln!(out, "{} ({}, version {})", flow.name, flow.id, flow.version)?;
    if let Some(c) = &flow.category {
        writeln!(out, "Kategori: {c}")?;
    }
    if !flow.short_description.is_empty() {
        writeln!(out, "{}", fill::plain_text(&flow.short_description))?;
    }
    for (n, step) in flow.steps.iter().enumerate() {
        writeln!(out, "\nSteg {}: {}", n + 1, step.name)?;
        for q in &step.queries {
            show_query(out, q, "  ")?;
        }
    }
    Ok(())
}

/// The fillable flow `name` means; for an entry without one, an error saying what can be done
/// with it instead.
pub(crate) fn fillable<'c>(
    catalogue: &'c Catalogue,
    name: &str,
    lang: Lang,
) -> Result<&'c Flow, Failure> {
    match catalogue.flow(name) {
        Ok(flow) => Ok(flow),
        Err(e) => match etjanst::app::find(catalogue, None, name, None) {
            Ok(etjanst::app::Found::Entry(entry)) => Err(Failure::input(format!(
                "{} går inte att fylla i här. {}",
                entry.name,
                etjanst::app::what_to_do(&entry, lang)
            ))),
            _ => Err(Failure::input(e)),
        },
    }
}

/// Catalogue entries under their categories, each with what can be done with it here; or
/// as JSON, each with its id, the name to type (`handle`) and its aliases.
fn print_entries(
    out: &mut impl Write,
    entries: &[etjanst::app::Entry],
    json: bool,
    lang: Lang,
) -> Result<(), Failure> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(entries)?)?;
        return Ok(());
    }
    let width = entries
        .iter()
        .map(|e| e.handle.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(8, 34);
    let mut current = None;
    for e in entries {
        if current != Some(&e.category) {
            current = Some(&e.category);
            writeln!(out, "\n{}", e.category)?;
        }
        writeln!(out, "  {:<width$} {}", e.handle, e.name)?;
        writeln!(
            out,
            "  {:<width$} {}",
            "",
            etjanst::app::what_to_do(e, lang)
        )?;
    }
    Ok(())
}

/// A synced e-service that is filled in on the municipality's website.
fn show_synced(
    out: &mut impl Write,
    hit: &catalogue::index::Hit,
    long: &str,
    json: bool,
) -> Result<(), Failure> {
    if json {
        let mut v = serde_json::to_value(hit)?;
        v["longDescription"] = long.into();
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(());
    }
    writeln!(out, "{} ({}, {})", hit.name, hit.id, hit.site)?;
    writeln!(out, "Kategori: {}", hit.category)?;
    let text = fill::plain_text(if long.trim().is_empty() {
        &hit.short_description
    } else {
        long
    });
    writeln!(out, "{text}")?;
    let eid = if hit.requires_authentication || hit.requires_signing {
        " Kräver e-legitimation."
    } else {
        ""
    };
    writeln!(
        out,
        "\nFylls i på webben: {}{eid}",
        hit.url.as_deref().unwrap_or(&hit.site)
    )?;
    Ok(())
}

/// An id with the alias a person can type instead: `omrade (6102)`.
fn named(id: &str, alias: Option<&str>) -> String {
    alias.map_or_else(|| id.to_string(), |a| format!("{a} ({id})"))
}

fn show_query(out: &mut impl Write, q: &flow::Query, indent: &str) -> std::io::Result<()> {
    let state = match q.default_state {
        flow::QueryState::Visible => "valfri",
        flow::QueryState::VisibleRequired => "obligatorisk",
        flow::QueryState::Hidden => "dold",
    };
    writeln!(
        out,
        "{indent}[{}] {} ({}, {state})",
        named(&q.id, q.alias.as_deref()),
        q.name,
        q.kind.type_name()
    )?;
    match &q.kind {
        QueryKind::TextField(t) => {
            for f in &t.fields {
                writeln!(
                    out,
                    "{indent}    fält {}: {}",
                    named(&f.id, f.alias.as_deref()),
                    f.label
                )?;
            }
        }
        QueryKind::RepeatingGroup(g) => {
            let max = g
                .max_rows
                .map_or("obegränsat".to_string(), |m| m.to_string());
            writeln!(out, "{indent}    rader: {}–{max}", g.min_rows)?;
            for sub in &g.queries {
                show_query(out, sub, &format!("{indent}    "))?;
            }
        }
        QueryKind::Unknown(_) => {
            writeln!(out, "{indent}    måste fyllas i på webben")?;
        }
        kind => {
            if let Some((alts, free)) = kind.alternatives() {
                for a in alts {
                    writeln!(
                        out,
                        "{indent}    ( ) {}: {}",
                        named(&a.id, a.alias.as_deref()),
                        a.name
                    )?;
                }
                if let Some(f) = free {
                    writeln!(out, "{indent}    ( ) other: {f}")?;
                }
            }
        }
    }
    for ev in &q.evaluators {
        if let flow::EvaluatorRule::QueryState {
            alternatives,
            state: Some(state),
            ..
        } = &ev.rule
        {
            writeln!(
                out,
                "{indent}    villkor {}: när {} → {} blir {}",
                ev.id,
                alternatives.join(", "),
                ev.targets.join(", "),
                state.as_oep()
            )?;
        }
    }
    Ok(())
}

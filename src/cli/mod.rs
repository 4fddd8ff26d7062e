//! The `etjanst` command: parsing, dispatch and exit codes. Each command group lives in a
//! module of its own and calls the core; nothing here decides what the core decides.
//!
//! Exit codes: 0 done (or, for `check`, the form is complete and valid); 1 the answers have
//! validation errors, a bundle or passphrase was refused; 2 the input could not be used
//! (unknown flow, bad file); 3 the application waits in the outbox (`submit` without a network).

mod blankett;
mod browse;
mod drafts;
mod forms;
mod kiosk;
mod profile;
mod sites;
mod submit;

use chrono::Timelike;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
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
    /// Save an e-service's PDF blankett, list its form fields, or fill them into a new PDF.
    Blankett(blankett::BlankettArgs),
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
        /// Fill the applicant's empty questions from your details (`etjanst profile`).
        #[arg(long)]
        profile: bool,
    },
    /// Print the submitted-case XML (Open ePlatform flow instance) of complete answers, as
    /// Open ePlatform writes it (ISO-8859-1). Without the server's part it is a preview.
    Xml(XmlArgs),
    /// Write the flow's XML Schema, schema-{FlowID}.xsd, as Open ePlatform generates it.
    Xsd {
        flow: String,
        /// Default: schema-{FlowID}.xsd in the current folder.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Make a printable PDF of complete answers, or of the blank form.
    Pdf(PdfArgs),
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
    /// Write the app's accessibility statement as a web page, for the municipality's site.
    Statement {
        /// Default: standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
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
    Sync(SyncArgs),
    /// Signed catalogue bundles, for municipality administrators.
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// Find e-services from a few letters, in the embedded catalogue and every stored site.
    Search(SearchArgs),
    /// Saved drafts: encrypted on this computer, never sent anywhere.
    #[command(subcommand)]
    Draft(DraftCommand),
    /// Your own details ("Mina uppgifter"), kept encrypted, that fill the applicant's questions.
    #[command(subcommand)]
    Profile(profile::ProfileCommand),
    /// Sends an application to the municipality and signs it with BankID.
    Submit(submit::SubmitArgs),
    /// Sign an application someone else sent, as its second guardian or co-applicant, with the
    /// signing code they gave you.
    Sign(submit::SignArgs),
    /// Applications waiting to be sent or signed ("väntar på att skickas").
    #[command(subcommand)]
    Outbox(submit::OutboxCommand),
    /// Kiosk computers: the administrator's code and configuration.
    #[command(subcommand)]
    Kiosk(kiosk::KioskCommand),
    /// Receipts of applications sent: case number, time, signer.
    Receipts {
        #[arg(long)]
        json: bool,
        /// Save the copy of what was sent with case number CASE (a PDF) to --output.
        #[arg(long, value_name = "CASE", requires = "output")]
        copy: Option<String>,
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Args)]
pub(crate) struct SearchArgs {
    pub(crate) text: String,
    #[arg(long)]
    pub(crate) json: bool,
    #[arg(long)]
    pub(crate) category: Option<String>,
    #[arg(long)]
    pub(crate) site: Option<String>,
    /// Only e-services that can be filled in here, offline.
    #[arg(long)]
    pub(crate) fillable: bool,
    /// Only e-services that need e-legitimation.
    #[arg(long)]
    pub(crate) needs_eid: bool,
    /// Only e-services with a PDF blankett.
    #[arg(long)]
    pub(crate) has_blankett: bool,
    #[arg(long, default_value_t = 20)]
    pub(crate) limit: usize,
}

#[derive(Args)]
pub(crate) struct XmlArgs {
    pub(crate) flow: String,
    #[arg(long, value_name = "FILE")]
    pub(crate) answers: PathBuf,
    /// Where attached files are read from, by their names in the answers file (default:
    /// the answers file's folder).
    #[arg(long, value_name = "DIR")]
    pub(crate) attachments: Option<PathBuf>,
    /// Name the attached files without their content (as a query with Open ePlatform's
    /// excludeFileContentFromXML), when the files are not at hand.
    #[arg(long)]
    pub(crate) no_file_content: bool,
    /// UTF-8 instead of ISO-8859-1 (Open ePlatform's forceUTF setting).
    #[arg(long)]
    pub(crate) utf8: bool,
    /// Indent with TABs instead of 4 spaces.
    #[arg(long)]
    pub(crate) tabs: bool,
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Args)]
pub(crate) struct PdfArgs {
    pub(crate) flow: String,
    #[arg(long, value_name = "FILE", required_unless_present = "blank")]
    pub(crate) answers: Option<PathBuf>,
    /// An empty form to fill in by hand.
    #[arg(long, conflicts_with = "answers")]
    pub(crate) blank: bool,
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: PathBuf,
    /// Leave out the QR codes with the answers.
    #[arg(long)]
    pub(crate) no_qr: bool,
    /// Time printed on the PDF and carried in its codes, ÅÅÅÅ-MM-DDTHH:MM:SS (default: now).
    #[arg(long, value_name = "TIME")]
    pub(crate) created: Option<String>,
    /// Fill the applicant's empty questions from your details (`etjanst profile`).
    #[arg(long, conflicts_with = "blank")]
    pub(crate) profile: bool,
}

#[derive(Args)]
pub(crate) struct SyncArgs {
    /// The site's address, e.g. https://e-tjanster.sundsvall.se
    #[arg(long)]
    pub(crate) site: String,
    /// The municipality's name (default: the site's host name).
    #[arg(long)]
    pub(crate) name: Option<String>,
    #[arg(long)]
    pub(crate) no_icons: bool,
    #[arg(long)]
    pub(crate) no_blanketter: bool,
    /// Download every icon and blankett now, for use without a network (a sync otherwise
    /// fetches at most 1000 of each and the rest later).
    #[arg(long)]
    pub(crate) all_files: bool,
    /// Address of the municipality's signed bundle of fillable flows.
    #[arg(long, requires = "key")]
    pub(crate) bundle: Option<String>,
    /// The municipality's public key (base64) that the bundle must be signed with.
    /// Remembered for the site; a different key later needs --replace-key.
    #[arg(long)]
    pub(crate) key: Option<String>,
    /// Replace the key remembered for the site (after the municipality changed it).
    #[arg(long, requires = "key")]
    pub(crate) replace_key: bool,
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
        /// The municipality's submission gateway (https://…): its flows get "Skicka in"
        /// on citizens' computers. Without it they are printed and posted.
        #[arg(long, value_name = "URL")]
        gateway: Option<String>,
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

/// The language messages are shown in, chosen once with `--lang`; the core's errors display
/// in it too.
pub(crate) fn lang() -> Lang {
    etjanst::i18n::language()
}

macro_rules! localized_errors {
    ($($t:ty),*) => {$(
        impl From<$t> for Failure {
            fn from(e: $t) -> Self {
                Failure::input(e.message(lang()))
            }
        }
    )*};
}

localized_errors!(
    catalogue::sync::SyncError,
    catalogue::bundle::BundleError,
    etjanst::app::AppError
);

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
    etjanst::blankett::BlankettError,
    etjanst::pdf::PdfError,
    etjanst::qr::QrError,
    &str,
    serde_json::Error,
    catalogue::CatalogueError,
    catalogue::index::IndexError,
    etjanst::flow::LoadError
);

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = match cli.lang {
        LangArg::Sv => Lang::Sv,
        LangArg::En => Lang::En,
    };
    etjanst::i18n::set_language(lang);
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

fn data_dir(cli: &Cli) -> Result<PathBuf, Failure> {
    if let Some(d) = &cli.data_dir {
        return Ok(d.clone());
    }
    if let Some(d) = std::env::var_os("ETJANST_DATA_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    directories::ProjectDirs::from("se", "etjanst", "etjanst")
        .map(|p| p.data_dir().to_path_buf())
        .ok_or_else(|| Failure::from(etjanst::t!(Lang::Sv, "no-data-dir")))
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

/// A site's host name, as a default name for it.
fn host(site: &str) -> String {
    etjanst::app::host(site)
}

/// The municipality's name for page headers, without the catalogue's "(exempelkatalog)".
fn publisher(site: &str) -> String {
    etjanst::app::publisher(site)
}

pub(crate) fn today() -> chrono::NaiveDate {
    etjanst::app::today()
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
            Ok(etjanst::app::Found::Entry(entry)) => Err(Failure::input(etjanst::t!(
                lang,
                "not-fillable",
                name = entry.name,
                what = etjanst::app::what_to_do(&entry, lang)
            ))),
            _ => Err(Failure::input(e)),
        },
    }
}

fn run(cli: Cli, lang: Lang) -> Result<u8, Failure> {
    let dir = data_dir(&cli)?;
    match cli.command {
        Command::Import { files } => browse::import(&dir, lang, files),
        Command::ImportCatalogue { site, name, file } => {
            browse::import_catalogue(&dir, lang, site, name, file)
        }
        Command::Bundle(BundleCommand::Keygen { output }) => sites::bundle_keygen(lang, output),
        Command::Bundle(BundleCommand::Build {
            flows,
            site,
            gateway,
            key,
            output,
        }) => sites::bundle_build(lang, flows, site, gateway, key, output),
        Command::Sync(args) => sites::sync(&dir, lang, args),
        Command::Draft(command) => drafts::run(&dir, cli.passphrase_file.as_deref(), command),
        Command::Profile(command) => profile::run(&dir, cli.passphrase_file.as_deref(), command),
        Command::Submit(args) => submit::submit(&dir, cli.passphrase_file.as_deref(), args),
        Command::Outbox(command) => submit::outbox(&dir, cli.passphrase_file.as_deref(), command),
        Command::Sign(args) => submit::cosign(&dir, args),
        Command::Kiosk(command) => kiosk::run(command),
        Command::Receipts { json, copy, output } => match (copy, output) {
            (Some(case), Some(output)) => {
                submit::receipt_copy(&dir, cli.passphrase_file.as_deref(), &case, &output)
            }
            _ => submit::receipts(&dir, cli.passphrase_file.as_deref(), json),
        },
        Command::Schema => browse::schema(),
        command => {
            let wants_profile = match &command {
                Command::Check { profile, .. } => *profile,
                Command::Pdf(args) => args.profile,
                _ => false,
            };
            if wants_profile {
                profile::load(&dir, cli.passphrase_file.as_deref())?;
            }
            let catalogue = Catalogue::open(&dir)?;
            for w in &catalogue.warnings {
                eprintln!("etjanst: {}: {w}", etjanst::t!(lang, "warning"));
            }
            run_on(&catalogue, command, lang)
        }
    }
}

/// The commands that read the catalogue.
fn run_on(catalogue: &Catalogue, command: Command, lang: Lang) -> Result<u8, Failure> {
    match command {
        Command::Flows {
            json,
            category,
            site,
        } => browse::flows(catalogue, lang, json, category, site),
        Command::Blankett(args) => blankett::run(catalogue, lang, args),
        Command::Show { flow, json, site } => browse::show(catalogue, lang, flow, json, site),
        Command::Search(args) => browse::search(catalogue, lang, args),
        Command::Export { flow, output } => browse::export(catalogue, lang, flow, output),
        Command::Check {
            flow,
            answers,
            json,
            draft,
            ..
        } => forms::check(catalogue, lang, flow, answers, json, draft),
        Command::Xml(args) => forms::xml(catalogue, lang, args),
        Command::Xsd { flow, output } => forms::xsd(catalogue, lang, flow, output),
        Command::Pdf(args) => forms::pdf(catalogue, lang, args),
        Command::Scan { images } => forms::scan(images),
        Command::Statement { output } => {
            let (measured, gaps) = etjanst::statement::embedded();
            let body = etjanst::statement::body_of(catalogue);
            let s = etjanst::statement::statement(&measured, &gaps, &body, lang);
            let html = etjanst::statement::html(&s, lang);
            match output {
                Some(path) => catalogue::write_atomic(&path, html.as_bytes())?,
                None => print!("{html}"),
            }
            Ok(0)
        }
        Command::Import { .. }
        | Command::Schema
        | Command::Draft(_)
        | Command::Profile(_)
        | Command::Submit(_)
        | Command::Outbox(_)
        | Command::Sign(_)
        | Command::Kiosk(_)
        | Command::Receipts { .. }
        | Command::ImportCatalogue { .. }
        | Command::Sync { .. }
        | Command::Bundle(_) => Ok(0),
    }
}

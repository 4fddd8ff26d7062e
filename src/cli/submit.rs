//! `etjanst submit`, `etjanst outbox` and `etjanst receipts`: sending an application online
//! and signing it with BankID, what waits to be sent, and the proof of what was sent.
//!
//! Every submission goes through the encrypted outbox: it is queued before the first byte
//! leaves, so a dropped connection or a closed terminal loses nothing, and it leaves the
//! outbox (with its draft) only in the transaction that stores the receipt.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use etjanst::submit::{self, Client, SignStatus, SubmitError};
use etjanst::vault::{Outgoing, Vault};

use super::*;

#[derive(Args)]
pub(crate) struct SubmitArgs {
    /// The e-service (with --answers).
    #[arg(required_unless_present = "draft")]
    flow: Option<String>,
    #[arg(long, value_name = "FILE", conflicts_with = "draft", requires = "flow")]
    answers: Option<PathBuf>,
    /// Send a saved draft (removed once the municipality's receipt is stored).
    #[arg(long, value_name = "ID")]
    draft: Option<String>,
    /// Where attached files are read from (default: the answers file's folder).
    #[arg(long, value_name = "DIR")]
    attachments: Option<PathBuf>,
    /// Another gateway than the one the e-service's site names in its signed bundle, for
    /// testing (https://, or http:// on this computer).
    #[arg(long, env = "ETJANST_GATEWAY", value_name = "URL")]
    gateway: Option<String>,
    #[command(flatten)]
    signing: SigningArgs,
}

#[derive(Args, Clone, Copy)]
pub(crate) struct SigningArgs {
    /// Open the BankID app on this computer instead of scanning the QR code with a phone.
    #[arg(long)]
    same_device: bool,
    /// Without a network, keep trying (with growing pauses) instead of leaving the
    /// application in the outbox; when others must sign too, wait until they have.
    #[arg(long)]
    wait: bool,
    /// When others must sign too (a second guardian, a co-applicant): they sign on this
    /// computer, in turn, right after you.
    #[arg(long)]
    here: bool,
}

#[derive(Args)]
pub(crate) struct SignArgs {
    /// The signing code the applicant gave you ("K7QM-2XPA-R9TD-4WBC").
    code: String,
    /// Open the BankID app on this computer instead of scanning the QR code with a phone.
    #[arg(long)]
    same_device: bool,
    /// Sign once you have read the application, without being asked.
    #[arg(long, conflicts_with = "decline")]
    yes: bool,
    /// Decline to sign once you have read the application: it is not submitted.
    #[arg(long)]
    decline: bool,
    /// Another gateway than the one the site names in its signed bundle, for testing.
    #[arg(long, env = "ETJANST_GATEWAY", value_name = "URL")]
    gateway: Option<String>,
}

#[derive(Subcommand)]
pub(crate) enum OutboxCommand {
    /// What waits to be sent or signed.
    List,
    /// Sends (and signs) what waits, or one application by its id.
    Send {
        id: Option<String>,
        #[command(flatten)]
        signing: SigningArgs,
    },
    /// Takes an application out of the outbox without sending it (its draft stays).
    Remove { id: String },
}

/// Exit code for "waiting in the outbox": not an error, not done.
const WAITING: u8 = 3;

fn vault(dir: &Path, passphrase_file: Option<&Path>, create: bool) -> Result<Vault, Failure> {
    super::drafts::open(dir, passphrase_file, create)?
        .ok_or_else(|| Failure::from(etjanst::vault::VaultError::NotCreated))
}

/// Reads the application, checks it as the gateway will, and queues it.
pub(crate) fn submit(
    dir: &Path,
    passphrase_file: Option<&Path>,
    args: SubmitArgs,
) -> Result<u8, Failure> {
    let lang = super::lang();
    let mut catalogue = Catalogue::open(dir)?;
    catalogue.set_gateway_override(args.gateway.clone());
    let (flow, mut answers, draft_id, mut vault) = match (&args.draft, &args.answers, &args.flow) {
        (Some(id), _, _) => {
            let vault = vault(dir, passphrase_file, false)?;
            let draft = vault.load(id)?;
            let flow = super::fillable(&catalogue, &draft.header.flow_id, lang)?;
            let answers = Answers::from_json(flow, &draft.answers)
                .map_err(|e| Failure::input(format!("{id}: {e}")))?;
            (flow, answers, Some(id.clone()), vault)
        }
        (None, Some(path), Some(name)) => {
            let flow = super::fillable(&catalogue, name, lang)?;
            let answers = super::forms::read_answers(flow, name, path)?;
            (flow, answers, None, vault(dir, passphrase_file, true)?)
        }
        _ => return Err(Failure::input(etjanst::t!(lang, "submit-what"))),
    };
    // A draft already in the outbox is sent from there, under the key it was first sent with:
    // it may have been signed and filed already, and a new key would file it a second time.
    if let Some(draft) = &draft_id {
        let (queued, _) = vault.outbox()?;
        if let Some((id, o)) = queued
            .into_iter()
            .find(|(_, o)| o.draft_id.as_deref() == Some(draft.as_str()))
        {
            eprintln!("{}", etjanst::t!(lang, "submit-resuming", id = id.as_str()));
            return send(&mut vault, &id, o, args.signing, Some(&catalogue));
        }
    }
    let folder = args.attachments.clone().unwrap_or_else(|| {
        args.answers
            .as_deref()
            .and_then(Path::parent)
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    });
    let content = |file: &fill::FileRef| match &file.attachment {
        Some(id) => vault.attachment(id).map(|(_, data)| data).ok(),
        // Only the file's own name: an answers file cannot point outside the folder.
        None => Path::new(&file.name)
            .file_name()
            .and_then(|n| std::fs::read(folder.join(n)).ok()),
    };
    let gateway = catalogue.gateway(&flow.id).ok_or_else(|| {
        Failure::input(etjanst::t!(
            lang,
            "submit-no-gateway",
            service = flow.name.as_str()
        ))
    })?;
    let gateway = etjanst::catalogue::gateway_address(gateway).map_err(Failure::input)?;
    let outgoing = match submit::prepare(flow, &mut answers, &gateway, draft_id, &content) {
        Ok(o) => o,
        Err(submit::PrepareError::Incomplete(issues)) => {
            let mut err = std::io::stderr().lock();
            writeln!(err, "{}", etjanst::t!(lang, "form-incomplete"))?;
            super::forms::print_issues(&mut err, flow, &issues, lang)?;
            return Ok(1);
        }
        Err(submit::PrepareError::MissingFile(name)) => {
            return Err(Failure::input(etjanst::t!(
                lang,
                "attachment-missing",
                name = name,
                dir = folder.display()
            )));
        }
        Err(submit::PrepareError::Vault(e)) => return Err(e.into()),
    };
    let id = vault.queue(&outgoing)?;
    send(&mut vault, &id, outgoing, args.signing, Some(&catalogue))
}

fn progress_line(sent: u64, total: u64) {
    if std::io::stderr().is_terminal() {
        let percent = (sent * 100).checked_div(total).unwrap_or(100);
        eprint!(
            "\r{} {percent} %",
            etjanst::t!(super::lang(), "submit-uploading")
        );
    }
}

/// One attempt at an application in the outbox: upload (again, with the same key and bytes,
/// if need be), sign, store the receipt.
/// `catalogue` has the flow the copy of what was sent is printed from (kept with the receipt).
fn send(
    vault: &mut Vault,
    id: &str,
    mut o: Outgoing,
    signing: SigningArgs,
    catalogue: Option<&Catalogue>,
) -> Result<u8, Failure> {
    let client = Client::new(&o.gateway, Duration::from_secs(30)).map_err(Failure::from_submit)?;
    // Signed already and waiting for the others: the gateway has it, or has purged it after
    // waiting too long, and then it must not be uploaded afresh under the same key.
    let waiting = o
        .waiting_for
        .is_some()
        .then(|| o.submission_id.clone())
        .flatten();
    let submission_id = match waiting {
        Some(id) => id,
        None => match upload(vault, id, &mut o, &client, signing)? {
            Ok(submission) => submission,
            Err(code) => return Ok(code),
        },
    };
    signed(vault, id, o, &client, &submission_id, signing, catalogue)
}

/// Uploads an outbox entry (again, with the same key and bytes, if need be): the gateway's id,
/// or the exit code when the entry stays in the outbox or leaves it refused.
fn upload(
    vault: &mut Vault,
    id: &str,
    o: &mut Outgoing,
    client: &Client,
    signing: SigningArgs,
) -> Result<Result<String, u8>, Failure> {
    let lang = super::lang();
    let uploaded = loop {
        let mut save = |o: &Outgoing| {
            let _ = vault.update_queued(id, o);
        };
        let result = submit::upload_queued(client, o, &mut save, Arc::new(progress_line));
        if std::io::stderr().is_terminal() {
            eprintln!();
        }
        match result {
            Ok(u) => break u,
            Err(e) if e.retry_later() => {
                eprintln!("etjanst: {e}");
                if !signing.wait {
                    println!("{}", etjanst::t!(lang, "submit-queued", id = id));
                    return Ok(Err(WAITING));
                }
                let pause = submit::backoff(o.attempts);
                eprintln!(
                    "{}",
                    etjanst::t!(lang, "submit-retrying", seconds = pause.as_secs())
                );
                std::thread::sleep(pause);
            }
            Err(e) if e.ends_entry() => {
                // The gateway will never take this application as it is; the draft (if any)
                // stays, to be corrected at the places named.
                vault.unqueue(id)?;
                let mut message = e.to_string();
                for place in e.places() {
                    message.push_str(&format!("\n- {place}"));
                }
                return Err(Failure::from(message));
            }
            Err(e) => {
                // Refused for a reason that is not the application's: it stays in the outbox.
                eprintln!("etjanst: {e}");
                println!("{}", etjanst::t!(lang, "submit-queued", id = id));
                return Ok(Err(1));
            }
        }
    };
    eprintln!(
        "{}",
        etjanst::t!(lang, "submit-uploaded", sum = &uploaded.sha256[..16])
    );
    if let Some(pnr) = &o.signer {
        eprintln!(
            "{}",
            etjanst::t!(
                lang,
                "submit-signer",
                pnr = etjanst::ids::with_separator(pnr)
            )
        );
    }
    Ok(Ok(uploaded.submission_id.clone()))
}

/// Signs (or follows the signing of) submission `submission_id`, and whatever it comes to:
/// the receipt kept, the entry left waiting, or ended.
#[allow(clippy::too_many_arguments)]
fn signed(
    vault: &mut Vault,
    id: &str,
    mut o: Outgoing,
    client: &Client,
    submission_id: &str,
    signing: SigningArgs,
    catalogue: Option<&Catalogue>,
) -> Result<u8, Failure> {
    let lang = super::lang();
    let mut signed = sign(client, &o, submission_id, signing)?;
    loop {
        match signed {
            Outcome::Receipt(r) => {
                let copy = catalogue.and_then(|c| {
                    let flow = c.flow(&o.flow_id).ok()?;
                    let publisher = etjanst::app::publisher(&c.site.name);
                    submit::sent_copy(flow, &o, &r.submitted_at, &publisher)
                });
                submit::keep_receipt(vault, id, &o, &r, copy.as_deref()).map_err(|e| {
                    Failure::from(etjanst::t!(lang, "submit-receipt-bad", error = e))
                })?;
                println!("{}", etjanst::t!(lang, "submit-done"));
                print_receipt(&r);
                return Ok(0);
            }
            Outcome::NotSigned(message) => {
                eprintln!("{message}");
                eprintln!("{}", etjanst::t!(lang, "submit-not-sent", id = id));
                return Ok(1);
            }
            Outcome::Ended(message) => {
                // Declined or expired at the gateway: it will never be filed. The draft stays.
                vault.unqueue(id)?;
                eprintln!("{message}");
                if o.draft_id.is_some() {
                    eprintln!("{}", etjanst::t!(lang, "submit-draft-kept"));
                }
                return Ok(1);
            }
            Outcome::Identified => return Err(Failure::from(etjanst::t!(lang, "submit-protocol"))),
            Outcome::Waiting(status) => {
                let role = status.waits_for_others().unwrap_or_default().to_string();
                if o.waiting_for.as_deref() != Some(role.as_str()) {
                    o.waiting_for = Some(role.clone());
                    let _ = vault.update_queued(id, &o);
                }
                print_signers(&status.signers);
                if signing.here {
                    println!(
                        "{}",
                        etjanst::t!(lang, "submit-next-here", role = role.as_str())
                    );
                    signed = start_and_follow(
                        client,
                        &o.idempotency_key,
                        submission_id,
                        signing.same_device,
                    )?;
                    continue;
                }
                println!(
                    "{}",
                    etjanst::t!(
                        lang,
                        "submit-give-code",
                        role = role.as_str(),
                        code = submit::signing_code(&o.idempotency_key)
                    )
                );
                if signing.wait {
                    eprintln!(
                        "{}",
                        etjanst::t!(lang, "submit-waiting-others", role = role.as_str())
                    );
                    if let Some(s) = wait_for_others(client, &o.idempotency_key, submission_id)? {
                        signed = s;
                        continue;
                    }
                    eprintln!("{}", etjanst::t!(lang, "submit-stopped-waiting"));
                }
                println!("{}", etjanst::t!(lang, "submit-left-waiting", id = id));
                return Ok(WAITING);
            }
        }
    }
}

fn print_receipt(r: &submit::GatewayReceipt) {
    let lang = super::lang();
    println!("  {}: {}", etjanst::t!(lang, "receipt-case"), r.case_number);
    println!(
        "  {}: {}",
        etjanst::t!(lang, "receipt-submitted"),
        local_time(&r.submitted_at)
    );
    if r.signers.is_empty() {
        println!(
            "  {}: {}",
            etjanst::t!(lang, "receipt-signer"),
            r.signer_name
        );
    }
    for signer in &r.signers {
        println!(
            "  {}: {} ({})",
            etjanst::t!(lang, "receipt-signer"),
            signer.name.as_deref().unwrap_or_default(),
            signer.role
        );
    }
    println!("  {}: {}", etjanst::t!(lang, "receipt-sum"), r.sha256);
}

/// Who has signed and who is awaited, one line each.
fn print_signers(signers: &[submit::Signer]) {
    let lang = super::lang();
    for s in signers {
        let state = if s.signed {
            etjanst::t!(lang, "signer-signed")
        } else {
            etjanst::t!(lang, "signer-awaited")
        };
        match &s.name {
            Some(name) => println!("  {}: {name} – {state}", s.role),
            None => println!("  {} – {state}", s.role),
        }
    }
}

/// Polls until the others have signed (the receipt), one declines, or the gateway's time for
/// them runs out; Ctrl-C stops waiting and leaves the application waiting in the outbox.
/// `None` when the citizen stopped waiting.
fn wait_for_others(client: &Client, key: &str, id: &str) -> Result<Option<Outcome>, Failure> {
    let lang = super::lang();
    let interrupted = interrupt_flag();
    let mut last = String::new();
    loop {
        if interrupted.swap(false, Ordering::SeqCst) {
            return Ok(None);
        }
        match client.status(key, id, lang == Lang::En) {
            Ok(status) => {
                if let Some(receipt) = status.receipt {
                    return Ok(Some(Outcome::Receipt(receipt)));
                }
                if status.hint_code.as_deref() == Some("declined") {
                    return Ok(Some(Outcome::Ended(status.message)));
                }
                if status.message != last {
                    eprintln!("{}", status.message);
                    last = status.message;
                }
            }
            Err(SubmitError::Refused { status: 404, .. }) => {
                return Ok(Some(Outcome::Ended(etjanst::t!(lang, "submit-expired"))));
            }
            Err(e) if e.retry_later() => eprintln!("etjanst: {e}"),
            Err(e) => return Err(Failure::from_submit(e)),
        }
        std::thread::sleep(Duration::from_secs(3));
    }
}

fn interrupt_flag() -> Arc<AtomicBool> {
    static FLAG: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let set = flag.clone();
        // A second handler cannot be set in one process: one flag serves every wait.
        let _ = ctrlc::set_handler(move || set.store(true, Ordering::SeqCst));
        flag
    })
    .clone()
}

fn local_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_string())
}

enum Outcome {
    Receipt(submit::GatewayReceipt),
    NotSigned(String),
    /// Signed; others must sign before it is filed.
    Waiting(SignStatus),
    /// Declined or expired: never to be filed.
    Ended(String),
    /// Another signer's BankID identification is done.
    Identified,
}

/// Starts the BankID order and follows it, unless the application already waits for others
/// and this computer is not where they sign: then it only asks how far signing has come.
fn sign(client: &Client, o: &Outgoing, id: &str, signing: SigningArgs) -> Result<Outcome, Failure> {
    let key = &o.idempotency_key;
    if o.waiting_for.is_some() && !signing.here {
        let lang = super::lang();
        return match client.status(key, id, lang == Lang::En) {
            Ok(status) if status.receipt.is_some() => Ok(Outcome::Receipt(
                status.receipt.unwrap_or_else(|| unreachable!()),
            )),
            Ok(status) if status.hint_code.as_deref() == Some("declined") => {
                Ok(Outcome::Ended(status.message))
            }
            Ok(status) if status.waits_for_others().is_some() => Ok(Outcome::Waiting(status)),
            Ok(status) => Ok(Outcome::NotSigned(status.message)),
            Err(SubmitError::Refused { status: 404, .. }) => {
                Ok(Outcome::Ended(etjanst::t!(lang, "submit-expired")))
            }
            Err(e) => Err(Failure::from_submit(e)),
        };
    }
    start_and_follow(client, key, id, signing.same_device)
}

/// Starts a signing order (for whoever signs next) and follows it.
fn start_and_follow(
    client: &Client,
    key: &str,
    id: &str,
    same_device: bool,
) -> Result<Outcome, Failure> {
    let started = match client.start_signing(key, id, same_device) {
        Ok(submit::Signing::Started(started)) => started,
        // Signed and filed before; the answer that said so never arrived.
        Ok(submit::Signing::Filed(receipt)) => return Ok(Outcome::Receipt(receipt)),
        Err(SubmitError::Refused { code, message, .. }) if code == "declined" => {
            return Ok(Outcome::Ended(message));
        }
        Err(e) => return Err(Failure::from_submit(e)),
    };
    follow(client, key, id, &started, same_device)
}

/// Follows a BankID order once a second, drawing the animated QR code and the official
/// messages, until it completes, fails or the citizen presses Ctrl-C (which cancels it).
fn follow(
    client: &Client,
    key: &str,
    id: &str,
    started: &submit::Started,
    same_device: bool,
) -> Result<Outcome, Failure> {
    let lang = super::lang();
    let english = lang == Lang::En;
    let interrupted = interrupt_flag();
    let mut out = std::io::stdout().lock();
    let tty = out.is_terminal();
    writeln!(out, "{}", etjanst::t!(lang, "submit-sign"))?;
    writeln!(
        out,
        "{}: {}",
        etjanst::t!(lang, "submit-autostart"),
        started.auto_start_url
    )?;
    if same_device {
        // Opened only because the citizen asked for it, as one argument, never through a shell.
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        let _ = std::process::Command::new(opener)
            .arg(&started.auto_start_url)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }
    let (mut last_message, mut last_qr, mut drawn) = (String::new(), None::<String>, 0usize);
    loop {
        if interrupted.swap(false, Ordering::SeqCst) {
            return Ok(match client.cancel(key, id) {
                Ok(submit::Cancelled::Filed(receipt)) => Outcome::Receipt(receipt),
                Ok(submit::Cancelled::NotSubmitted(message)) => Outcome::NotSigned(message),
                Err(e) => Outcome::NotSigned(e.to_string()),
            });
        }
        let status: SignStatus = match client.status(key, id, english) {
            Ok(s) => s,
            Err(e) if e.retry_later() => {
                eprintln!("etjanst: {e}");
                std::thread::sleep(Duration::from_secs(2));
                continue;
            }
            Err(e) => return Err(Failure::from_submit(e)),
        };
        if let Some(receipt) = status.receipt {
            return Ok(Outcome::Receipt(receipt));
        }
        if status.status == "identified" {
            return Ok(Outcome::Identified);
        }
        if status.status == "waiting" {
            return Ok(Outcome::Waiting(status));
        }
        if status.hint_code.as_deref() == Some("declined") {
            return Ok(Outcome::Ended(status.message));
        }
        if status.status == "failed" {
            return Ok(Outcome::NotSigned(status.message));
        }
        if status.qr_data != last_qr || status.message != last_message {
            if tty && drawn > 0 {
                // Draw over the previous frame rather than scroll a new one under it.
                write!(out, "\x1b[{drawn}A\x1b[J")?;
            }
            drawn = 0;
            if let Some(qr) = &status.qr_data {
                let picture = submit::terminal_qr(qr, tty);
                drawn += picture.lines().count();
                write!(out, "{picture}")?;
                if !tty {
                    writeln!(out, "QR: {qr}")?;
                    drawn += 1;
                }
            }
            writeln!(out, "{}", status.message)?;
            drawn += 1;
            out.flush()?;
            last_qr = status.qr_data;
            last_message = status.message;
        }
        std::thread::sleep(Duration::from_millis(1000));
    }
}

/// `etjanst sign CODE`: another signer's computer. The code opens the submission, BankID
/// identifies this person for their role, the application is shown, and they sign or decline.
pub(crate) fn cosign(dir: &Path, args: SignArgs) -> Result<u8, Failure> {
    let lang = super::lang();
    let english = lang == Lang::En;
    let code = submit::normalise_code(&args.code)
        .ok_or_else(|| Failure::input(etjanst::t!(lang, "sign-bad-code")))?;
    let mut catalogue = Catalogue::open(dir)?;
    catalogue.set_gateway_override(args.gateway.clone());
    let gateway = catalogue
        .site_gateway()
        .ok_or_else(|| Failure::input(etjanst::t!(lang, "sign-no-gateway")))?;
    let client = Client::new(gateway, Duration::from_secs(30)).map_err(Failure::from_submit)?;
    let key = submit::new_key()?;
    let opened = client
        .open_code(&key, &code)
        .map_err(Failure::from_submit)?;
    let id = opened.submission_id.as_str();
    println!(
        "{}",
        etjanst::t!(lang, "sign-identify", role = opened.role.as_str())
    );
    let started = client
        .identify(&key, id, args.same_device)
        .map_err(Failure::from_submit)?;
    match follow(&client, &key, id, &started, args.same_device)? {
        Outcome::Identified => {}
        Outcome::NotSigned(message) | Outcome::Ended(message) => {
            eprintln!("{message}");
            return Ok(1);
        }
        _ => return Err(Failure::from(etjanst::t!(lang, "submit-protocol"))),
    }
    let summary = client.summary(&key, id).map_err(Failure::from_submit)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "\n{}", summary.service_name)?;
    writeln!(out, "{}", etjanst::t!(lang, "sign-signers"))?;
    drop(out);
    print_signers(&summary.signers);
    let mut out = std::io::stdout().lock();
    let today = chrono::Local::now().date_naive();
    for step in summary.steps(today, lang).unwrap_or_default() {
        writeln!(out, "\n{}", step.name)?;
        for row in &step.rows {
            writeln!(out, "  {}", row.question)?;
            for line in &row.lines {
                writeln!(out, "    {}", line.text())?;
            }
        }
    }
    writeln!(
        out,
        "\n{}",
        etjanst::t!(
            lang,
            "sign-checksum",
            sum = &summary.sha256[..16.min(summary.sha256.len())]
        )
    )?;
    drop(out);
    let decision = if args.decline {
        Some(false)
    } else if args.yes {
        Some(true)
    } else if std::io::stdin().is_terminal() {
        eprint!(
            "{} ",
            etjanst::t!(lang, "sign-ask", role = summary.role.as_str())
        );
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        match answer.trim().to_lowercase().as_str() {
            "j" | "ja" | "y" | "yes" => Some(true),
            "a" | "avböj" | "d" | "decline" => Some(false),
            _ => None,
        }
    } else {
        return Err(Failure::input(etjanst::t!(lang, "sign-choose")));
    };
    match decision {
        None => {
            println!("{}", etjanst::t!(lang, "sign-left"));
            Ok(WAITING)
        }
        Some(false) => {
            let message = client
                .decline(&key, id, english)
                .map_err(Failure::from_submit)?;
            println!("{message}");
            Ok(0)
        }
        Some(true) => match start_and_follow(&client, &key, id, args.same_device)? {
            Outcome::Receipt(r) => {
                if r.sha256 != summary.sha256 || r.submission_id != id {
                    return Err(Failure::from(etjanst::t!(
                        lang,
                        "submit-receipt-bad",
                        error = "kvittot gäller en annan ansökan"
                    )));
                }
                println!("{}", etjanst::t!(lang, "submit-done"));
                print_receipt(&r);
                Ok(0)
            }
            Outcome::Waiting(status) => {
                print_signers(&status.signers);
                println!("{}", etjanst::t!(lang, "sign-signed-others-wait"));
                Ok(0)
            }
            Outcome::NotSigned(message) | Outcome::Ended(message) => {
                eprintln!("{message}");
                Ok(1)
            }
            Outcome::Identified => Err(Failure::from(etjanst::t!(lang, "submit-protocol"))),
        },
    }
}

impl Failure {
    fn from_submit(e: SubmitError) -> Failure {
        Failure::from(e.to_string())
    }
}

pub(crate) fn outbox(
    dir: &Path,
    passphrase_file: Option<&Path>,
    command: OutboxCommand,
) -> Result<u8, Failure> {
    let lang = super::lang();
    let mut out = std::io::stdout().lock();
    match command {
        OutboxCommand::List => {
            let Some(vault) = super::drafts::open(dir, passphrase_file, false)? else {
                writeln!(out, "{}", etjanst::t!(lang, "outbox-empty"))?;
                return Ok(0);
            };
            let (queued, damaged) = vault.outbox()?;
            if queued.is_empty() {
                writeln!(out, "{}", etjanst::t!(lang, "outbox-empty"))?;
            }
            for (id, o) in &queued {
                let state = if let Some(role) = &o.waiting_for {
                    etjanst::t!(lang, "outbox-others", role = role.as_str())
                } else if o.submission_id.is_some() {
                    etjanst::t!(lang, "outbox-unsigned")
                } else {
                    etjanst::t!(lang, "outbox-waiting")
                };
                writeln!(
                    out,
                    "{id}  {}  {}  {state}",
                    super::drafts::time(o.created),
                    o.service_name
                )?;
                if let Some(e) = &o.last_error {
                    writeln!(
                        out,
                        "    {}",
                        etjanst::t!(lang, "outbox-last-error", count = o.attempts, error = e)
                    )?;
                }
            }
            if damaged > 0 {
                writeln!(
                    out,
                    "{}",
                    etjanst::t!(lang, "outbox-damaged", count = damaged)
                )?;
            }
            Ok(0)
        }
        OutboxCommand::Send { id, signing } => {
            let mut vault = vault(dir, passphrase_file, false)?;
            let (queued, _) = vault.outbox()?;
            let chosen: Vec<_> = queued
                .into_iter()
                .filter(|(i, _)| id.as_ref().is_none_or(|want| want == i))
                .collect();
            if chosen.is_empty() {
                return Err(match id {
                    Some(id) => Failure::input(etjanst::vault::VaultError::NotFound(id)),
                    None => Failure::from(etjanst::t!(lang, "outbox-empty")),
                });
            }
            let catalogue = Catalogue::open(dir).ok();
            let mut worst = 0;
            for (i, o) in chosen {
                worst = worst.max(send(&mut vault, &i, o, signing, catalogue.as_ref())?);
            }
            Ok(worst)
        }
        OutboxCommand::Remove { id } => {
            let mut vault = vault(dir, passphrase_file, false)?;
            vault.unqueue(&id)?;
            writeln!(out, "{}", etjanst::t!(lang, "outbox-removed", id = id))?;
            Ok(0)
        }
    }
}

pub(crate) fn receipts(
    dir: &Path,
    passphrase_file: Option<&Path>,
    json: bool,
) -> Result<u8, Failure> {
    let lang = super::lang();
    let mut out = std::io::stdout().lock();
    let list = match super::drafts::open(dir, passphrase_file, false)? {
        Some(v) => v.receipts()?.0,
        None => Vec::new(),
    };
    if json {
        let all: Vec<_> = list.iter().map(|(_, r)| r).collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&all)?)?;
    } else if list.is_empty() {
        writeln!(out, "{}", etjanst::t!(lang, "receipts-none"))?;
    } else {
        for (_, r) in &list {
            writeln!(
                out,
                "{}  {}  {}: {}  {}",
                local_time(&r.submitted),
                r.service_name,
                etjanst::t!(lang, "receipt-case"),
                r.case_number.as_deref().unwrap_or("–"),
                signed_by(&r.details)
            )?;
        }
    }
    Ok(0)
}

/// Who signed a receipt's case: every signer with their role when there were several.
fn signed_by(details: &serde_json::Value) -> String {
    let signers: Vec<submit::Signer> =
        serde_json::from_value(details["signers"].clone()).unwrap_or_default();
    if signers.is_empty() {
        return details["signerName"].as_str().unwrap_or("").to_string();
    }
    signers
        .iter()
        .map(|s| format!("{} ({})", s.name.as_deref().unwrap_or_default(), s.role))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes the copy of what was sent with case `case` to `output`.
pub(crate) fn receipt_copy(
    dir: &Path,
    passphrase_file: Option<&Path>,
    case: &str,
    output: &Path,
) -> Result<u8, Failure> {
    let lang = super::lang();
    let not_found = || Failure::input(etjanst::t!(lang, "receipt-not-found", case = case));
    let vault = super::drafts::open(dir, passphrase_file, false)?.ok_or_else(not_found)?;
    let (list, _) = vault.receipts()?;
    let (id, _) = list
        .iter()
        .find(|(_, r)| r.case_number.as_deref() == Some(case))
        .ok_or_else(not_found)?;
    let (_, pdf) = vault
        .receipt_copy(id)?
        .ok_or_else(|| Failure::from(etjanst::t!(lang, "receipt-no-copy", case = case)))?;
    std::fs::write(output, &pdf)
        .map_err(|e| Failure::from(format!("{}: {e}", output.display())))?;
    eprintln!(
        "{}",
        etjanst::t!(
            lang,
            "receipt-copy-saved",
            path = output.display().to_string()
        )
    );
    Ok(0)
}

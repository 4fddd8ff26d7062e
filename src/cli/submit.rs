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
    /// application in the outbox.
    #[arg(long)]
    wait: bool,
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
    let lang = super::lang();
    let client = Client::new(&o.gateway, Duration::from_secs(30)).map_err(Failure::from_submit)?;
    let uploaded = loop {
        let mut save = |o: &Outgoing| {
            let _ = vault.update_queued(id, o);
        };
        let result = submit::upload_queued(&client, &mut o, &mut save, Arc::new(progress_line));
        if std::io::stderr().is_terminal() {
            eprintln!();
        }
        match result {
            Ok(u) => break u,
            Err(e) if e.retry_later() => {
                eprintln!("etjanst: {e}");
                if !signing.wait {
                    println!("{}", etjanst::t!(lang, "submit-queued", id = id));
                    return Ok(WAITING);
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
                return Ok(1);
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
    match sign(&client, &o, &uploaded.submission_id, signing)? {
        Signed::Receipt(r) => {
            let copy = catalogue.and_then(|c| {
                let flow = c.flow(&o.flow_id).ok()?;
                let publisher = etjanst::app::publisher(&c.site.name);
                submit::sent_copy(flow, &o, &r.submitted_at, &publisher)
            });
            submit::keep_receipt(vault, id, &o, &r, copy.as_deref())
                .map_err(|e| Failure::from(etjanst::t!(lang, "submit-receipt-bad", error = e)))?;
            println!("{}", etjanst::t!(lang, "submit-done"));
            println!("  {}: {}", etjanst::t!(lang, "receipt-case"), r.case_number);
            println!(
                "  {}: {}",
                etjanst::t!(lang, "receipt-submitted"),
                local_time(&r.submitted_at)
            );
            println!(
                "  {}: {}",
                etjanst::t!(lang, "receipt-signer"),
                r.signer_name
            );
            println!("  {}: {}", etjanst::t!(lang, "receipt-sum"), r.sha256);
            Ok(0)
        }
        Signed::NotSigned(message) => {
            eprintln!("{message}");
            eprintln!("{}", etjanst::t!(lang, "submit-not-sent", id = id));
            Ok(1)
        }
    }
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

enum Signed {
    Receipt(submit::GatewayReceipt),
    NotSigned(String),
}

/// Starts the BankID order and follows it once a second, drawing the animated QR code and the
/// official messages, until it completes, fails or the citizen presses Ctrl-C.
fn sign(client: &Client, o: &Outgoing, id: &str, signing: SigningArgs) -> Result<Signed, Failure> {
    let lang = super::lang();
    let english = lang == Lang::En;
    let key = &o.idempotency_key;
    let started = match client.start_signing(key, id, signing.same_device) {
        Ok(submit::Signing::Started(started)) => started,
        // Signed and filed before; the answer that said so never arrived.
        Ok(submit::Signing::Filed(receipt)) => return Ok(Signed::Receipt(receipt)),
        Err(e) => return Err(Failure::from_submit(e)),
    };
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = interrupted.clone();
    // A second handler cannot be set in one process; the first one's flag is enough.
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
    let mut out = std::io::stdout().lock();
    let tty = out.is_terminal();
    writeln!(out, "{}", etjanst::t!(lang, "submit-sign"))?;
    writeln!(
        out,
        "{}: {}",
        etjanst::t!(lang, "submit-autostart"),
        started.auto_start_url
    )?;
    if signing.same_device {
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
        if interrupted.load(Ordering::SeqCst) {
            return Ok(match client.cancel(key, id) {
                Ok(submit::Cancelled::Filed(receipt)) => Signed::Receipt(receipt),
                Ok(submit::Cancelled::NotSubmitted(message)) => Signed::NotSigned(message),
                Err(e) => Signed::NotSigned(e.to_string()),
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
            return Ok(Signed::Receipt(receipt));
        }
        if status.status == "failed" {
            return Ok(Signed::NotSigned(status.message));
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
                let state = if o.submission_id.is_some() {
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
                r.details["signerName"].as_str().unwrap_or("")
            )?;
        }
    }
    Ok(0)
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

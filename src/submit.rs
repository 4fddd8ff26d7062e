//! Sending an application to the municipality's gateway and signing it with BankID: the
//! client side of `spec/eid-signing.md` §2.2. The submission is serialised once into exact
//! bytes and hashed here; the gateway must answer with the same hash, and the receipt's
//! signature must carry it (§2.5), or the citizen is told that nothing was filed.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A fresh idempotency key: 128 random bits. It is also the secret that lets only this
/// computer sign, poll or cancel the submission.
pub fn new_key() -> Result<String, crate::vault::VaultError> {
    crate::vault::random_id()
}

/// Crockford's base 32: digits and capitals without I, L, O and U, which are read as others.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The signing code the applicant passes on to the others who must sign: 80 bits derived from
/// the submission's key (so the applicant's computer can show it again at any time without
/// storing it, and the code says nothing of the key), as four groups of four characters
/// ("K7QM-2XPA-R9TD-4WBC"). It names the submission; alone it shows nothing of it, as every
/// signer proves who they are with BankID before the application is shown.
pub fn signing_code(key: &str) -> String {
    let digest = Sha256::digest(format!("etjanst signing code\n{key}").as_bytes());
    let bits = digest[..10]
        .iter()
        .fold(0u128, |acc, b| acc << 8 | u128::from(*b));
    let chars: Vec<u8> = (0..16)
        .map(|i| CODE_ALPHABET[((bits >> (75 - 5 * i)) & 31) as usize])
        .collect();
    chars
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A signing code as typed (any case, spaces or dashes, O for 0, I or L for 1) in the form
/// [`signing_code`] gives, or `None` when it cannot be one.
pub fn normalise_code(typed: &str) -> Option<String> {
    let chars: Vec<u8> = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => b'0',
            'I' | 'L' => b'1',
            c if c.is_ascii() => c as u8,
            _ => b'?',
        })
        .collect();
    if chars.len() != 16 || !chars.iter().all(|c| CODE_ALPHABET.contains(c)) {
        return None;
    }
    Some(
        chars
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-"),
    )
}

/// The bytes uploaded: the answers document and the attached files' content.
pub fn upload_body(document: &Value, files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let attachments: Vec<Value> = files
        .iter()
        .map(|(name, data)| json!({ "name": name, "data": B64.encode(data) }))
        .collect();
    serde_json::to_vec(&json!({ "document": document, "attachments": attachments }))
        .unwrap_or_default()
}

/// How long to wait before the next attempt after `attempts` failed ones: 2, 4, 8 … seconds,
/// at most five minutes.
pub fn backoff(attempts: u32) -> Duration {
    Duration::from_secs(2u64.saturating_pow(attempts.clamp(1, 16)).min(300))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    /// No answer from the gateway: the submission waits in the outbox.
    #[error("{}", crate::i18n::display("submit-offline", &[("gateway", .gateway.clone()), ("detail", .message.clone())]))]
    Offline { gateway: String, message: String },
    /// The gateway is there but cannot take it now (408, 429, 5xx): also a retry later, not
    /// before `retry_after` when the gateway said when.
    #[error("{message}")]
    Unavailable {
        message: String,
        retry_after: Option<Duration>,
    },
    /// The gateway refused it; retrying the same bytes will not help.
    #[error("{message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
        details: Value,
    },
    #[error("{}", crate::i18n::display("submit-hash-mismatch", &[("ours", .ours.clone()), ("theirs", .theirs.clone())]))]
    HashMismatch { ours: String, theirs: String },
    #[error("{}", crate::i18n::display("submit-protocol", &[("detail", .0.clone())]))]
    Protocol(String),
    /// The gateway's address would send the application in clear (`http://` off this
    /// computer); the message says so.
    #[error("{0}")]
    Address(String),
}

impl SubmitError {
    /// Whether the same submission should simply be tried again later.
    pub fn retry_later(&self) -> bool {
        matches!(
            self,
            SubmitError::Offline { .. } | SubmitError::Unavailable { .. }
        )
    }

    /// Whether the application itself was refused (422, with the places to correct): the
    /// outbox entry ends and the citizen gets the draft back. Any other refusal keeps the
    /// entry, to be looked at or removed by the citizen, never lost.
    pub fn ends_entry(&self) -> bool {
        matches!(self, SubmitError::Refused { status: 422, .. })
    }

    /// The places the gateway named, as "place: problem" lines.
    pub fn places(&self) -> Vec<String> {
        match self {
            SubmitError::Refused { details, .. } => details
                .as_array()
                .into_iter()
                .flatten()
                .map(|d| {
                    format!(
                        "{}: {}",
                        clean(d["place"].as_str().unwrap_or("")),
                        clean(d["message"].as_str().unwrap_or(""))
                    )
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Text from the gateway without control characters: it is printed to terminals, where an
/// escape sequence could rewrite what the citizen sees (a checksum, a case number).
pub fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    pub submission_id: String,
    pub sha256: String,
    /// What the BankID app will show.
    pub visible_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub auto_start_url: String,
}

/// What asking to sign came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signing {
    /// An order runs: sign in the BankID app.
    Started(Started),
    /// Signed and filed already (the answer that said so was lost before): the receipt.
    Filed(GatewayReceipt),
}

/// What cancelling came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cancelled {
    /// Nothing was submitted; the gateway's words.
    NotSubmitted(String),
    /// The citizen had signed before the cancel arrived, and the case is filed.
    Filed(GatewayReceipt),
}

/// The link that opens the BankID app on this computer, and nothing else: a gateway cannot
/// make the citizen's computer open anything but BankID.
fn autostart_url(url: &str) -> Result<String, SubmitError> {
    let token = url
        .strip_prefix("bankid:///?autostarttoken=")
        .and_then(|rest| rest.strip_suffix("&redirect=null"))
        .unwrap_or_default();
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
        return Err(SubmitError::Protocol(format!(
            "autoStartUrl {:?}",
            clean(url).chars().take(80).collect::<String>()
        )));
    }
    Ok(url.to_string())
}

/// The gateway's receipt for a filed case.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayReceipt {
    pub case_number: String,
    pub submitted_at: String,
    pub sha256: String,
    pub signer_name: String,
    pub submission_id: String,
    #[serde(default)]
    pub signature: String,
    /// Everyone who signed, in order, when more than the applicant did.
    #[serde(default)]
    pub signers: Vec<Signer>,
}

/// One who signs a submission, as the gateway tells it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Signer {
    pub role: String,
    /// Shown to the applicant's computer, and to another signer's once BankID has said who
    /// they are.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub signed: bool,
    #[serde(default)]
    pub signed_at: Option<String>,
}

impl Signer {
    fn cleaned(self) -> Signer {
        Signer {
            role: clean(&self.role),
            name: self.name.map(|n| clean(&n)),
            signed: self.signed || self.signed_at.is_some(),
            signed_at: self.signed_at.map(|t| clean(&t)),
        }
    }
}

fn signers_of(v: &Value) -> Vec<Signer> {
    serde_json::from_value::<Vec<Signer>>(v.clone())
        .unwrap_or_default()
        .into_iter()
        .map(Signer::cleaned)
        .collect()
}

impl GatewayReceipt {
    fn read(v: &Value) -> Result<GatewayReceipt, SubmitError> {
        let r: GatewayReceipt =
            serde_json::from_value(v.clone()).map_err(|e| SubmitError::Protocol(e.to_string()))?;
        Ok(GatewayReceipt {
            case_number: clean(&r.case_number),
            submitted_at: clean(&r.submitted_at),
            sha256: clean(&r.sha256),
            signer_name: clean(&r.signer_name),
            submission_id: clean(&r.submission_id),
            signature: r.signature,
            signers: r.signers.into_iter().map(Signer::cleaned).collect(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignStatus {
    /// `pending`, `failed` or `complete`; with several signers also `waiting` (some have
    /// signed, no order runs for the next) and, on another signer's computer, `identified`.
    pub status: String,
    pub hint_code: Option<String>,
    /// BankID's recommended message for the state, in the language asked for.
    pub message: String,
    /// The current animated QR frame, while the order waits for an app.
    pub qr_data: Option<String>,
    pub receipt: Option<GatewayReceipt>,
    /// With several signers: who has signed and who is awaited, in order.
    pub signers: Vec<Signer>,
    /// The role that signs next.
    pub next: Option<String>,
}

impl SignStatus {
    /// The one awaited after someone has signed: the earlier signatures stand.
    pub fn waits_for_others(&self) -> Option<&str> {
        let someone_signed = self.signers.iter().any(|s| s.signed);
        if !someone_signed
            || self.receipt.is_some()
            || self.hint_code.as_deref() == Some("declined")
        {
            return None;
        }
        self.next.as_deref().or_else(|| {
            self.signers
                .iter()
                .find(|s| !s.signed)
                .map(|s| s.role.as_str())
        })
    }
}

impl Summary {
    /// The answers as the summary screen lists them, step by step, judged on `today` as the
    /// gateway judged them; `None` when the flow or the answers do not read.
    pub fn steps(
        &self,
        today: chrono::NaiveDate,
        lang: crate::fill::Lang,
    ) -> Option<Vec<crate::fill::SummaryStep>> {
        let flow: crate::flow::Flow = serde_json::from_value(self.flow.clone()).ok()?;
        let mut answers = crate::fill::Answers::from_json(&flow, &self.document).ok()?;
        let form = crate::fill::Form::new(&flow);
        let report = crate::fill::check(&form, &mut answers, crate::fill::Mode::Complete, today);
        Some(crate::fill::summary(&form, &report.states, &answers, lang))
    }
}

/// A submission opened with a signing code on another signer's computer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub submission_id: String,
    /// The role this computer's user signs in.
    pub role: String,
}

/// What another signer reads before signing: exactly what the applicant signed.
pub struct Summary {
    pub service_name: String,
    pub role: String,
    /// The PDF the signatures name, checked against its hash.
    pub pdf: Vec<u8>,
    pub pdf_sha256: String,
    pub sha256: String,
    pub visible_text: String,
    /// The answers document and the flow it answers, for a summary on screen.
    pub document: Value,
    pub flow: Value,
    pub signers: Vec<Signer>,
}

/// A gateway's citizen API.
pub struct Client {
    base: String,
    http: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

impl Client {
    pub fn new(gateway: &str, timeout: Duration) -> Result<Client, SubmitError> {
        let base = crate::catalogue::gateway_address(gateway).map_err(SubmitError::Address)?;
        let offline = |e: &dyn std::error::Error| SubmitError::Offline {
            gateway: base.clone(),
            message: e.to_string(),
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| offline(&e))?;
        let http = {
            let _inside = runtime.enter();
            reqwest::Client::builder()
                .timeout(timeout)
                .user_agent(concat!("etjanst/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| offline(&e))?
        };
        Ok(Client {
            base,
            http,
            runtime,
        })
    }

    pub fn gateway(&self) -> &str {
        &self.base
    }

    fn offline(&self, e: &reqwest::Error) -> SubmitError {
        SubmitError::Offline {
            gateway: self.base.clone(),
            message: crate::error_chain(e),
        }
    }

    /// Sends a request and reads its JSON answer; errors as the gateway worded them.
    fn send(&self, request: reqwest::RequestBuilder) -> Result<(u16, Value), SubmitError> {
        self.runtime.block_on(async {
            let r = request.send().await.map_err(|e| self.offline(&e))?;
            let status = r.status().as_u16();
            let retry_after = r
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|s| Duration::from_secs(s.min(3600)));
            let bytes = r.bytes().await.map_err(|e| self.offline(&e))?;
            let v: Option<Value> = serde_json::from_slice(&bytes).ok();
            // A proxy's or load balancer's own page (502, 503, 504) is no JSON: still a "later".
            if status == 408 || status == 429 || status >= 500 {
                let message = v
                    .as_ref()
                    .and_then(|v| v["message"].as_str())
                    .map(clean)
                    .unwrap_or_else(|| format!("HTTP {status}"));
                return Err(SubmitError::Unavailable {
                    message,
                    retry_after,
                });
            }
            let v = v.ok_or_else(|| {
                SubmitError::Protocol(clean(
                    &String::from_utf8_lossy(&bytes)
                        .chars()
                        .take(200)
                        .collect::<String>(),
                ))
            })?;
            if status >= 400 {
                return Err(SubmitError::Refused {
                    status,
                    code: clean(v["error"].as_str().unwrap_or("")),
                    message: clean(v["message"].as_str().unwrap_or("")),
                    details: v["details"].clone(),
                });
            }
            Ok((status, v))
        })
    }

    /// Uploads `body` under `key`, reporting bytes sent; checks the gateway's hash.
    pub fn upload(
        &self,
        key: &str,
        body: &[u8],
        progress: Arc<dyn Fn(u64, u64) + Send + Sync>,
    ) -> Result<Uploaded, SubmitError> {
        let ours = sha256_hex(body);
        let total = body.len() as u64;
        let sent = Arc::new(AtomicU64::new(0));
        let chunks: Vec<Vec<u8>> = body.chunks(64 * 1024).map(<[u8]>::to_vec).collect();
        let stream = futures_util::stream::iter(chunks.into_iter().map(move |c| {
            let now = sent.fetch_add(c.len() as u64, Ordering::Relaxed) + c.len() as u64;
            progress(now, total);
            Ok::<_, std::io::Error>(c)
        }));
        let request = self
            .http
            .post(format!("{}/api/v1/submissions", self.base))
            .header("Idempotency-Key", key)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::CONTENT_LENGTH, total)
            .body(reqwest::Body::wrap_stream(stream));
        let (_, v) = self.send(request)?;
        let field = |name: &str| v[name].as_str().unwrap_or_default().to_string();
        let theirs = field("sha256");
        if theirs != ours {
            return Err(SubmitError::HashMismatch { ours, theirs });
        }
        Ok(Uploaded {
            submission_id: field("submissionId"),
            sha256: theirs,
            visible_text: field("visibleText"),
        })
    }

    fn url(&self, id: &str, path: &str) -> String {
        format!("{}/api/v1/submissions/{id}{path}", self.base)
    }

    /// Starts a BankID order; `same_device` when the citizen opens BankID on this computer.
    /// An application signed and filed already gives its receipt: the answer that carried it
    /// was lost, and it is the success it was, not an error.
    pub fn start_signing(
        &self,
        key: &str,
        id: &str,
        same_device: bool,
    ) -> Result<Signing, SubmitError> {
        let request = self
            .http
            .post(self.url(id, "/sign"))
            .bearer_auth(key)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(json!({ "sameDevice": same_device }).to_string());
        match self.send(request) {
            Ok((_, v)) => Ok(Signing::Started(Started {
                auto_start_url: autostart_url(v["autoStartUrl"].as_str().unwrap_or_default())?,
            })),
            Err(SubmitError::Refused { code, details, .. }) if code == "alreadySubmitted" => {
                Ok(Signing::Filed(GatewayReceipt::read(&details)?))
            }
            Err(e) => Err(e),
        }
    }

    pub fn status(&self, key: &str, id: &str, english: bool) -> Result<SignStatus, SubmitError> {
        let lang = if english { "en" } else { "sv" };
        let request = self
            .http
            .get(self.url(id, &format!("/sign?lang={lang}")))
            .bearer_auth(key);
        let (_, v) = self.send(request)?;
        let text = |name: &str| v[name].as_str().map(str::to_string);
        let receipt = match v.get("receipt") {
            Some(r) => Some(GatewayReceipt::read(r)?),
            None => None,
        };
        Ok(SignStatus {
            status: text("status").unwrap_or_default(),
            hint_code: text("hintCode").map(|h| clean(&h)),
            message: clean(&text("message").unwrap_or_default()),
            qr_data: text("qrData"),
            receipt,
            signers: signers_of(&v["signers"]),
            next: text("next").or(text("signing")).map(|n| clean(&n)),
        })
    }

    /// Opens a submission with the signing code the applicant passed on, under this
    /// computer's own `key` (which then authorises its calls on it).
    pub fn open_code(&self, key: &str, code: &str) -> Result<Opened, SubmitError> {
        let request = self
            .http
            .post(format!("{}/api/v1/signing-codes", self.base))
            .bearer_auth(key)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(json!({ "code": code }).to_string());
        let (_, v) = self.send(request)?;
        Ok(Opened {
            submission_id: clean(v["submissionId"].as_str().unwrap_or_default()),
            role: clean(v["role"].as_str().unwrap_or_default()),
        })
    }

    /// Starts the BankID identification that shows the application to the one who signs next.
    pub fn identify(&self, key: &str, id: &str, same_device: bool) -> Result<Started, SubmitError> {
        let request = self
            .http
            .post(self.url(id, "/identify"))
            .bearer_auth(key)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(json!({ "sameDevice": same_device }).to_string());
        let (_, v) = self.send(request)?;
        Ok(Started {
            auto_start_url: autostart_url(v["autoStartUrl"].as_str().unwrap_or_default())?,
        })
    }

    /// What the applicant signed; its PDF checked against the hash the signatures name.
    pub fn summary(&self, key: &str, id: &str) -> Result<Summary, SubmitError> {
        let request = self.http.get(self.url(id, "/summary")).bearer_auth(key);
        let (_, v) = self.send(request)?;
        let text = |name: &str| clean(v[name].as_str().unwrap_or_default());
        let pdf = B64
            .decode(v["pdf"].as_str().unwrap_or_default())
            .map_err(|e| SubmitError::Protocol(format!("pdf: {e}")))?;
        let pdf_sha256 = text("pdfSha256");
        if sha256_hex(&pdf) != pdf_sha256 {
            return Err(SubmitError::HashMismatch {
                ours: sha256_hex(&pdf),
                theirs: pdf_sha256,
            });
        }
        Ok(Summary {
            service_name: text("serviceName"),
            role: text("role"),
            pdf,
            pdf_sha256,
            sha256: text("sha256"),
            visible_text: text("visibleText"),
            document: v["document"].clone(),
            flow: v["flow"].clone(),
            signers: signers_of(&v["signers"]),
        })
    }

    /// The one who signs next will not: the submission is never filed. The gateway's words.
    pub fn decline(&self, key: &str, id: &str, english: bool) -> Result<String, SubmitError> {
        let lang = if english { "en" } else { "sv" };
        let request = self
            .http
            .post(self.url(id, &format!("/sign/decline?lang={lang}")))
            .bearer_auth(key);
        let (_, v) = self.send(request)?;
        Ok(clean(v["message"].as_str().unwrap_or_default()))
    }

    /// Cancels the order; the citizen may have signed just before, and then the case is
    /// filed and this is its receipt.
    pub fn cancel(&self, key: &str, id: &str) -> Result<Cancelled, SubmitError> {
        let request = self
            .http
            .post(self.url(id, "/sign/cancel"))
            .bearer_auth(key);
        match self.send(request) {
            Ok((_, v)) => match v.get("receipt") {
                Some(r) => Ok(Cancelled::Filed(GatewayReceipt::read(r)?)),
                None => Ok(Cancelled::NotSubmitted(clean(
                    v["message"].as_str().unwrap_or_default(),
                ))),
            },
            Err(SubmitError::Refused { code, details, .. }) if code == "alreadySubmitted" => {
                Ok(Cancelled::Filed(GatewayReceipt::read(&details)?))
            }
            Err(e) => Err(e),
        }
    }
}

/// Checks that the receipt is for what this computer sent (§2.5): the gateway's hash equals
/// ours, and the citizen's signature carries a manifest with that hash and submission.
pub fn verify_receipt(r: &GatewayReceipt, sha256: &str, submission_id: &str) -> Result<(), String> {
    if r.sha256 != sha256 || r.submission_id != submission_id {
        return Err("kvittot gäller en annan ansökan".into());
    }
    let xml = B64
        .decode(r.signature.trim())
        .map_err(|_| "kvittots underskrift går inte att läsa".to_string())?;
    let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
    let (mut inside, mut manifest, mut func) = (None, None, None);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(quick_xml::events::Event::Start(e)) => {
                inside = match e.local_name().as_ref() {
                    "usrNonVisibleData" => Some(true),
                    "funcId" => Some(false),
                    _ => None,
                }
            }
            Ok(quick_xml::events::Event::Text(t)) => match inside {
                Some(true) => manifest = Some(t.xml10_content().trim().to_string()),
                Some(false) => func = Some(t.xml10_content().trim().to_string()),
                None => {}
            },
            Ok(quick_xml::events::Event::End(_)) => inside = None,
            Ok(quick_xml::events::Event::DocType(_)) | Err(_) => {
                return Err("kvittots underskrift går inte att läsa".into());
            }
            Ok(quick_xml::events::Event::Eof) => break,
            _ => {}
        }
        buf.clear();
    }
    if func.as_deref() != Some("Signing") {
        return Err("kvittots underskrift är ingen underskrift".into());
    }
    let manifest: Value = manifest
        .and_then(|m| B64.decode(m).ok())
        .and_then(|m| serde_json::from_slice(&m).ok())
        .ok_or("kvittots underskrift saknar ansökans kontrollsumma")?;
    if manifest["sha256"] != sha256 || manifest["submissionId"] != submission_id {
        return Err("underskriften gäller inte den här ansökan".into());
    }
    Ok(())
}

/// A QR code for a terminal: two modules per character with Unicode half blocks, dark on
/// light whatever the terminal's colours (ANSI black on white), a four-module quiet zone.
pub fn terminal_qr(data: &str, ansi: bool) -> String {
    let Ok(code) = qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::L) else {
        return String::new();
    };
    let width = code.width();
    let colors = code.to_colors();
    let quiet = 4usize;
    let size = width + 2 * quiet;
    let dark = |x: usize, y: usize| {
        x >= quiet
            && y >= quiet
            && x - quiet < width
            && y - quiet < width
            && colors[(y - quiet) * width + (x - quiet)] == qrcode::Color::Dark
    };
    let mut out = String::new();
    for row in (0..size).step_by(2) {
        if ansi {
            out.push_str("\x1b[30;107m");
        }
        for x in 0..size {
            let (top, bottom) = (dark(x, row), row + 1 < size && dark(x, row + 1));
            out.push(match (top, bottom) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        if ansi {
            out.push_str("\x1b[0m");
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_signing_code_is_sixteen_unambiguous_characters_read_back_however_typed() {
        let code = super::signing_code("test-2f1c7d0a-5b1e-4c33-9f1e-1a2b3c4d5e6f");
        assert_eq!(code.len(), 19, "{code}");
        assert_eq!(code.matches('-').count(), 3);
        assert!(!code.contains(['I', 'L', 'O', 'U']), "{code}");
        assert_ne!(code, super::signing_code("test-another-key-0000000000000"));
        assert_eq!(super::normalise_code(&code).as_deref(), Some(code.as_str()));
        let typed = code
            .replace('-', " ")
            .to_lowercase()
            .replace('0', "o")
            .replace('1', "l");
        assert_eq!(
            super::normalise_code(&typed).as_deref(),
            Some(code.as_str())
        );
        assert_eq!(super::normalise_code("ABCD-EFGH"), None);
        assert_eq!(super::normalise_code("ÅBCD-EFGH-JKMN-PQRS"), None);
    }

    use super::*;

    #[test]
    fn the_terminal_qr_code_reads_back() {
        let frame = "bankid.67df3917-fa0d-44e5-b327-edcc928297f8.3.dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8";
        let text = terminal_qr(frame, false);
        // Paint the characters back into pixels and let a QR reader find the frame.
        let lines: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
        let (w, h) = (lines[0].len(), lines.len() * 2);
        let scale = 4;
        let img = image::GrayImage::from_fn((w * scale) as u32, (h * scale) as u32, |x, y| {
            let (cx, cy) = (x as usize / scale, y as usize / scale);
            let c = lines[cy / 2][cx];
            let is_dark = match c {
                '█' => true,
                '▀' => cy % 2 == 0,
                '▄' => cy % 2 == 1,
                _ => false,
            };
            image::Luma([if is_dark { 0 } else { 255 }])
        });
        let mut prepared = rqrr::PreparedImage::prepare(img);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1);
        assert_eq!(grids[0].decode().unwrap().1, frame);
    }

    #[test]
    fn what_the_gateway_says_reaches_the_terminal_without_escapes() {
        assert_eq!(
            clean("Ärendenummer 12\x1b[2J\x1b]0;x\x07 klart\nrad två\r"),
            "Ärendenummer 12[2J]0;x klart\nrad två"
        );
        assert!(
            autostart_url(
                "bankid:///?autostarttoken=46d3ca9a-1e4d-4e0f-9d7c-7b1f2d8c&redirect=null"
            )
            .is_ok()
        );
        for bad in [
            "https://example.org/?autostarttoken=1&redirect=null",
            "bankid:///?autostarttoken=&redirect=null",
            "bankid:///?autostarttoken=1;rm -rf&redirect=null",
            "bankid:///?autostarttoken=1&redirect=https://example.org",
        ] {
            assert!(autostart_url(bad).is_err(), "{bad}");
        }
    }

    /// A one-request HTTP server on 127.0.0.1 answering `status` with `headers` and `body`.
    fn answering(status: &str, headers: &str, body: &str) -> String {
        let answer = format!(
            "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            use std::io::{Read, Write};
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(answer.as_bytes());
        });
        url
    }

    #[test]
    fn busy_gateways_and_proxies_are_a_later_and_only_422_ends_the_entry() {
        let cases = [
            (
                "429 Too Many Requests",
                "Retry-After: 120\r\n",
                "{}",
                true,
                false,
            ),
            (
                "502 Bad Gateway",
                "Content-Type: text/html\r\n",
                "<h1>502</h1>",
                true,
                false,
            ),
            (
                "503 Service Unavailable",
                "",
                r#"{"error":"busy","message":"x"}"#,
                true,
                false,
            ),
            ("408 Request Timeout", "", "", true, false),
            (
                "409 Conflict",
                "",
                r#"{"error":"idempotencyKeyReused","message":"x"}"#,
                false,
                false,
            ),
            (
                "422 Unprocessable Entity",
                "",
                r#"{"error":"incomplete","message":"x","details":[{"place":"Steg 1","message":"Fyll i"}]}"#,
                false,
                true,
            ),
        ];
        for (status, headers, body, later, ends) in cases {
            let answer = status;
            let c = Client::new(&answering(status, headers, body), Duration::from_secs(5)).unwrap();
            let mut o = crate::vault::Outgoing {
                gateway: c.gateway().to_string(),
                idempotency_key: new_key().unwrap(),
                sha256: String::new(),
                body: b"{}".to_vec(),
                flow_id: "3006".into(),
                service_name: "Synpunkt".into(),
                draft_id: None,
                created: 0,
                attempts: 0,
                next_attempt: 0,
                last_error: None,
                submission_id: None,
                signer: None,
                waiting_for: None,
            };
            let before = chrono::Utc::now().timestamp_millis();
            let e = upload_queued(&c, &mut o, &mut |_| {}, Arc::new(|_, _| {})).unwrap_err();
            assert_eq!(
                (e.retry_later(), e.ends_entry()),
                (later, ends),
                "{answer}: {e:?}"
            );
            // Retry-After is honoured: not before two minutes.
            if headers.contains("Retry-After: 120") {
                assert!(o.next_attempt >= before + 120_000);
            }
            if ends {
                assert_eq!(e.places(), ["Steg 1: Fyll i"]);
            }
        }
    }

    #[test]
    fn backoff_grows_and_stops_at_five_minutes() {
        assert_eq!(backoff(1), Duration::from_secs(2));
        assert_eq!(backoff(3), Duration::from_secs(8));
        assert_eq!(backoff(40), Duration::from_secs(300));
    }
}

/// Why an application cannot go into the outbox.
#[derive(Debug)]
pub enum PrepareError {
    /// Not complete: what to correct first.
    Incomplete(Vec<crate::fill::Issue>),
    /// An attached file whose content is not at hand.
    MissingFile(String),
    /// No key could be made (the OS random source failed).
    Vault(crate::vault::VaultError),
}

/// An application made ready to send: checked as the gateway will check it, attached
/// files' content gathered by `content`, serialised once into the bytes every attempt sends.
pub fn prepare(
    flow: &crate::flow::Flow,
    answers: &mut crate::fill::Answers,
    gateway: &str,
    draft_id: Option<String>,
    content: &dyn Fn(&crate::fill::FileRef) -> Option<Vec<u8>>,
) -> Result<crate::vault::Outgoing, PrepareError> {
    use crate::fill::{self, Answer, Form, Mode};
    let mut files = Vec::new();
    let mut missing = None;
    for file in answers.values.values_mut().flat_map(|a| match a {
        Answer::Files(f) => f.as_mut_slice(),
        _ => Default::default(),
    }) {
        match content(file) {
            // The size sent is the content's, whatever the answers said: the gateway checks
            // the one against the other, and the question's limits are checked against it.
            Some(data) => {
                file.size = data.len() as u64;
                files.push((file.name.clone(), data));
            }
            None => {
                missing.get_or_insert_with(|| file.name.clone());
            }
        }
    }
    let form = Form::new(flow);
    let report = fill::check(&form, answers, Mode::Complete, crate::app::today());
    if !report.is_valid() {
        return Err(PrepareError::Incomplete(report.issues));
    }
    if let Some(name) = missing {
        return Err(PrepareError::MissingFile(name));
    }
    let body = upload_body(&answers.to_json(flow), &files);
    let now = chrono::Utc::now().timestamp_millis();
    Ok(crate::vault::Outgoing {
        gateway: gateway.trim_end_matches('/').to_string(),
        idempotency_key: new_key().map_err(PrepareError::Vault)?,
        sha256: sha256_hex(&body),
        body,
        flow_id: flow.id.clone(),
        service_name: flow.name.clone(),
        draft_id,
        created: now,
        attempts: 0,
        next_attempt: now,
        last_error: None,
        submission_id: None,
        signer: fill::applicant(&form, answers),
        waiting_for: None,
    })
}

/// One upload attempt of an outbox entry, with its bookkeeping: on a failure worth retrying
/// the attempt is counted and the next one put off (`backoff`); on success the gateway's id
/// is kept. `save` writes the entry back to the vault (the caller holds the vault only then,
/// not during the upload).
pub fn upload_queued(
    client: &Client,
    o: &mut crate::vault::Outgoing,
    save: &mut dyn FnMut(&crate::vault::Outgoing),
    progress: Arc<dyn Fn(u64, u64) + Send + Sync>,
) -> Result<Uploaded, SubmitError> {
    match client.upload(&o.idempotency_key, &o.body, progress) {
        Ok(u) => {
            o.submission_id = Some(u.submission_id.clone());
            o.last_error = None;
            save(o);
            Ok(u)
        }
        Err(e) => {
            if e.retry_later() {
                o.attempts += 1;
                let wait = match &e {
                    SubmitError::Unavailable {
                        retry_after: Some(after),
                        ..
                    } => backoff(o.attempts).max(*after),
                    _ => backoff(o.attempts),
                };
                o.next_attempt = chrono::Utc::now().timestamp_millis() + wait.as_millis() as i64;
                o.last_error = Some(e.to_string());
                save(o);
            }
            Err(e)
        }
    }
}

/// The case is filed: the receipt checked against what was sent (§2.5), then stored and the
/// outbox entry and its draft removed in one transaction.
///
/// `copy` is the PDF of what was sent ([`sent_copy`]), kept sealed with the receipt. Returns
/// the receipt's id in the vault and the receipt.
pub fn keep_receipt(
    vault: &mut crate::vault::Vault,
    id: &str,
    o: &crate::vault::Outgoing,
    r: &GatewayReceipt,
    copy: Option<&[u8]>,
) -> Result<(String, crate::vault::Receipt), String> {
    let submission = o.submission_id.as_deref().unwrap_or(&r.submission_id);
    verify_receipt(r, &o.sha256, submission)?;
    let mut details = json!({
        "signerName": r.signer_name,
        "submissionId": r.submission_id,
        "gateway": o.gateway,
    });
    if !r.signers.is_empty() {
        details["signers"] = serde_json::to_value(&r.signers).unwrap_or_default();
    }
    let receipt = crate::vault::Receipt {
        flow_id: o.flow_id.clone(),
        service_name: o.service_name.clone(),
        case_number: Some(r.case_number.clone()),
        submitted: r.submitted_at.clone(),
        sha256: r.sha256.clone(),
        details,
    };
    let name = copy_name(&o.service_name, &r.case_number);
    let receipt_id = vault
        .submitted(id, &receipt, copy.map(|c| (name.as_str(), c)))
        .map_err(|e| e.to_string())?;
    Ok((receipt_id, receipt))
}

/// The copy's file name: the service and the case number ("lamna-synpunkt-1043.pdf").
pub fn copy_name(service: &str, case_number: &str) -> String {
    let case = crate::slug(case_number);
    if case.is_empty() {
        format!("{}.pdf", crate::slug(service))
    } else {
        format!("{}-{case}.pdf", crate::slug(service))
    }
}

/// What was sent, on paper, for the citizen's own records: the answers of outbox entry `o`
/// as the municipality's PDF shows them (no signature block, no codes), dated when the case
/// was filed (`filed_at`, RFC 3339). `None` when the body does not read as answers to `flow`
/// (a flow changed since): the receipt is kept all the same.
pub fn sent_copy(
    flow: &crate::flow::Flow,
    o: &crate::vault::Outgoing,
    filed_at: &str,
    publisher: &str,
) -> Option<Vec<u8>> {
    use crate::fill::{self, Answers, Form, Mode};
    let mut body: Value = serde_json::from_slice(&o.body).ok()?;
    let answers = body.get("document").map(|d| Answers::from_json(flow, d));
    // The body holds personal data in clear: wiped as the answers are.
    fill::wipe_json(&mut body);
    let mut answers = answers?.ok()?;
    let form = Form::new(flow);
    let report = fill::check(&form, &mut answers, Mode::Complete, crate::app::today());
    let created = chrono::DateTime::parse_from_rfc3339(filed_at)
        .map(|t| t.with_timezone(&chrono::Local).naive_local())
        .unwrap_or_else(|_| chrono::Local::now().naive_local());
    let options = crate::pdf::PdfOptions {
        created,
        publisher: publisher.to_string(),
        by_post: false,
        qr: false,
    };
    crate::pdf::filled(&form, &report.states, &answers, &options).ok()
}

/// The QR frame as one SVG path (one unit per module, a four-module quiet zone) and the side
/// length, for a window to draw without a QR library of its own.
pub fn qr_path(data: &str) -> Option<(String, usize)> {
    let code = qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::L).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let mut d = String::new();
    for y in 0..width {
        for x in 0..width {
            if colors[y * width + x] == qrcode::Color::Dark {
                d.push_str(&format!("M{} {}h1v1h-1z", x + 4, y + 4));
            }
        }
    }
    Some((d, width + 8))
}

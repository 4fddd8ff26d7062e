//! The simulator's orders and their state machine (`spec/eid-signing.md` §4.3), apart from
//! HTTP so that the rules read in one place: the 30 s start window, the order lifetime, one
//! terminal collect, `alreadyInProgress`, the QR check and the citizen's actions.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine;

use crate::bankid::qr;
use crate::bankid::signature::{self, Signing};
use crate::bankid::types::*;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The simulator's timings; BankID's in practice by default.
#[derive(Debug, Clone)]
pub struct Timings {
    /// From the order's start until `startFailed` when no app picked it up.
    pub start_window: Duration,
    /// From the start until `expiredTransaction`.
    pub lifetime: Duration,
    /// How long a completed order can still be collected; failed ones are kept longer.
    pub keep_complete: Duration,
    pub keep_failed: Duration,
    /// How far a scanned frame's seconds may be from the order's real age.
    pub qr_tolerance: u64,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            start_window: Duration::from_secs(30),
            lifetime: Duration::from_secs(180),
            keep_complete: Duration::from_secs(180),
            keep_failed: Duration::from_secs(300),
            qr_tolerance: 2,
        }
    }
}

/// An RP API error: HTTP status, `errorCode`, `details`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub details: String,
}

fn invalid(details: impl Into<String>) -> ApiError {
    ApiError {
        status: 400,
        code: "invalidParameters",
        details: details.into(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Outstanding,
    Started,
    UserMrtd,
    UserSign,
    Complete(Box<CompletionData>),
    Failed(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Auth,
    Sign,
}

#[derive(Debug)]
struct Order {
    func: Func,
    refs: StartResponse,
    created: Instant,
    end_user_ip: String,
    request: StartRequest,
    state: State,
    /// The app was opened through the autostart token (not the QR code).
    autostarted: bool,
    /// `started` has been reported once: the app then looks for the BankID and waits for the
    /// security code.
    started_seen: bool,
    mrtd_done: bool,
    ended: Option<Instant>,
}

impl Order {
    fn is_pending(&self) -> bool {
        !matches!(self.state, State::Complete(_) | State::Failed(_))
    }

    fn fail(&mut self, hint: &'static str, now: Instant) {
        self.state = State::Failed(hint);
        self.ended = Some(now);
    }
}

/// A test personnummer's registered name (`spec/eid-signing.md` §5.5); other valid numbers
/// sign as "Test Testsson".
const IDENTITIES: &[(&str, &str, &str)] = &[
    ("199908072391", "Tolvan", "Tolvansson"),
    ("201701012393", "Elva", "Elvansdotter"),
    ("189001019802", "Greta", "Gammal"),
    ("191401682396", "Samuel", "Samordning"),
    // The people of `forms/examples/`: guardians and a co-applicant who sign in turn.
    ("199205052385", "Åsa", "Öberg"),
    ("199306102394", "Jonas", "Öberg"),
    ("199511242381", "Åsa", "Öberg-Ławniczak"),
];

pub struct Orders {
    orders: HashMap<String, Order>,
    timings: Timings,
    /// How far the simulator's clock has been moved ahead (a test's fast-forward).
    skew: Duration,
    rp_certificate: Vec<u8>,
}

impl Orders {
    pub fn new(timings: Timings, rp_certificate: Vec<u8>) -> Orders {
        Orders {
            orders: HashMap::new(),
            timings,
            skew: Duration::ZERO,
            rp_certificate,
        }
    }

    pub fn now(&self) -> Instant {
        Instant::now() + self.skew
    }

    pub fn advance(&mut self, by: Duration) {
        self.skew += by;
    }

    /// Applies the timers to every order and forgets terminal ones kept long enough.
    fn tick(&mut self) {
        let now = self.now();
        let t = self.timings.clone();
        for order in self.orders.values_mut() {
            if order.is_pending() {
                let age = now.saturating_duration_since(order.created);
                if order.state == State::Outstanding && age >= t.start_window {
                    order.fail("startFailed", now);
                } else if age >= t.lifetime {
                    order.fail("expiredTransaction", now);
                }
            }
        }
        self.orders.retain(|_, o| match (&o.state, o.ended) {
            (State::Complete(_), Some(end)) => now.saturating_duration_since(end) < t.keep_complete,
            (State::Failed(_), Some(end)) => now.saturating_duration_since(end) < t.keep_failed,
            _ => true,
        });
    }

    pub fn start(&mut self, func: Func, request: StartRequest) -> Result<StartResponse, ApiError> {
        validate(func, &request)?;
        self.tick();
        let now = self.now();
        if let Some(pnr) = request
            .requirement
            .as_ref()
            .and_then(|r| r.personal_number.as_ref())
        {
            // The new order is refused and the pending one ends `cancelled` (§1.7).
            let mut clash = false;
            for order in self.orders.values_mut() {
                let same = order
                    .request
                    .requirement
                    .as_ref()
                    .and_then(|r| r.personal_number.as_ref())
                    == Some(pnr);
                if same && order.is_pending() {
                    order.fail("cancelled", now);
                    clash = true;
                }
            }
            if clash {
                return Err(ApiError {
                    status: 400,
                    code: "alreadyInProgress",
                    details: "Order already in progress for pno".into(),
                });
            }
        }
        let refs = StartResponse {
            order_ref: uuid::Uuid::new_v4().to_string(),
            auto_start_token: uuid::Uuid::new_v4().to_string(),
            qr_start_token: uuid::Uuid::new_v4().to_string(),
            qr_start_secret: uuid::Uuid::new_v4().to_string(),
        };
        self.orders.insert(
            refs.order_ref.clone(),
            Order {
                func,
                refs: refs.clone(),
                created: now,
                end_user_ip: request.end_user_ip.clone(),
                request,
                state: State::Outstanding,
                autostarted: false,
                started_seen: false,
                mrtd_done: false,
                ended: None,
            },
        );
        Ok(refs)
    }

    pub fn collect(&mut self, order_ref: &str) -> Result<CollectResponse, ApiError> {
        self.tick();
        let order = self
            .orders
            .get_mut(order_ref)
            .ok_or_else(|| invalid("No such order"))?;
        let (status, hint, completion) = match &order.state {
            State::Outstanding => ("pending", Some("outstandingTransaction"), None),
            State::Started => {
                let was_seen = order.started_seen;
                order.started_seen = true;
                if was_seen {
                    // The app has found the BankID by the next poll.
                    order.state = next_after_start(order);
                }
                ("pending", Some("started"), None)
            }
            State::UserMrtd => ("pending", Some("userMrtd"), None),
            State::UserSign => ("pending", Some("userSign"), None),
            State::Complete(data) => ("complete", None, Some((**data).clone())),
            State::Failed(hint) => ("failed", Some(*hint), None),
        };
        let response = CollectResponse {
            order_ref: order_ref.to_string(),
            status: status.into(),
            hint_code: hint.map(str::to_string),
            completion_data: completion,
        };
        if !order.is_pending() {
            // One-shot: the terminal result is given once (§1.9, §4.3.6).
            self.orders.remove(order_ref);
        }
        Ok(response)
    }

    pub fn cancel(&mut self, order_ref: &str) -> Result<(), ApiError> {
        self.tick();
        match self.orders.get(order_ref) {
            Some(o) if o.is_pending() => {
                self.orders.remove(order_ref);
                Ok(())
            }
            _ => Err(invalid("No such order")),
        }
    }

    // ---- the citizen's side (control endpoints) ----

    /// The BankID app opened through `autostarttoken`.
    pub fn open_autostart(&mut self, token: &str) -> Result<String, String> {
        self.tick();
        let order = self
            .orders
            .values_mut()
            .find(|o| o.refs.auto_start_token == token)
            .ok_or("ingen order har den autostartkoden")?;
        if order.state != State::Outstanding {
            return Err("ordern har redan startats eller avslutats".into());
        }
        order.state = State::Started;
        order.autostarted = true;
        Ok(order.refs.order_ref.clone())
    }

    /// The BankID app on a phone scanned `frame`.
    pub fn scan(&mut self, frame: &str) -> Result<String, String> {
        self.tick();
        let now = self.now();
        let tolerance = self.timings.qr_tolerance;
        let (token, t, code) = qr::parse(frame).ok_or("QR-koden är inte en BankID-kod")?;
        let order = self
            .orders
            .values_mut()
            .find(|o| o.refs.qr_start_token == token)
            .ok_or("QR-koden hör inte till någon order")?;
        if order.state != State::Outstanding {
            return Err("ordern har redan startats eller avslutats".into());
        }
        if qr::auth_code(&order.refs.qr_start_secret, t) != code {
            return Err("QR-kodens kontrollkod stämmer inte".into());
        }
        let age = now.saturating_duration_since(order.created).as_secs();
        if t.abs_diff(age) > tolerance {
            return Err(format!(
                "QR-koden är ogiltig eftersom den är för gammal ({t} s, ordern är {age} s)"
            ));
        }
        order.started_seen = true;
        order.state = next_after_start(order);
        Ok(order.refs.order_ref.clone())
    }

    /// The citizen photographed their ID document (orders with `mrtd`).
    pub fn mrtd(&mut self, order_ref: &str) -> Result<(), String> {
        self.tick();
        let order = self.pending(order_ref)?;
        if order.state != State::UserMrtd {
            return Err("ordern väntar inte på en ID-handling".into());
        }
        order.mrtd_done = true;
        order.state = State::UserSign;
        Ok(())
    }

    /// The citizen entered their security code as `personal_number`.
    pub fn approve(&mut self, order_ref: &str, personal_number: &str) -> Result<(), String> {
        self.tick();
        let now = self.now();
        let today = chrono::Local::now().date_naive();
        let pnr =
            etjanst::ids::parse_personnummer(personal_number, etjanst::ids::PnrRules::new(today))
                .map_err(|_| format!("{personal_number} är inget giltigt personnummer"))?
                .long();
        let cert = self.rp_certificate.clone();
        let order = self.pending(order_ref)?;
        match order.state {
            State::UserSign => {}
            State::Started => return Err("appen letar fortfarande efter BankID".into()),
            _ => return Err("ordern väntar inte på en säkerhetskod".into()),
        }
        if let Some(required) = order
            .request
            .requirement
            .as_ref()
            .and_then(|r| r.personal_number.as_ref())
            && *required != pnr
        {
            return Err("ordern är för ett annat personnummer".into());
        }
        let (given, surname) = IDENTITIES
            .iter()
            .find(|(p, _, _)| *p == pnr)
            .map_or(("Test", "Testsson"), |(_, g, s)| (*g, *s));
        let random = |e: getrandom::Error| format!("slumpkällan: {e}");
        let uhi = B64.encode(crate::random_bytes::<20>().map_err(random)?);
        let nonce = crate::random_bytes::<16>().map_err(random)?;
        let func_id = match order.func {
            Func::Auth => "Identification",
            Func::Sign => "Signing",
        };
        let r = &order.request;
        let sig = signature::write(&Signing {
            func_id,
            user_visible_data: r.user_visible_data.as_deref(),
            user_visible_data_format: r.user_visible_data_format.as_deref(),
            user_non_visible_data: r.user_non_visible_data.as_deref(),
            rp_name: "Testkommunen RP (simulator)",
            uhi: &uhi,
            certificate_der: &cert,
            nonce: &nonce,
        });
        let data = CompletionData {
            user: User {
                personal_number: pnr,
                name: format!("{given} {surname}"),
                given_name: given.into(),
                surname: surname.into(),
            },
            device: Device {
                // The app's own address: the RP's client for autostart, a phone for QR.
                ip_address: if order.autostarted {
                    order.end_user_ip.clone()
                } else {
                    "192.0.2.45".into()
                },
                uhi,
            },
            bank_id_issue_date: "2024-01-15".into(),
            step_up: order.mrtd_done.then(|| serde_json::json!({ "mrtd": true })),
            signature: sig,
            ocsp_response: B64.encode("SIMULERAT OCSP-svar från etjanst BankID-simulator"),
            risk: r.return_risk.unwrap_or(false).then(|| "low".to_string()),
        };
        order.state = State::Complete(Box::new(data));
        order.ended = Some(now);
        Ok(())
    }

    /// The citizen pressed "Avbryt" in the app, or the app failed with `hint`.
    pub fn fail(&mut self, order_ref: &str, hint: &str) -> Result<(), String> {
        self.tick();
        let now = self.now();
        let hint: &'static str = match hint {
            "userCancel" => "userCancel",
            "certificateErr" => "certificateErr",
            "notSupportedByUserApp" => "notSupportedByUserApp",
            "transactionRiskBlocked" => "transactionRiskBlocked",
            "startFailed" => "startFailed",
            "expiredTransaction" => "expiredTransaction",
            // A code BankID might add some day, which clients must survive.
            _ => "futureUnknownCode",
        };
        self.pending(order_ref)?.fail(hint, now);
        Ok(())
    }

    fn pending(&mut self, order_ref: &str) -> Result<&mut Order, String> {
        match self.orders.get_mut(order_ref) {
            Some(o) if o.is_pending() => Ok(o),
            Some(_) => Err("ordern är redan avslutad".into()),
            None => Err("ingen sådan order".into()),
        }
    }
}

fn next_after_start(order: &Order) -> State {
    let wants_mrtd = order
        .request
        .requirement
        .as_ref()
        .and_then(|r| r.mrtd)
        .unwrap_or(false);
    if wants_mrtd && !order.mrtd_done {
        State::UserMrtd
    } else {
        State::UserSign
    }
}

/// The request checks of §4.3.2.
fn validate(func: Func, r: &StartRequest) -> Result<(), ApiError> {
    if r.end_user_ip.parse::<std::net::IpAddr>().is_err() {
        return Err(invalid("Invalid endUserIp"));
    }
    let b64 = |name: &str, v: &str, max: usize| -> Result<(), ApiError> {
        if v.len() > max {
            return Err(invalid(format!("{name} too long")));
        }
        B64.decode(v)
            .map(|_| ())
            .map_err(|_| invalid(format!("Invalid {name}")))
    };
    match (&r.user_visible_data, func) {
        (Some(v), Func::Sign) => b64("userVisibleData", v, 40_000)?,
        (Some(v), Func::Auth) => b64("userVisibleData", v, 1_500)?,
        (None, Func::Sign) => return Err(invalid("Missing userVisibleData")),
        (None, Func::Auth) => {}
    }
    if let Some(v) = &r.user_non_visible_data {
        b64("userNonVisibleData", v, 200_000)?;
    }
    if let Some(f) = &r.user_visible_data_format
        && f != "simpleMarkdownV1"
        && f != "plaintext"
    {
        return Err(invalid("Invalid userVisibleDataFormat"));
    }
    if let Some(pnr) = r
        .requirement
        .as_ref()
        .and_then(|q| q.personal_number.as_ref())
    {
        let today = chrono::Local::now().date_naive();
        let ok = pnr.len() == 12
            && pnr.bytes().all(|b| b.is_ascii_digit())
            && etjanst::ids::parse_personnummer(pnr, etjanst::ids::PnrRules::new(today)).is_ok();
        if !ok {
            return Err(invalid("Invalid personalNumber"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign_request() -> StartRequest {
        StartRequest {
            end_user_ip: "127.0.0.1".into(),
            user_visible_data: Some(B64.encode("Ansökan")),
            user_visible_data_format: Some("simpleMarkdownV1".into()),
            user_non_visible_data: Some(B64.encode("{}")),
            ..Default::default()
        }
    }

    fn hint(o: &mut Orders, r: &str) -> String {
        let c = o.collect(r).unwrap();
        format!("{}/{}", c.status, c.hint_code.unwrap_or_default())
    }

    #[test]
    fn autostart_runs_through_the_hint_codes_and_collect_is_one_shot() {
        let mut o = Orders::new(Timings::default(), vec![]);
        let refs = o.start(Func::Sign, sign_request()).unwrap();
        let r = &refs.order_ref;
        assert_eq!(hint(&mut o, r), "pending/outstandingTransaction");
        assert!(o.open_autostart("wrong").is_err());
        o.open_autostart(&refs.auto_start_token).unwrap();
        assert_eq!(hint(&mut o, r), "pending/started");
        assert_eq!(hint(&mut o, r), "pending/started");
        assert_eq!(hint(&mut o, r), "pending/userSign");
        assert!(o.approve(r, "199908072392").is_err(), "bad check digit");
        o.approve(r, "199908072391").unwrap();
        let done = o.collect(r).unwrap();
        assert_eq!(done.status, "complete");
        let data = done.completion_data.unwrap();
        assert_eq!(data.user.name, "Tolvan Tolvansson");
        assert_eq!(data.device.ip_address, "127.0.0.1");
        let signed = signature::read(&data.signature).unwrap();
        assert_eq!(signed.func_id, "Signing");
        assert_eq!(signed.user_non_visible_data, B64.encode("{}"));
        let again = o.collect(r).unwrap_err();
        assert_eq!(again.code, "invalidParameters");
    }

    #[test]
    fn qr_frames_are_checked_and_the_start_window_closes() {
        let mut o = Orders::new(Timings::default(), vec![]);
        let refs = o.start(Func::Sign, sign_request()).unwrap();
        let stale = qr::frame(&refs.qr_start_token, &refs.qr_start_secret, 9);
        assert!(o.scan(&stale).unwrap_err().contains("för gammal"));
        let forged = qr::frame(&refs.qr_start_token, "another secret", 0);
        assert!(o.scan(&forged).unwrap_err().contains("kontrollkod"));

        let other = o.start(Func::Sign, sign_request()).unwrap();
        o.scan(&qr::frame(&other.qr_start_token, &other.qr_start_secret, 0))
            .unwrap();
        assert_eq!(hint(&mut o, &other.order_ref), "pending/userSign");

        o.advance(Duration::from_secs(31));
        assert_eq!(hint(&mut o, &refs.order_ref), "failed/startFailed");
        assert_eq!(hint(&mut o, &other.order_ref), "pending/userSign");
        o.advance(Duration::from_secs(150));
        assert_eq!(hint(&mut o, &other.order_ref), "failed/expiredTransaction");
    }

    #[test]
    fn a_second_order_for_the_same_person_is_refused_and_cancels_the_first() {
        let mut o = Orders::new(Timings::default(), vec![]);
        let mut request = sign_request();
        request.requirement = Some(Requirement {
            personal_number: Some("199908072391".into()),
            ..Default::default()
        });
        let first = o.start(Func::Sign, request.clone()).unwrap();
        let err = o.start(Func::Sign, request).unwrap_err();
        assert_eq!(err.code, "alreadyInProgress");
        assert_eq!(hint(&mut o, &first.order_ref), "failed/cancelled");
    }

    #[test]
    fn bad_requests_are_invalid_parameters_and_cancel_works_once() {
        let mut o = Orders::new(Timings::default(), vec![]);
        let mut r = sign_request();
        r.end_user_ip = "nowhere".into();
        assert_eq!(
            o.start(Func::Sign, r).unwrap_err().code,
            "invalidParameters"
        );
        let mut r = sign_request();
        r.user_visible_data = None;
        assert_eq!(
            o.start(Func::Sign, r).unwrap_err().code,
            "invalidParameters"
        );
        let mut r = sign_request();
        r.user_visible_data = Some("not base64!".into());
        assert_eq!(
            o.start(Func::Sign, r).unwrap_err().code,
            "invalidParameters"
        );
        let refs = o.start(Func::Sign, sign_request()).unwrap();
        o.cancel(&refs.order_ref).unwrap();
        assert_eq!(
            o.cancel(&refs.order_ref).unwrap_err().code,
            "invalidParameters"
        );
        assert_eq!(
            o.collect(&refs.order_ref).unwrap_err().code,
            "invalidParameters"
        );
    }
}

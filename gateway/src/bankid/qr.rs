//! The animated QR code (`spec/eid-signing.md` §1.8): a fresh frame each second, bound to the
//! order by an HMAC over the elapsed seconds with the order's start secret.

use hmac::{KeyInit, Mac};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// `qrAuthCode`: lower-case hex of HMAC-SHA256(key = the secret, message = `t` in decimal).
pub fn auth_code(qr_start_secret: &str, t: u64) -> String {
    let mut mac = HmacSha256::new_from_slice(qr_start_secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(t.to_string().as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The text of the frame `t` whole seconds after the order started.
pub fn frame(qr_start_token: &str, qr_start_secret: &str, t: u64) -> String {
    format!(
        "bankid.{qr_start_token}.{t}.{}",
        auth_code(qr_start_secret, t)
    )
}

/// A frame's parts: start token, seconds, auth code.
pub fn parse(frame: &str) -> Option<(&str, u64, &str)> {
    let rest = frame.strip_prefix("bankid.")?;
    let (rest, code) = rest.rsplit_once('.')?;
    let (token, t) = rest.rsplit_once('.')?;
    let t = t
        .parse()
        .ok()
        .filter(|_| t.bytes().all(|b| b.is_ascii_digit()))?;
    Some((token, t, code))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// BankID's own vector (`spec/eid-signing.md` §1.8).
    #[test]
    fn agrees_with_bankids_published_vector() {
        let token = "67df3917-fa0d-44e5-b327-edcc928297f8";
        let secret = "d28db9a7-4cde-429e-a983-359be676944c";
        assert_eq!(
            auth_code(secret, 0),
            "dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8"
        );
        assert_eq!(
            auth_code(secret, 1),
            "949d559bf23403952a94d103e67743126381eda00f0b3cbddbf7c96b1adcbce2"
        );
        let f = frame(token, secret, 2);
        assert_eq!(
            f,
            format!(
                "bankid.{token}.2.a9e5ec59cb4eee4ef4117150abc58fad7a85439a6a96ccbecc3668b41795b3f3"
            )
        );
        assert_eq!(parse(&f), Some((token, 2, &f[f.len() - 64..])));
        assert_eq!(parse("bankid.x.+1.abc"), None);
        assert_eq!(parse("qr.x.1.abc"), None);
    }
}

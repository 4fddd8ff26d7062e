//! The administrator's code: stored in the kiosk configuration as a slow hash (scrypt), so
//! that a visitor who reads the file learns nothing quick to try.
//!
//! Format: `scrypt$<log_n>$<r>$<p>$<salt, base64>$<hash, base64>`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;

/// scrypt's cost for a new hash: about a second's work on a library's computer.
const LOG_N: u8 = 15;
const R: u32 = 8;
const P: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("{}", crate::i18n::display("kiosk-code-short", &[]))]
    TooShort,
    #[error("{}", crate::i18n::display("kiosk-code-hash", &[]))]
    BadHash,
}

/// The stored form of `code`, with a fresh salt. `log_n` is scrypt's cost (tests lower it).
pub fn hash(code: &str, log_n: Option<u8>) -> Result<String, CodeError> {
    if code.chars().count() < 6 {
        return Err(CodeError::TooShort);
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| CodeError::BadHash)?;
    let log_n = log_n.unwrap_or(LOG_N);
    let out = derive(code, &salt, log_n, R, P)?;
    Ok(format!(
        "scrypt${log_n}${R}${P}${}${}",
        B64.encode(salt),
        B64.encode(out)
    ))
}

/// Whether `code` is the one `stored` was made from. A stored value that does not read as a
/// hash is an error, not a "no": the configuration is wrong.
pub fn verify(code: &str, stored: &str) -> Result<bool, CodeError> {
    let (log_n, r, p, salt, expected) = parse(stored)?;
    let got = derive(code, &salt, log_n, r, p)?;
    // Compared in constant time: how long a wrong code takes says nothing about the right one.
    let diff = got
        .iter()
        .zip(expected.iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    Ok(diff == 0 && got.len() == expected.len())
}

/// Checks that `stored` reads as a hash (at start-up, before any visitor needs it).
pub fn check(stored: &str) -> Result<(), CodeError> {
    parse(stored).map(|_| ())
}

type Parsed = (u8, u32, u32, Vec<u8>, Vec<u8>);

fn parse(stored: &str) -> Result<Parsed, CodeError> {
    let parts: Vec<&str> = stored.trim().split('$').collect();
    let [kind, log_n, r, p, salt, hash] = parts.as_slice() else {
        return Err(CodeError::BadHash);
    };
    if *kind != "scrypt" {
        return Err(CodeError::BadHash);
    }
    let num = |s: &str| s.parse::<u32>().map_err(|_| CodeError::BadHash);
    let log_n = u8::try_from(num(log_n)?).map_err(|_| CodeError::BadHash)?;
    let (r, p) = (num(r)?, num(p)?);
    if !(10..=22).contains(&log_n) || r == 0 || p == 0 {
        return Err(CodeError::BadHash);
    }
    let salt = B64.decode(salt).map_err(|_| CodeError::BadHash)?;
    let hash = B64.decode(hash).map_err(|_| CodeError::BadHash)?;
    if salt.len() < 8 || hash.len() != 32 {
        return Err(CodeError::BadHash);
    }
    Ok((log_n, r, p, salt, hash))
}

fn derive(code: &str, salt: &[u8], log_n: u8, r: u32, p: u32) -> Result<[u8; 32], CodeError> {
    let params = scrypt::Params::new(log_n, r, p).map_err(|_| CodeError::BadHash)?;
    let mut out = [0u8; 32];
    scrypt::scrypt(code.as_bytes(), salt, &params, &mut out).map_err(|_| CodeError::BadHash)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_code_leaves_and_a_broken_hash_is_an_error() {
        let stored = hash("bibliotek-42", Some(10)).unwrap();
        assert!(stored.starts_with("scrypt$10$8$1$"));
        assert_eq!(verify("bibliotek-42", &stored), Ok(true));
        assert_eq!(verify("bibliotek-43", &stored), Ok(false));
        assert_eq!(verify("", &stored), Ok(false));
        assert_eq!(hash("12345", Some(10)), Err(CodeError::TooShort));
        for bad in [
            "",
            "bibliotek-42",
            "bcrypt$10$8$1$c2FsdHNhbHQ$aGFzaA",
            "scrypt$40$8$1$c2FsdHNhbHQ$aGFzaA",
        ] {
            assert_eq!(check(bad), Err(CodeError::BadHash), "{bad}");
        }
        // Two hashes of one code differ (a fresh salt each), and both verify.
        let again = hash("bibliotek-42", Some(10)).unwrap();
        assert_ne!(stored, again);
        assert_eq!(verify("bibliotek-42", &again), Ok(true));
    }
}

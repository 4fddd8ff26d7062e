//! The installation's X25519 identity and the ways it is kept: in the operating system's
//! keychain, and/or wrapped with a passphrase (age scrypt), never in the clear.

use age::secrecy::{ExposeSecret, SecretString};

use super::VaultError;

/// Where secrets the citizen never types are kept. The operating system's keychain in the
/// app; tests use an in-memory one.
pub trait Keychain {
    /// The secret stored for `account`, or `None` when there is none.
    fn get(&self, account: &str) -> Result<Option<SecretString>, String>;
    fn set(&self, account: &str, secret: &SecretString) -> Result<(), String>;
    fn delete(&self, account: &str) -> Result<(), String>;
}

/// The operating system's keychain: Secret Service on Linux, Keychain on macOS, Credential
/// Manager on Windows (the `keyring` crate).
pub struct OsKeychain;

const SERVICE: &str = "etjanst";

impl OsKeychain {
    /// Whether a keychain answers on this machine (no Secret Service in a bare session).
    pub fn available() -> bool {
        keyring::Entry::store_status().is_ok()
    }
}

impl Keychain for OsKeychain {
    fn get(&self, account: &str) -> Result<Option<SecretString>, String> {
        let entry = keyring::Entry::new(SERVICE, account).map_err(|e| e.to_string())?;
        match entry.get_password() {
            Ok(s) => Ok(Some(SecretString::from(s))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    fn set(&self, account: &str, secret: &SecretString) -> Result<(), String> {
        let entry = keyring::Entry::new(SERVICE, account).map_err(|e| e.to_string())?;
        entry
            .set_password(secret.expose_secret())
            .map_err(|e| e.to_string())
    }

    fn delete(&self, account: &str) -> Result<(), String> {
        let entry = keyring::Entry::new(SERVICE, account).map_err(|e| e.to_string())?;
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// A passphrase, with the scrypt cost used when wrapping a key with it.
pub struct Passphrase {
    pub secret: SecretString,
    /// log2 of scrypt's N. `None` picks age's default, about one second on this machine.
    pub work_factor: Option<u8>,
}

impl Passphrase {
    pub fn new(secret: SecretString) -> Self {
        Passphrase {
            secret,
            work_factor: None,
        }
    }

    /// A passphrase a person typed, for the vault. A debug build (the test suite) lets
    /// `ETJANST_SCRYPT_LOG_N` lower scrypt's cost; a release build never does, whatever the
    /// environment says.
    pub fn typed(secret: SecretString) -> Self {
        let work_factor = if cfg!(debug_assertions) {
            std::env::var("ETJANST_SCRYPT_LOG_N")
                .ok()
                .and_then(|v| v.parse::<u8>().ok())
                .map(|n| n.clamp(10, 30))
        } else {
            None
        };
        Passphrase {
            secret,
            work_factor,
        }
    }

    pub(crate) fn recipient(&self) -> age::scrypt::Recipient {
        let mut r = age::scrypt::Recipient::new(self.secret.clone());
        if let Some(n) = self.work_factor {
            r.set_work_factor(n);
        }
        r
    }

    pub(crate) fn identity(&self) -> age::scrypt::Identity {
        age::scrypt::Identity::new(self.secret.clone())
    }
}

/// Wraps the identity's secret string with a passphrase.
pub(crate) fn wrap(
    identity: &age::x25519::Identity,
    passphrase: &Passphrase,
) -> Result<Vec<u8>, VaultError> {
    let secret = identity.to_string();
    age::encrypt(&passphrase.recipient(), secret.expose_secret().as_bytes())
        .map_err(|e| VaultError::Crypto(e.to_string()))
}

/// Unwraps an identity with a passphrase; a wrong passphrase is `WrongPassphrase`.
pub(crate) fn unwrap(
    wrapped: &[u8],
    passphrase: &Passphrase,
) -> Result<age::x25519::Identity, VaultError> {
    let plain = age::decrypt(&passphrase.identity(), wrapped).map_err(|e| match e {
        age::DecryptError::DecryptionFailed
        | age::DecryptError::NoMatchingKeys
        | age::DecryptError::KeyDecryptionFailed => VaultError::WrongPassphrase,
        other => VaultError::Crypto(other.to_string()),
    })?;
    parse_identity(plain)
}

pub(crate) fn parse_identity(mut plain: Vec<u8>) -> Result<age::x25519::Identity, VaultError> {
    let parsed = std::str::from_utf8(&plain)
        .ok()
        .and_then(|s| s.trim().parse::<age::x25519::Identity>().ok());
    zeroize::Zeroize::zeroize(&mut plain);
    parsed.ok_or_else(|| VaultError::Crypto("nyckeln i valvet är skadad".into()))
}

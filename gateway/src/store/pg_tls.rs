//! TLS to PostgreSQL with rustls, by libpq's `sslmode` and `sslrootcert` in the store URL.
//!
//! tokio-postgres knows only `disable`, `prefer` and `require`, and verifies nothing itself;
//! the modes that verify (`verify-ca`, `verify-full`) are read here, taken out of the URL, and
//! become the rustls verifier the connection uses:
//!
//! | `sslmode`     | TLS                  | the server's certificate                           |
//! |---------------|----------------------|----------------------------------------------------|
//! | `disable`     | never                | –                                                  |
//! | `prefer`      | if the server has it | not checked (libpq's default; encrypts only)       |
//! | `require`     | always               | not checked, unless `sslrootcert` is given: then as `verify-ca` (as libpq) |
//! | `verify-ca`   | always               | issued by a CA in `sslrootcert`                    |
//! | `verify-full` | always               | that, and made out to the host in the URL          |

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime, pem::PemObject};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use tokio_postgres::config::SslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::StoreError;

/// How much of the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Nothing,
    Issuer,
    IssuerAndName,
}

/// The connection settings from `url` and the TLS connector that honours its `sslmode`.
pub(super) fn connect_config(
    url: &str,
) -> Result<(tokio_postgres::Config, MakeRustlsConnect), StoreError> {
    let bad = |m: String| StoreError::Db(m);
    let mut parsed =
        reqwest::Url::parse(url).map_err(|e| bad(format!("PostgreSQL-adressen: {e}")))?;
    let mut mode = None;
    let mut root = None;
    let mut rest = Vec::new();
    for (k, v) in parsed.query_pairs() {
        match &*k {
            "sslmode" => mode = Some(v.into_owned()),
            "sslrootcert" => root = Some(v.into_owned()),
            _ => rest.push((k.into_owned(), v.into_owned())),
        }
    }
    if rest.is_empty() {
        parsed.set_query(None);
    } else {
        parsed.query_pairs_mut().clear().extend_pairs(rest);
    }
    let mut config: tokio_postgres::Config = parsed
        .as_str()
        .parse()
        .map_err(|e: tokio_postgres::Error| bad(format!("PostgreSQL-adressen: {e}")))?;
    let (ssl_mode, check) = match mode.as_deref().unwrap_or("prefer") {
        "disable" => (SslMode::Disable, Check::Nothing),
        "allow" | "prefer" => (SslMode::Prefer, Check::Nothing),
        "require" if root.is_some() => (SslMode::Require, Check::Issuer),
        "require" => (SslMode::Require, Check::Nothing),
        "verify-ca" => (SslMode::Require, Check::Issuer),
        "verify-full" => (SslMode::Require, Check::IssuerAndName),
        other => {
            return Err(bad(format!(
                "sslmode={other} finns inte: disable, prefer, require, verify-ca eller verify-full"
            )));
        }
    };
    config.ssl_mode(ssl_mode);
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> = match check {
        Check::Nothing => Arc::new(Unchecked(provider.clone())),
        Check::Issuer | Check::IssuerAndName => {
            let root = root.ok_or_else(|| {
                bad(format!(
                    "sslmode={} behöver sslrootcert=FIL med den CA som utfärdat databasens certifikat",
                    mode.as_deref().unwrap_or_default()
                ))
            })?;
            let webpki = webpki_verifier(Path::new(&root), provider.clone())?;
            if check == Check::Issuer {
                Arc::new(IssuerOnly(webpki))
            } else {
                webpki
            }
        }
    };
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok((config, MakeRustlsConnect::new(tls)))
}

fn webpki_verifier(
    root: &Path,
    provider: Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, StoreError> {
    let fail = |m: String| StoreError::Db(format!("sslrootcert {}: {m}", root.display()));
    let mut roots = rustls::RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(root)
        .map_err(|e| fail(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(e.to_string()))?;
    if certs.is_empty() {
        return Err(fail("inga certifikat i filen".into()));
    }
    for cert in certs {
        roots.add(cert).map_err(|e| fail(e.to_string()))?;
    }
    let verifier =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| fail(e.to_string()))?;
    Ok(verifier)
}

/// `prefer` and `require` without a root: encrypted, the certificate taken as it comes (the
/// handshake's signatures are still checked, so the session is with the certificate's key).
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

/// `verify-ca`: the chain must lead to the root; the name is not compared.
#[derive(Debug)]
struct IssuerOnly(Arc<dyn ServerCertVerifier>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

impl ServerCertVerifier for IssuerOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

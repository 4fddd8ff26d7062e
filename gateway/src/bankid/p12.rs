//! BankID hands out RP certificates as PKCS#12 files; reqwest's rustls backend takes PEM, so
//! the key and its chain are turned into PEM in memory (never written out).

use base64::Engine;

pub fn to_pem(p12: &[u8], password: &str) -> Result<Vec<u8>, String> {
    let store = p12_keystore::KeyStore::from_pkcs12(
        p12,
        password,
        p12_keystore::Pkcs12ImportPolicy::Relaxed,
    )
    .map_err(|e| format!("PKCS#12: {e} (fel lösenord?)"))?;
    let (_, chain) = store
        .private_key_chain()
        .ok_or("PKCS#12-filen har ingen privat nyckel")?;
    let mut out = Vec::new();
    for cert in chain.certs() {
        out.extend(pem("CERTIFICATE", cert.as_der()));
    }
    out.extend(pem("PRIVATE KEY", chain.key().as_der()));
    Ok(out)
}

pub(crate) fn pem(label: &str, der: &[u8]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out.into_bytes()
}

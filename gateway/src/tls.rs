//! The simulator's test PKI and TLS: a CA made once and written out, a server certificate for
//! 127.0.0.1/localhost and an RP client certificate, and a rustls server that refuses clients
//! without a certificate from that CA, as BankID's RP API does.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};

/// The files the simulator writes for its clients.
pub struct TestPki {
    pub dir: PathBuf,
}

impl TestPki {
    /// The CA that issued both the server's and the RP's certificates: what an RP trusts.
    pub fn ca(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }
    /// The RP certificate and key in one PEM file.
    pub fn rp_pem(&self) -> PathBuf {
        self.dir.join("rp.pem")
    }
    /// The same as PKCS#12, password `qwerty123`, like BankID's public test certificate.
    pub fn rp_p12(&self) -> PathBuf {
        self.dir.join("rp.p12")
    }
    /// The server's certificate, for 127.0.0.1 and localhost.
    pub fn server_cert(&self) -> PathBuf {
        self.dir.join("server.pem")
    }
    /// Its private key (PKCS#8 PEM), owner-only.
    pub fn server_key(&self) -> PathBuf {
        self.dir.join("server-key.pem")
    }

    /// Uses the files in `dir`, or makes them when any is missing.
    pub fn in_dir(dir: &Path) -> Result<TestPki, String> {
        let pki = TestPki {
            dir: dir.to_path_buf(),
        };
        let all = [
            pki.ca(),
            pki.rp_pem(),
            pki.rp_p12(),
            pki.server_cert(),
            pki.server_key(),
        ];
        if all.iter().all(|p| p.exists()) {
            return Ok(pki);
        }
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let fail = |e: rcgen::Error| e.to_string();
        let ca_key = rcgen::KeyPair::generate().map_err(fail)?;
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(
            rcgen::DnType::CommonName,
            "etjanst BankID-simulator test-CA",
        );
        ca_params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).map_err(fail)?;

        let server_key = rcgen::KeyPair::generate().map_err(fail)?;
        let mut server_params =
            rcgen::CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()])
                .map_err(fail)?;
        server_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let server = server_params.signed_by(&server_key, &ca).map_err(fail)?;

        let rp_key = rcgen::KeyPair::generate().map_err(fail)?;
        let mut rp_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
        rp_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Testkommunen RP (simulator)");
        rp_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        let rp = rp_params.signed_by(&rp_key, &ca).map_err(fail)?;

        // Every file owner-only from its creation (keys among them): no other account on the
        // machine may read a private key, not even for the moment before a chmod.
        let write = |path: PathBuf, bytes: &[u8]| {
            use std::io::Write;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(&path)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            #[cfg(unix)]
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
                .map_err(|e| format!("{}: {e}", path.display()))?;
            file.write_all(bytes)
                .map_err(|e| format!("{}: {e}", path.display()))
        };
        write(pki.ca(), ca.pem().as_bytes())?;
        write(pki.server_cert(), server.pem().as_bytes())?;
        write(pki.server_key(), server_key.serialize_pem().as_bytes())?;
        let mut rp_pem = rp.pem().into_bytes();
        rp_pem.extend(rp_key.serialize_pem().into_bytes());
        write(pki.rp_pem(), &rp_pem)?;
        let chain = p12_keystore::PrivateKeyChain::new(
            crate::random_bytes::<20>()
                .map_err(|e| format!("slumpkällan: {e}"))?
                .to_vec(),
            p12_keystore::PrivateKey::from_der(&rp_key.serialize_der())
                .map_err(|e| format!("PKCS#12: {e}"))?,
            vec![
                p12_keystore::Certificate::from_der(rp.der())
                    .map_err(|e| format!("PKCS#12: {e}"))?,
            ],
        );
        let mut store = p12_keystore::KeyStore::new();
        store.add_entry("rp", p12_keystore::KeyStoreEntry::PrivateKeyChain(chain));
        let p12 = store
            .writer("qwerty123")
            .write()
            .map_err(|e| format!("PKCS#12: {e}"))?;
        write(pki.rp_p12(), &p12)?;
        Ok(pki)
    }

    /// A TLS server configuration that requires an RP certificate from the CA.
    pub fn server_config(&self) -> Result<rustls::ServerConfig, String> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let read = |p: PathBuf| std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()));
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(&read(self.ca())?) {
            roots
                .add(cert.map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?;
        }
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            roots.into(),
            provider.clone(),
        )
        .build()
        .map_err(|e| e.to_string())?;
        let chain = CertificateDer::pem_slice_iter(&read(self.server_cert())?)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        let key =
            PrivateKeyDer::from_pem_slice(&read(self.server_key())?).map_err(|e| e.to_string())?;
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_client_cert_verifier(verifier)
            .with_single_cert(chain, key)
            .map_err(|e| e.to_string())?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }

    /// The RP certificate's DER, which the simulator puts in its signatures' KeyInfo.
    pub fn rp_certificate_der(&self) -> Vec<u8> {
        std::fs::read(self.rp_pem())
            .ok()
            .and_then(|pem| {
                CertificateDer::pem_slice_iter(&pem)
                    .next()
                    .and_then(Result::ok)
            })
            .map(|c| c.to_vec())
            .unwrap_or_default()
    }
}

//! The relying-party client of BankID's RP API v6.0: mutual TLS with the municipality's RP
//! certificate, BankID's server pinned to the configured root, POST with JSON only.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::types::*;

/// Where BankID is and who we are to it (README: "BankID").
#[derive(Debug, Clone)]
pub struct RpConfig {
    /// `https://appapi2.bankid.com/rp/v6.0`, `https://appapi2.test.bankid.com/rp/v6.0`, or the
    /// simulator's.
    pub base_url: String,
    /// The RP certificate and its key: one PEM file (certificate and key), or a PKCS#12 file.
    pub certificate: PathBuf,
    /// The PKCS#12 file's password (BankID's test certificate: `qwerty123`).
    pub certificate_password: Option<String>,
    /// BankID's SSL root (PEM): the only root trusted for the RP API.
    pub root: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum RpError {
    /// BankID answered with an error (`spec/eid-signing.md` §1.7).
    #[error("BankID: {code} ({status}): {details}")]
    Api {
        status: u16,
        code: String,
        details: String,
    },
    #[error("BankID svarar inte: {0}")]
    Network(String),
    #[error("BankID:s svar gick inte att läsa: {0}")]
    Decode(String),
    #[error("BankID-certifikatet {path}: {message}")]
    Certificate { path: PathBuf, message: String },
}

impl RpError {
    pub fn code(&self) -> Option<&str> {
        match self {
            RpError::Api { code, .. } => Some(code),
            _ => None,
        }
    }
}

#[derive(Clone)]
pub struct RpClient {
    http: reqwest::Client,
    base: String,
}

fn read(path: &Path) -> Result<Vec<u8>, RpError> {
    std::fs::read(path).map_err(|e| RpError::Certificate {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

impl RpClient {
    pub fn new(config: &RpConfig) -> Result<RpClient, RpError> {
        let cert_error = |path: &Path, e: &dyn std::fmt::Display| RpError::Certificate {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let bytes = read(&config.certificate)?;
        let pem = if bytes.starts_with(b"-----") {
            bytes
        } else {
            super::p12::to_pem(&bytes, config.certificate_password.as_deref().unwrap_or(""))
                .map_err(|e| cert_error(&config.certificate, &e))?
        };
        let identity =
            reqwest::Identity::from_pem(&pem).map_err(|e| cert_error(&config.certificate, &e))?;
        let root_pem = read(&config.root)?;
        let roots = reqwest::Certificate::from_pem_bundle(&root_pem)
            .map_err(|e| cert_error(&config.root, &e))?;
        let http = reqwest::Client::builder()
            .tls_certs_only(roots)
            .identity(identity)
            .timeout(Duration::from_secs(15))
            .user_agent(concat!("etjanst-gateway/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| RpError::Network(e.to_string()))?;
        Ok(RpClient {
            http,
            base: config.base_url.trim_end_matches('/').to_string(),
        })
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &impl serde::Serialize,
    ) -> Result<T, RpError> {
        let body = serde_json::to_vec(body).map_err(|e| RpError::Decode(e.to_string()))?;
        let response = self
            .http
            .post(format!("{}/{path}", self.base))
            // Exactly this, without a charset: BankID has refused the parameter (§1.1).
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| RpError::Network(crate::error_chain(&e)))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| RpError::Network(crate::error_chain(&e)))?;
        if !status.is_success() {
            let error: ErrorBody = serde_json::from_slice(&bytes).unwrap_or(ErrorBody {
                error_code: "unknown".into(),
                details: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
            });
            return Err(RpError::Api {
                status: status.as_u16(),
                code: error.error_code,
                details: error.details,
            });
        }
        serde_json::from_slice(&bytes).map_err(|e| RpError::Decode(e.to_string()))
    }

    pub async fn sign(&self, request: &StartRequest) -> Result<StartResponse, RpError> {
        self.call("sign", request).await
    }

    pub async fn auth(&self, request: &StartRequest) -> Result<StartResponse, RpError> {
        self.call("auth", request).await
    }

    pub async fn collect(&self, order_ref: &str) -> Result<CollectResponse, RpError> {
        self.call(
            "collect",
            &OrderRef {
                order_ref: order_ref.into(),
            },
        )
        .await
    }

    pub async fn cancel(&self, order_ref: &str) -> Result<(), RpError> {
        let _: serde_json::Value = self
            .call(
                "cancel",
                &OrderRef {
                    order_ref: order_ref.into(),
                },
            )
            .await?;
        Ok(())
    }
}

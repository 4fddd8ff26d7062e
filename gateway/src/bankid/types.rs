//! The RP API v6.0 wire format (`spec/eid-signing.md` §1.3–§1.7), shared by the client and the
//! simulator so that both read and write the same field names.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Requirement {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pin_code: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mrtd: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personal_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_policies: Option<Vec<String>>,
}

/// The body of `auth` and `sign`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartRequest {
    pub end_user_ip: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_visible_data: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_visible_data_format: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_non_visible_data: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requirement: Option<Requirement>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_risk: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StartResponse {
    pub order_ref: String,
    pub auto_start_token: String,
    pub qr_start_token: String,
    pub qr_start_secret: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderRef {
    pub order_ref: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub personal_number: String,
    pub name: String,
    pub given_name: String,
    pub surname: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    pub ip_address: String,
    #[serde(default)]
    pub uhi: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CompletionData {
    pub user: User,
    pub device: Device,
    #[serde(default)]
    pub bank_id_issue_date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_up: Option<serde_json::Value>,
    pub signature: String,
    #[serde(default)]
    pub ocsp_response: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<String>,
}

/// `collect`'s answer. `hintCode` is optional even when pending: BankID may leave it out.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CollectResponse {
    pub order_ref: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_data: Option<CompletionData>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub error_code: String,
    #[serde(default)]
    pub details: String,
}

//! The signature document of a completed order (`spec/eid-signing.md` §1.11): what the
//! simulator writes, and what the gateway reads back out of it to check that the citizen signed
//! exactly our text and manifest.

use base64::Engine;
use quick_xml::events::Event;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// What the gateway checks in a signature.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignedData {
    /// `Identification` or `Signing`.
    pub func_id: String,
    /// The base64 the RP sent, verbatim.
    pub user_visible_data: String,
    pub user_non_visible_data: String,
}

/// Reads `completionData.signature` (base64 XML). quick-xml never resolves DTDs or external
/// entities, which is what BankID's own sample insists on.
pub fn read(signature_b64: &str) -> Result<SignedData, String> {
    let xml = B64
        .decode(signature_b64.trim())
        .map_err(|e| format!("signaturen är inte base64: {e}"))?;
    let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
    let mut out = SignedData::default();
    let mut inside: Option<&'static str> = None;
    let mut buf = Vec::new();
    let mut found_signed_data = false;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                inside = match e.local_name().as_ref() {
                    "usrVisibleData" => Some("visible"),
                    "usrNonVisibleData" => Some("nonVisible"),
                    "funcId" => Some("funcId"),
                    "bankIdSignedData" => {
                        found_signed_data = true;
                        None
                    }
                    _ => None,
                };
            }
            Ok(Event::Text(t)) => {
                let text = t.xml10_content().trim().to_string();
                match inside {
                    Some("visible") => out.user_visible_data = text,
                    Some("nonVisible") => out.user_non_visible_data = text,
                    Some("funcId") => out.func_id = text,
                    _ => {}
                }
            }
            Ok(Event::End(_)) => inside = None,
            Ok(Event::DocType(_)) => return Err("signaturen har en DTD".into()),
            Ok(Event::Eof) => break,
            Err(e) => return Err(format!("signaturens XML: {e}")),
            _ => {}
        }
        buf.clear();
    }
    if !found_signed_data {
        return Err("signaturen saknar bankIdSignedData".into());
    }
    Ok(out)
}

/// What the simulator puts in a signature.
pub struct Signing<'a> {
    pub func_id: &'a str,
    pub user_visible_data: Option<&'a str>,
    pub user_visible_data_format: Option<&'a str>,
    pub user_non_visible_data: Option<&'a str>,
    pub rp_name: &'a str,
    pub uhi: &'a str,
    pub certificate_der: &'a [u8],
    /// Random bytes that make each signature unique, as BankID's `nonce`.
    pub nonce: &'a [u8],
}

/// The structure of §1.11. Not a verifiable XML-DSig: `SignatureValue` and the digests are
/// marked as the simulator's, so nothing can mistake the document for BankID's.
pub fn write(s: &Signing) -> String {
    // Every value written is base64, a fixed word, or escaped.
    let esc = |v: &str| quick_xml::escape::escape(v).into_owned();
    let b = |v: &str| B64.encode(v.as_bytes());
    let visible = s.user_visible_data.map_or(String::new(), |v| {
        let format = s
            .user_visible_data_format
            .map_or(String::new(), |f| format!(" format=\"{}\"", esc(f)));
        format!(
            "<usrVisibleData charset=\"UTF-8\" visible=\"wysiwys\"{format}>{}</usrVisibleData>",
            esc(v)
        )
    });
    let non_visible = s.user_non_visible_data.map_or(String::new(), |v| {
        format!("<usrNonVisibleData>{}</usrNonVisibleData>", esc(v))
    });
    let cert = B64.encode(s.certificate_der);
    let xml = format!(
        concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>",
            "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">",
            "<SignedInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\">",
            "<CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"/>",
            "<SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>",
            "<Reference Type=\"http://www.bankid.com/signature/v1.0.0/types\" URI=\"#bidSignedData\">",
            "<Transforms><Transform Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"/></Transforms>",
            "<DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>",
            "<DigestValue>{simulated}</DigestValue></Reference>",
            "<Reference URI=\"#bidKeyInfo\">",
            "<DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>",
            "<DigestValue>{simulated}</DigestValue></Reference>",
            "</SignedInfo>",
            "<SignatureValue>{simulated}</SignatureValue>",
            "<KeyInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\" Id=\"bidKeyInfo\"><X509Data>",
            "<X509Certificate>{cert}</X509Certificate></X509Data></KeyInfo>",
            "<Object><bankIdSignedData xmlns=\"http://www.bankid.com/signature/v1.0.0/types\" Id=\"bidSignedData\">",
            "{visible}{non_visible}",
            "<srvInfo><name>{rp}</name><nonce>{nonce}</nonce><displayName>{display}</displayName></srvInfo>",
            "<clientInfo><funcId>{func}</funcId><version>{version}</version>",
            "<env><ai><type>U0lNVUxBVE9S</type><deviceInfo>{device}</deviceInfo><uhi>{uhi}</uhi>",
            "<fsib>0</fsib><utb>cs1</utb><requirement><condition><type>AllowFingerprint</type><value>no</value></condition></requirement>",
            "<uauth>pw</uauth></ai></env></clientInfo>",
            "</bankIdSignedData></Object></Signature>"
        ),
        simulated = b("SIMULERAD - inte en BankID-signatur"),
        cert = cert,
        visible = visible,
        non_visible = non_visible,
        rp = b(s.rp_name),
        nonce = B64.encode(s.nonce),
        display = b(s.rp_name),
        func = esc(s.func_id),
        version = b("etjanst-bankid-sim"),
        device = b("etjanst BankID-simulator"),
        uhi = esc(s.uhi),
    );
    B64.encode(xml)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back() {
        let sig = write(&Signing {
            func_id: "Signing",
            user_visible_data: Some("SGVq"),
            user_visible_data_format: Some("simpleMarkdownV1"),
            user_non_visible_data: Some("e30="),
            rp_name: "Lindesbergs kommun <test>",
            uhi: "abc",
            certificate_der: b"x",
            nonce: b"0123456789abcdef",
        });
        let read = read(&sig).unwrap();
        assert_eq!(read.func_id, "Signing");
        assert_eq!(read.user_visible_data, "SGVq");
        assert_eq!(read.user_non_visible_data, "e30=");
        let dtd = B64.encode("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>");
        assert!(read_err(&dtd).contains("DTD"));
    }

    fn read_err(s: &str) -> String {
        read(s).unwrap_err()
    }
}

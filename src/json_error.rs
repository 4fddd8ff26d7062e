//! serde_json's messages are English and repeat the position; a citizen gets one Swedish (or
//! English) sentence with the place given once, by the caller, as `file:line:column`.

/// The message of a JSON error without its position, in `sv` (Swedish) or English.
pub fn message(e: &serde_json::Error, sv: bool) -> String {
    let raw = e.to_string();
    // "… at line 2 column 0" is said by the caller, once.
    let text = raw
        .rsplit_once(" at line ")
        .map_or(raw.as_str(), |(m, _)| m)
        .to_string();
    if !sv {
        return text;
    }
    let quoted = |t: &str| {
        t.split('`')
            .nth(1)
            .map(|n| n.to_string())
            .unwrap_or_default()
    };
    if text.starts_with("missing field") {
        format!("fältet \"{}\" saknas", quoted(&text))
    } else if text.starts_with("unknown field") {
        format!("okänt fält \"{}\"", quoted(&text))
    } else if text.starts_with("unknown variant") {
        format!("okänt värde \"{}\"", quoted(&text))
    } else if text.starts_with("EOF while parsing") {
        "filen tar slut mitt i JSON-texten (saknas en avslutande } eller ]?)".into()
    } else if text.starts_with("expected value") {
        "här väntades ett värde (en sträng, ett tal, ett objekt eller en lista)".into()
    } else if text.starts_with("trailing comma") {
        "ett kommatecken för mycket före slutet av listan eller objektet".into()
    } else if text.starts_with("trailing characters") {
        "text efter JSON-värdets slut".into()
    } else if text.starts_with("key must be a string") {
        "namnen i ett JSON-objekt måste stå inom citattecken".into()
    } else if let Some(rest) = text.strip_prefix("invalid type: ") {
        let (got, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        format!("fel sorts värde: {got}, här väntades {expected}")
    } else if text.starts_with("lone leading surrogate") || text.contains("surrogate") {
        "texten innehåller ett trasigt tecken (en ensam surrogat i \\u-kod)".into()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn messages_are_swedish_and_say_the_place_once() {
        let e = serde_json::from_str::<serde_json::Value>("{\n").unwrap_err();
        let m = super::message(&e, true);
        assert!(m.contains("tar slut") && !m.contains("line"), "{m}");
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct F {
            id: u32,
        }
        let e = serde_json::from_str::<F>("{}").unwrap_err();
        assert_eq!(super::message(&e, true), "fältet \"id\" saknas");
        assert!(super::message(&e, false).starts_with("missing field"));
    }
}

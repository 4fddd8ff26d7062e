//! Swedish identity numbers and the other formats Open ePlatform's validators check.
//!
//! Personnummer rules follow Skatteverket (via `spec/eid-signing.md` §5) and agree with the
//! personnummer projects' shared test vectors (`tests/fixtures/personnummer/`).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// Which kind of personal identity number was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PnrKind {
    Personnummer,
    /// Day + 60: people not (yet) registered in Sweden.
    Samordningsnummer,
    /// A letter as the first digit of the birth number (interimsnummer, used in healthcare).
    Interim,
}

/// A checked personal identity number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Personnummer {
    pub year: i32,
    pub month: u32,
    /// The real day of month (samordningsnummer have 60 subtracted); 0 when unknown.
    pub day: u32,
    /// The three-character birth number (may start with a letter for interim numbers).
    pub serial: String,
    pub check: u32,
    pub kind: PnrKind,
}

impl Personnummer {
    /// `ÅÅÅÅMMDDNNNC`, the form BankID and Skatteverket use.
    pub fn long(&self) -> String {
        let day = match self.kind {
            PnrKind::Samordningsnummer => self.day + 60,
            _ => self.day,
        };
        format!(
            "{:04}{:02}{:02}{}{}",
            self.year, self.month, day, self.serial, self.check
        )
    }

    pub fn is_female(&self) -> bool {
        self.serial
            .chars()
            .nth(2)
            .and_then(|c| c.to_digit(10))
            .is_some_and(|d| d % 2 == 0)
    }
}

/// Why an identity number or other formatted value was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormatProblem {
    /// Wrong shape: digits, length or separator.
    Shape,
    /// Not a real calendar date.
    Date,
    /// The check digit does not match.
    Checksum,
    /// The date is after today.
    Future,
    /// Samordningsnummer not accepted here.
    Coordination,
    /// Interim number not accepted here.
    Interim,
    /// Digits 3–4 below 20: a personnummer, not an organisationsnummer.
    NotOrganisation,
    /// A 12-digit personnummer whose century is not 19 or 20.
    Century,
}

/// What kinds of personal numbers a field accepts, and the day they are checked against.
#[derive(Debug, Clone, Copy)]
pub struct PnrRules {
    pub allow_coordination: bool,
    pub allow_interim: bool,
    /// Reference date for the century of 10-digit forms and the not-in-future rule.
    pub today: NaiveDate,
}

impl PnrRules {
    pub fn new(today: NaiveDate) -> Self {
        PnrRules {
            allow_coordination: true,
            allow_interim: false,
            today,
        }
    }
}

const INTERIM_LETTERS: &str = "TRSUWXJKLMN";

/// Luhn check digit over a string of digits.
fn luhn(digits: &[u32]) -> u32 {
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let p = if i % 2 == 0 { d * 2 } else { d };
            p / 10 + p % 10
        })
        .sum();
    (10 - sum % 10) % 10
}

fn digits(s: &str) -> Option<Vec<u32>> {
    s.chars().map(|c| c.to_digit(10)).collect()
}

/// Parses and checks a personnummer or samordningsnummer in any of the forms Swedish
/// services accept: `ÅÅMMDD-NNNC`, `ÅÅMMDD+NNNC` (100 or older), `ÅÅMMDDNNNC`,
/// `ÅÅÅÅMMDDNNNC`, `ÅÅÅÅMMDD-NNNC`.
pub fn parse_personnummer(input: &str, rules: PnrRules) -> Result<Personnummer, FormatProblem> {
    let s = input.trim();
    let (date_part, sep, rest) = match s.find(['-', '+']) {
        Some(i) => (&s[..i], Some(&s[i..i + 1]), &s[i + 1..]),
        None if s.len() >= 4 && s.is_char_boundary(s.len() - 4) => {
            (&s[..s.len() - 4], None, &s[s.len() - 4..])
        }
        None => return Err(FormatProblem::Shape),
    };
    if rest.chars().count() != 4 || !(date_part.len() == 6 || date_part.len() == 8) {
        return Err(FormatProblem::Shape);
    }
    let date_digits = digits(date_part).ok_or(FormatProblem::Shape)?;
    let mut rest_chars = rest.chars();
    let first = rest_chars.next().ok_or(FormatProblem::Shape)?;
    let tail: String = rest_chars.collect();
    let tail_digits = digits(&tail).ok_or(FormatProblem::Shape)?;
    let (first_digit, interim) = match first.to_digit(10) {
        Some(d) => (d, false),
        None if INTERIM_LETTERS.contains(first) => (1, true),
        None => return Err(FormatProblem::Shape),
    };
    let n = |d: &[u32]| d.iter().fold(0u32, |acc, x| acc * 10 + x);
    let (yy, century) = if date_digits.len() == 8 {
        (n(&date_digits[2..4]), Some(n(&date_digits[..2])))
    } else {
        (n(&date_digits[..2]), None)
    };
    let month = n(&date_digits[date_digits.len() - 4..date_digits.len() - 2]);
    let raw_day = n(&date_digits[date_digits.len() - 2..]);
    let year = match century {
        Some(c) => (c * 100 + yy) as i32,
        None => {
            let base = rules.today.year() - if sep == Some("+") { 100 } else { 0 };
            base - (base - yy as i32).rem_euclid(100)
        }
    };
    let serial_digits = [first_digit, tail_digits[0], tail_digits[1]];
    let check = tail_digits[2];
    let mut luhn_input: Vec<u32> = date_digits[date_digits.len() - 6..].to_vec();
    luhn_input.extend_from_slice(&serial_digits);
    if luhn(&luhn_input) != check {
        return Err(FormatProblem::Checksum);
    }
    if !interim && serial_digits == [0, 0, 0] {
        return Err(FormatProblem::Shape);
    }
    // Skatteverket adds 60 to the day of samordningsnummer; day 60 means "day unknown".
    let coordination = raw_day >= 60;
    let day = if coordination { raw_day - 60 } else { raw_day };
    if coordination && !rules.allow_coordination {
        return Err(FormatProblem::Coordination);
    }
    if interim && !rules.allow_interim {
        return Err(FormatProblem::Interim);
    }
    let unknown_date = coordination && (month == 0 || day == 0);
    let date = if coordination {
        // Samordningsnummer may have an unknown month or day, and days 89–91 occur in short
        // months; only the not-in-future rule can be checked, against the month's start.
        if month > 12 || day > 31 {
            return Err(FormatProblem::Date);
        }
        NaiveDate::from_ymd_opt(year, month.max(1), 1).ok_or(FormatProblem::Date)?
    } else {
        NaiveDate::from_ymd_opt(year, month, day).ok_or(FormatProblem::Date)?
    };
    if date > rules.today {
        return Err(FormatProblem::Future);
    }
    let serial = format!("{first}{tail}")[..3].to_string();
    Ok(Personnummer {
        year,
        month,
        day: if unknown_date { 0 } else { day },
        serial,
        check,
        kind: if interim {
            PnrKind::Interim
        } else if coordination {
            PnrKind::Samordningsnummer
        } else {
            PnrKind::Personnummer
        },
    })
}

/// `value` with the separator Open ePlatform's `SocialSecurityPopulator` requires, where a
/// citizen typed only the digits: `ÅÅMMDDNNNN` → `ÅÅMMDD-NNNN`, `ÅÅÅÅMMDDNNNN` →
/// `ÅÅÅÅMMDD-NNNN`. Anything else is returned trimmed.
pub fn with_separator(value: &str) -> String {
    let v = value.trim();
    if v.bytes().all(|b| b.is_ascii_digit()) && (v.len() == 10 || v.len() == 12) {
        let at = v.len() - 4;
        format!("{}-{}", &v[..at], &v[at..])
    } else {
        v.to_string()
    }
}

/// The personnummer as 12 digits without separator, as OeP stores a contact's
/// (`SwedishSocialSecurity12DigitsWithoutMinusPopulator`); `None` if `value` is not valid today.
pub fn twelve_digits(value: &str) -> Option<String> {
    let today = chrono::Local::now().date_naive();
    parse_personnummer(value, PnrRules::new(today))
        .ok()
        .map(|p| p.long())
}

/// Open ePlatform's `SocialSecurityPopulator` (StandardUtils' `SwedishSocialSecurityPopulator`
/// with 10 and 12 digits, no samordningsnummer): `ÅÅMMDD-NNNN`, `ÅÅMMDD+NNNN` or
/// `(19|20)ÅÅMMDD-NNNN`, Luhn over the ten digits. etjanst inserts a missing separator (the
/// value written is then one OeP accepts) and checks the date against the calendar, where OeP
/// checks only month 1–12 and day 1–31.
fn check_oep_personnummer(value: &str, today: NaiveDate) -> Result<(), FormatProblem> {
    let v = with_separator(value);
    let b = v.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let shape_ok = match b.len() {
        11 => digits(0..6) && (b[6] == b'-' || b[6] == b'+') && digits(7..11),
        13 => digits(0..8) && b[8] == b'-' && digits(9..13),
        _ => false,
    };
    if !shape_ok {
        return Err(FormatProblem::Shape);
    }
    if b.len() == 13 && !(v.starts_with("19") || v.starts_with("20")) {
        return Err(FormatProblem::Century);
    }
    let rules = PnrRules {
        allow_coordination: false,
        allow_interim: false,
        today,
    };
    parse_personnummer(&v, rules).map(drop)
}

/// Checks an organisationsnummer: `NNNNNN-NNNN` (or with the `16` prefix), Luhn, and digits
/// 3–4 of at least 20 so that it cannot be a personnummer.
pub fn check_organisationsnummer(input: &str) -> Result<String, FormatProblem> {
    let s: String = input.trim().chars().filter(|c| *c != '-').collect();
    let s = if s.len() == 12 {
        s.strip_prefix("16")
            .ok_or(FormatProblem::Shape)?
            .to_string()
    } else {
        s
    };
    let d = digits(&s).ok_or(FormatProblem::Shape)?;
    if d.len() != 10 || input.trim().matches('-').count() > 1 {
        return Err(FormatProblem::Shape);
    }
    if d[2] * 10 + d[3] < 20 {
        return Err(FormatProblem::NotOrganisation);
    }
    if luhn(&d[..9]) != d[9] {
        return Err(FormatProblem::Checksum);
    }
    Ok(format!("{}-{}", &s[..6], &s[6..]))
}

/// Swedish phone number: national (`08-123 45 67`, `070-123 45 67`) or `+46`/`0046`.
pub fn check_phone(input: &str) -> Result<(), FormatProblem> {
    let compact: String = input
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let national = if let Some(r) = compact.strip_prefix("+46") {
        r.strip_prefix('0').unwrap_or(r).to_string()
    } else if let Some(r) = compact.strip_prefix("0046") {
        r.to_string()
    } else if let Some(r) = compact.strip_prefix('0') {
        r.to_string()
    } else {
        return Err(FormatProblem::Shape);
    };
    let ok = national.chars().all(|c| c.is_ascii_digit())
        && (6..=12).contains(&national.len())
        && !national.starts_with('0');
    if ok {
        Ok(())
    } else {
        Err(FormatProblem::Shape)
    }
}

/// Swedish postal code: `NNN NN` or `NNNNN`, never starting with 0.
pub fn check_postal_code(input: &str) -> Result<(), FormatProblem> {
    let s = input.trim();
    let compact: String = s.chars().filter(|c| *c != ' ').collect();
    let ok = compact.len() == 5
        && compact.chars().all(|c| c.is_ascii_digit())
        && !compact.starts_with('0')
        && s.chars().filter(|c| *c == ' ').count() <= 1
        && (s.len() == 5 || s.find(' ') == Some(3));
    if ok {
        Ok(())
    } else {
        Err(FormatProblem::Shape)
    }
}

/// E-mail address as a person types it: RFC 5322 addr-spec with a dotted domain.
pub fn check_email(input: &str) -> Result<(), FormatProblem> {
    let s = input.trim();
    let domain_ok = s
        .rsplit_once('@')
        .is_some_and(|(_, d)| d.contains('.') && !d.ends_with('.'));
    if domain_ok && email_address::EmailAddress::is_valid(s) {
        Ok(())
    } else {
        Err(FormatProblem::Shape)
    }
}

/// How a window lets a citizen type a value of a [`Format`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Input {
    /// The HTML input `type`: `text`, `email` or `tel`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inputmode: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autocomplete: Option<&'static str>,
}

/// A value format, mapped from Open ePlatform's validator class names (spec §2.8) or from
/// etjanst's short names. Unknown names are kept as opaque strings and not enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// 10 or 12 digits with or without separator.
    Personnummer,
    /// 12 digits without separator (ContactDetailQuery).
    Personnummer12,
    /// Open ePlatform's `SocialSecurityPopulator`: what it accepts and no more.
    OepPersonnummer,
    Organisationsnummer,
    PersonOrOrganisationsnummer,
    Phone,
    PostalCode,
    Email,
    PositiveInteger,
    NonNegativeInteger,
    /// Positive integer with spaces as thousands separators ("10 000").
    SpacedPositiveInteger,
    /// ISO date `ÅÅÅÅ-MM-DD` (etjanst extension).
    Date,
}

impl Format {
    /// Maps a validator class name (by its simple name) or a short name.
    pub fn from_validator(name: &str) -> Option<Format> {
        let simple = name.rsplit('.').next().unwrap_or(name);
        Some(match simple {
            "SocialSecurityPopulator" | "SwedishSocialSecurityPopulator" => Format::OepPersonnummer,
            "personnummer" => Format::Personnummer,
            "SwedishSocialSecurity12DigitsWithoutMinusPopulator" => Format::Personnummer12,
            "SwedishOrganizationNumberPopulator" | "organisationsnummer" => {
                Format::Organisationsnummer
            }
            "SwedishSocialSecurityOrOrganizationNumberPopulator" => {
                Format::PersonOrOrganisationsnummer
            }
            "StringSwedishPhoneNumberPopulator" | "SwedishPhoneNumberPopulator" | "telefon" => {
                Format::Phone
            }
            "SwedishPostalCodePopulator" | "postnummer" => Format::PostalCode,
            "StringEmailValidator" | "EmailPopulator" | "epost" => Format::Email,
            "PositiveStringIntegerValidator" | "PositiveStringLongValidator" | "heltal" => {
                Format::PositiveInteger
            }
            "NonNegativeStringIntegerValidator" | "NonNegativeStringLongValidator" => {
                Format::NonNegativeInteger
            }
            "SpacedPositiveStringIntegerValidator" | "SpacedPositiveStringLongValidator" => {
                Format::SpacedPositiveInteger
            }
            "datum" | "date" => Format::Date,
            _ => return None,
        })
    }

    /// Checks `value` (already known to be non-empty).
    pub fn check(self, value: &str, today: NaiveDate) -> Result<(), FormatProblem> {
        let rules = PnrRules::new(today);
        let v = value.trim();
        match self {
            Format::Personnummer => parse_personnummer(v, rules).map(drop),
            Format::OepPersonnummer => check_oep_personnummer(v, today),
            Format::Personnummer12 => {
                if v.len() != 12 || !v.chars().all(|c| c.is_ascii_digit()) {
                    return Err(FormatProblem::Shape);
                }
                parse_personnummer(v, rules).map(drop)
            }
            Format::Organisationsnummer => check_organisationsnummer(v).map(drop),
            Format::PersonOrOrganisationsnummer => match check_organisationsnummer(v) {
                Ok(_) => Ok(()),
                Err(FormatProblem::NotOrganisation) => parse_personnummer(v, rules).map(drop),
                Err(e) => Err(e),
            },
            Format::Phone => check_phone(v),
            Format::PostalCode => check_postal_code(v),
            Format::Email => check_email(v),
            Format::PositiveInteger => match v.parse::<u64>() {
                Ok(n) if n > 0 && v.chars().all(|c| c.is_ascii_digit()) => Ok(()),
                _ => Err(FormatProblem::Shape),
            },
            Format::NonNegativeInteger => match v.parse::<u64>() {
                Ok(_) if v.chars().all(|c| c.is_ascii_digit()) => Ok(()),
                _ => Err(FormatProblem::Shape),
            },
            Format::SpacedPositiveInteger => {
                let compact: String = v.chars().filter(|c| *c != ' ').collect();
                Format::PositiveInteger.check(&compact, today)
            }
            Format::Date => NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map(drop)
                .map_err(|_| {
                    if v.len() == 10 && v.as_bytes()[4] == b'-' && v.as_bytes()[7] == b'-' {
                        FormatProblem::Date
                    } else {
                        FormatProblem::Shape
                    }
                }),
        }
    }

    /// How a field of this format is typed in a window: the input's `type`, its `inputmode`
    /// (the keyboard a touch screen shows) and its `autocomplete` token. Formats whose values
    /// carry a hyphen or a plus (personnummer, dates) keep the full keyboard.
    pub fn input(self) -> Input {
        let (kind, inputmode, autocomplete) = match self {
            Format::Email => ("email", Some("email"), Some("email")),
            Format::Phone => ("tel", Some("tel"), Some("tel")),
            Format::PostalCode => ("text", Some("numeric"), Some("postal-code")),
            Format::PositiveInteger
            | Format::NonNegativeInteger
            | Format::SpacedPositiveInteger => ("text", Some("numeric"), None),
            Format::Personnummer
            | Format::Personnummer12
            | Format::OepPersonnummer
            | Format::Organisationsnummer
            | Format::PersonOrOrganisationsnummer
            | Format::Date => ("text", None, None),
        };
        Input {
            kind,
            inputmode,
            autocomplete,
        }
    }

    /// What a valid value looks like, for messages ("ett personnummer (ÅÅÅÅMMDD-NNNN)").
    pub fn example(self, lang: crate::i18n::Lang) -> String {
        use crate::t;
        match self {
            Format::Personnummer => t!(lang, "example-personnummer"),
            Format::OepPersonnummer => t!(lang, "example-oep-personnummer"),
            Format::Personnummer12 => t!(lang, "example-personnummer12"),
            Format::Organisationsnummer => t!(lang, "example-organisationsnummer"),
            Format::PersonOrOrganisationsnummer => t!(lang, "example-person-or-organisation"),
            Format::Phone => t!(lang, "example-phone"),
            Format::PostalCode => t!(lang, "example-postal-code"),
            Format::Email => t!(lang, "example-email"),
            Format::PositiveInteger | Format::SpacedPositiveInteger => {
                t!(lang, "example-positive-integer")
            }
            Format::NonNegativeInteger => t!(lang, "example-non-negative-integer"),
            Format::Date => t!(lang, "example-date"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    #[test]
    fn oep_social_security_populator_accepts_what_oep_accepts() {
        let check = |v: &str| Format::OepPersonnummer.check(v, today());
        // The valid rows of StandardUtils' own test table (10 and 12 digits, no samordning).
        for ok in ["930924-8616", "19930924-8616", "930924+8616"] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
        // Digits only: etjanst inserts the separator OeP needs.
        assert_eq!(check("9309248616"), Ok(()));
        assert_eq!(check("199309248616"), Ok(()));
        assert_eq!(with_separator(" 199309248616 "), "19930924-8616");
        assert_eq!(with_separator("9309248616"), "930924-8616");
        assert_eq!(with_separator("930924-8616"), "930924-8616");
        // Refused by OeP, so refused here.
        assert_eq!(check("18121212-1212"), Err(FormatProblem::Century));
        assert_eq!(check("19930984-8613"), Err(FormatProblem::Coordination));
        assert_eq!(check("930984-8613"), Err(FormatProblem::Coordination));
        assert_eq!(check("19930924+8616"), Err(FormatProblem::Shape));
        for bad in [
            "930924--8616",
            "930924+-8616",
            "sfdgsdfg",
            "000000-0000",
            "19930924-8617",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
        // The etjanst short name stays lenient about samordningsnummer.
        assert_eq!(Format::Personnummer.check("19930984-8613", today()), Ok(()));
    }

    #[test]
    fn luhn_matches_skatteverket_example() {
        // 811218-9876 is Skatteverket's documented example.
        assert!(parse_personnummer("811218-9876", PnrRules::new(today())).is_ok());
        assert_eq!(
            parse_personnummer("811218-9875", PnrRules::new(today())),
            Err(FormatProblem::Checksum)
        );
    }

    #[test]
    fn plus_means_a_century_earlier() {
        let p = parse_personnummer("090527+1474", PnrRules::new(today())).unwrap();
        assert_eq!(p.year, 1909);
        let p = parse_personnummer("0905271474", PnrRules::new(today())).unwrap();
        assert_eq!(p.year, 2009);
    }

    #[test]
    fn future_dates_are_refused() {
        let rules = PnrRules::new(NaiveDate::from_ymd_opt(2010, 1, 1).unwrap());
        assert_eq!(
            parse_personnummer("20150916-0014", rules),
            Err(FormatProblem::Future)
        );
    }

    #[test]
    fn orgnr_of_a_municipality() {
        assert_eq!(
            check_organisationsnummer("212000-0142").unwrap(),
            "212000-0142"
        );
        assert_eq!(
            check_organisationsnummer("811218-9876"),
            Err(FormatProblem::NotOrganisation)
        );
    }

    #[test]
    fn phones_and_postal_codes() {
        assert!(check_phone("0581-810 00").is_ok());
        assert!(check_phone("+46 70 123 45 67").is_ok());
        assert!(check_phone("12345").is_err());
        assert!(check_postal_code("711 80").is_ok());
        assert!(check_postal_code("71180").is_ok());
        assert!(check_postal_code("011 80").is_err());
        assert!(check_postal_code("7118").is_err());
    }

    #[test]
    fn validator_class_names_map() {
        assert_eq!(
            Format::from_validator("se.unlogic.standardutils.populators.SocialSecurityPopulator"),
            Some(Format::OepPersonnummer)
        );
        assert_eq!(
            Format::from_validator("se.unlogic.emailutils.validation.StringEmailValidator"),
            Some(Format::Email)
        );
        assert_eq!(
            Format::from_validator("se.example.CustomRegexValidator"),
            None
        );
    }
}

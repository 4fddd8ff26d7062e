//! A case's statuses, as Open ePlatform's standard status mapping names them: what a new case
//! gets, and what the case API lists and sets.

/// Id, name, content type.
pub(crate) const STATUSES: &[(i64, &str, &str)] = &[
    (1, "Inskickat", "SUBMITTED"),
    (2, "Under behandling", "IN_PROGRESS"),
    (3, "Väntar på komplettering", "WAITING_FOR_COMPLETION"),
    (4, "Klart", "ARCHIVED"),
];

/// The Open ePlatform status a new case gets: "Inskickat" (`contentType` SUBMITTED).
pub(crate) const SUBMITTED: i64 = 1;

pub(crate) fn status_name(id: i64) -> &'static str {
    STATUSES.iter().find(|s| s.0 == id).map_or("Okänd", |s| s.1)
}

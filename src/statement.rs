//! The app's accessibility statement ("tillgänglighetsredogörelse"), as the law on accessible
//! digital public services (2018:1937) asks of a public body's app, in the structure Digg
//! prescribes (after the EU model statement, Implementing Decision (EU) 2018/1523).
//!
//! It claims no more than is measured: the conformance line and the list of what is not
//! accessible come from what CI checks (`accessibility/measured.toml`: axe-core on every screen,
//! the keyboard-only test, the PDF audit) and from a reviewed list of known gaps
//! (`accessibility/known-gaps.toml`). The public body is the site's municipality, from the
//! catalogue; what the catalogue does not say is left as a marked blank for the municipality
//! to fill in before publishing.

use serde::{Deserialize, Serialize};

use crate::fill::Lang;

/// Digg's reporting function for the supervision of the law.
pub const DIGG_REPORT: &str = "https://www.digg.se/tdosanmalan";

/// What CI measures (`accessibility/measured.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Measured {
    /// When the app was last assessed, and when the statement was last updated.
    pub assessed: toml::value::Datetime,
    pub updated: toml::value::Datetime,
    /// The keyboard-only end-to-end test.
    pub keyboard: String,
    /// The audit of the PDFs the app makes.
    pub pdf_audit: String,
    /// The screens axe-core checks in the end-to-end tests.
    pub axe: Vec<String>,
    /// Checks that fail, until mended.
    #[serde(default)]
    pub failures: Vec<Failure>,
}

/// An axe check that fails: the screen, the rule, the WCAG success criterion.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Failure {
    pub screen: String,
    pub rule: String,
    pub criterion: String,
}

/// A known gap, reviewed by a person (`accessibility/known-gaps.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Gap {
    pub criterion: String,
    pub sv: String,
    pub en: String,
    /// `third-party` (not etjanst's to mend) or `not-yet`.
    pub reason: String,
}

#[derive(Deserialize)]
struct Gaps {
    #[serde(default)]
    gap: Vec<Gap>,
}

/// The measurements and the gaps this build was made with.
pub fn embedded() -> (Measured, Vec<Gap>) {
    let measured = toml::from_str(include_str!("../accessibility/measured.toml"))
        .expect("accessibility/measured.toml is checked by tests/statement.rs");
    let gaps: Gaps = toml::from_str(include_str!("../accessibility/known-gaps.toml"))
        .expect("accessibility/known-gaps.toml is checked by tests/statement.rs");
    (measured, gaps.gap)
}

/// The public body behind the app for a site, as the catalogue knows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Body {
    /// "Lindesbergs kommun".
    pub name: String,
    pub url: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// WCAG 2.1 AA as the law's standard (EN 301 549 V3.2.1) asks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Conformance {
    Full,
    Partial,
    Not,
}

/// Fully compliant only when every check passes and no gap is known; not compliant when the
/// app cannot be used with the keyboard alone or nothing is checked; otherwise partially.
pub fn conformance(m: &Measured, gaps: &[Gap]) -> Conformance {
    if m.keyboard.trim().is_empty() || m.axe.is_empty() {
        Conformance::Not
    } else if m.failures.is_empty() && gaps.is_empty() && !m.pdf_audit.trim().is_empty() {
        Conformance::Full
    } else {
        Conformance::Partial
    }
}

/// One part of the statement: a heading and its paragraphs and list items (plain text; a link
/// where the text names an address).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<Link>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub text: String,
    pub href: String,
}

/// The statement: its title and parts, in the order Digg prescribes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    pub title: String,
    pub conformance: Conformance,
    pub sections: Vec<Section>,
}

/// A blank the municipality fills in before it publishes the statement.
fn blank(what: &str, lang: Lang) -> String {
    match lang {
        Lang::Sv => format!("[Kommunen fyller i: {what}]"),
        Lang::En => format!("[To be filled in by the municipality: {what}]"),
    }
}

fn date(d: &toml::value::Datetime) -> String {
    d.to_string()
}

/// The statement for `body`'s app, from what was measured and what is known.
pub fn statement(m: &Measured, gaps: &[Gap], body: &Body, lang: Lang) -> Statement {
    let sv = lang == Lang::Sv;
    let c = conformance(m, gaps);
    let name = if body.name.trim().is_empty() {
        blank(
            if sv {
                "myndighetens namn"
            } else {
                "the public body's name"
            },
            lang,
        )
    } else {
        body.name.clone()
    };
    let contact = {
        let mut ways = Vec::new();
        match &body.email {
            Some(e) => ways.push(if sv {
                format!("e-post: {e}")
            } else {
                format!("email: {e}")
            }),
            None => ways.push(blank(
                if sv {
                    "e-postadress för synpunkter på tillgängligheten"
                } else {
                    "email address for accessibility feedback"
                },
                lang,
            )),
        }
        if let Some(p) = &body.phone {
            ways.push(if sv {
                format!("telefon: {p}")
            } else {
                format!("phone: {p}")
            });
        }
        ways
    };
    let status = match (c, sv) {
        (Conformance::Full, true) => "helt förenlig",
        (Conformance::Partial, true) => "delvis förenlig",
        (Conformance::Not, true) => "inte förenlig",
        (Conformance::Full, false) => "fully compliant",
        (Conformance::Partial, false) => "partially compliant",
        (Conformance::Not, false) => "not compliant",
    };
    let mut not_accessible: Vec<String> = m
        .failures
        .iter()
        .map(|f| {
            if sv {
                format!(
                    "Skärmen \u{201d}{}\u{201d} bryter mot axe-regeln {} (WCAG 2.1 framgångskriterium {}).",
                    f.screen, f.rule, f.criterion
                )
            } else {
                format!(
                    "The \u{201c}{}\u{201d} screen breaks the axe rule {} (WCAG 2.1 success criterion {}).",
                    f.screen, f.rule, f.criterion
                )
            }
        })
        .collect();
    not_accessible.extend(gaps.iter().map(|g| {
        let text = if sv { &g.sv } else { &g.en };
        if sv {
            format!("{text} (WCAG 2.1 framgångskriterium {})", g.criterion)
        } else {
            format!("{text} (WCAG 2.1 success criterion {})", g.criterion)
        }
    }));
    let screens = m.axe.len();
    let mut sections = Vec::new();
    if sv {
        sections.push(Section {
            heading: "Tillgänglighet för etjanst".into(),
            paragraphs: vec![
                format!("{name} står bakom appen etjanst, som du använder för kommunens e-tjänster. Vi vill att så många som möjligt ska kunna använda den. Den här redogörelsen beskriver hur etjanst uppfyller lagen (2018:1937) om tillgänglighet till digital offentlig service, kända tillgänglighetsproblem och hur du kan rapportera brister till oss så att vi kan åtgärda dem."),
            ],
            items: Vec::new(),
            link: None,
        });
        sections.push(Section {
            heading: "Hur tillgänglig är appen?".into(),
            paragraphs: vec![format!(
                "etjanst är {status} med lagen om tillgänglighet till digital offentlig service, det vill säga med WCAG 2.1 nivå AA enligt standarden EN 301 549 V3.2.1 (kapitel 9, 10 och 11)."
            )],
            items: Vec::new(),
            link: None,
        });
        sections.push(Section {
            heading: "Vad kan du göra om du inte kan använda delar av appen?".into(),
            paragraphs: vec![format!("Om du behöver innehåll från etjanst i ett annat format, eller får problem med en e-tjänst, kontakta {name}:")],
            items: contact.clone(),
            link: None,
        });
        sections.push(Section {
            heading: "Rapportera brister i appens tillgänglighet".into(),
            paragraphs: vec![format!("Vi strävar hela tiden efter att förbättra appens tillgänglighet. Om du upptäcker problem som inte beskrivs här, eller om du anser att vi inte uppfyller lagens krav, meddela oss så att vi får veta att problemet finns. Kontakta {name}:")],
            items: contact,
            link: None,
        });
        sections.push(Section {
            heading: "Tillsyn".into(),
            paragraphs: vec!["Myndigheten för digital förvaltning (Digg) har ansvaret för tillsyn för lagen om tillgänglighet till digital offentlig service. Om du inte är nöjd med hur vi hanterar dina synpunkter kan du kontakta Digg och påtala det.".into()],
            items: Vec::new(),
            link: Some(Link { text: "Anmäl till Digg".into(), href: DIGG_REPORT.into() }),
        });
        sections.push(Section {
            heading: "Teknisk information om appens tillgänglighet".into(),
            paragraphs: vec![format!("etjanst är {status} med WCAG 2.1 nivå AA.")],
            items: Vec::new(),
            link: None,
        });
        sections.push(Section {
            heading: "Innehåll som inte är tillgängligt".into(),
            paragraphs: vec![if not_accessible.is_empty() {
                "Vi känner inte till något innehåll som inte är tillgängligt.".into()
            } else {
                "Det innehåll som beskrivs nedan är på ett eller annat sätt inte helt tillgängligt."
                    .into()
            }],
            items: not_accessible,
            link: None,
        });
        sections.push(Section {
            heading: "Hur vi testat appen".into(),
            paragraphs: vec![
                format!("Appen testas vid varje ändring: verktyget axe-core granskar appens skärmar i {screens} lägen mot WCAG 2.1 nivå A och AA i det riktiga programfönstret, ett test använder hela appen med enbart tangentbord, och varje PDF som appen gör granskas (taggad PDF, PDF/UA). Ett test som hittar en brist stoppar ändringen. Det som testerna inte kan se har granskats av en person och står ovan."),
                format!("Senaste bedömningen gjordes {}.", date(&m.assessed)),
                format!("Redogörelsen uppdaterades senast {}.", date(&m.updated)),
            ],
            items: Vec::new(),
            link: None,
        });
    } else {
        sections.push(Section {
            heading: "Accessibility of etjanst".into(),
            paragraphs: vec![format!("{name} is responsible for the app etjanst, with which you use the municipality's e-services. We want as many people as possible to be able to use it. This statement describes how etjanst complies with the Act (2018:1937) on accessibility to digital public services, known accessibility problems and how you can report shortcomings to us so that we can fix them.")],
            items: Vec::new(),
            link: None,
        });
        sections.push(Section {
            heading: "How accessible is the app?".into(),
            paragraphs: vec![format!("etjanst is {status} with the Act on accessibility to digital public services, that is with WCAG 2.1 level AA under the standard EN 301 549 V3.2.1 (clauses 9, 10 and 11).")],
            items: Vec::new(),
            link: None,
        });
        sections.push(Section {
            heading: "What can you do if you cannot use parts of the app?".into(),
            paragraphs: vec![format!("If you need content from etjanst in another format, or have problems with an e-service, contact {name}:")],
            items: contact.clone(),
            link: None,
        });
        sections.push(Section {
            heading: "Reporting accessibility problems".into(),
            paragraphs: vec![format!("We always strive to improve the app's accessibility. If you find problems not described here, or think we do not meet the requirements of the law, tell us so that we know the problem exists. Contact {name}:")],
            items: contact,
            link: None,
        });
        sections.push(Section {
            heading: "Enforcement".into(),
            paragraphs: vec!["The Agency for Digital Government (Digg) supervises the Act on accessibility to digital public services. If you are not satisfied with how we handle your comments, you can contact Digg.".into()],
            items: Vec::new(),
            link: Some(Link { text: "Report to Digg".into(), href: DIGG_REPORT.into() }),
        });
        sections.push(Section {
            heading: "Technical information about the app's accessibility".into(),
            paragraphs: vec![format!("etjanst is {status} with WCAG 2.1 level AA.")],
            items: Vec::new(),
            link: None,
        });
        sections.push(Section {
            heading: "Content that is not accessible".into(),
            paragraphs: vec![if not_accessible.is_empty() {
                "We know of no content that is not accessible.".into()
            } else {
                "The content described below is in one way or another not fully accessible.".into()
            }],
            items: not_accessible,
            link: None,
        });
        sections.push(Section {
            heading: "How we tested the app".into(),
            paragraphs: vec![
                format!("The app is tested at every change: axe-core checks the app's screens in {screens} states against WCAG 2.1 levels A and AA in the real app window, one test uses the whole app with the keyboard alone, and every PDF the app makes is audited (tagged PDF, PDF/UA). A test that finds a problem stops the change. What the tests cannot see has been reviewed by a person and is listed above."),
                format!("The latest assessment was made on {}.", date(&m.assessed)),
                format!("This statement was last updated on {}.", date(&m.updated)),
            ],
            items: Vec::new(),
            link: None,
        });
    }
    Statement {
        title: if sv {
            "Tillgänglighetsredogörelse".into()
        } else {
            "Accessibility statement".into()
        },
        conformance: c,
        sections,
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The statement as a web page of its own, for the municipality's website or download page.
pub fn html(s: &Statement, lang: Lang) -> String {
    let code = if lang == Lang::Sv { "sv" } else { "en" };
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{t}</title>\n<style>body{{font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em;line-height:1.5}}</style>\n</head>\n<body>\n<main>\n<h1>{t}</h1>\n",
        t = escape(&s.title)
    );
    for section in &s.sections {
        out.push_str(&format!("<h2>{}</h2>\n", escape(&section.heading)));
        for p in &section.paragraphs {
            out.push_str(&format!("<p>{}</p>\n", escape(p)));
        }
        if !section.items.is_empty() {
            out.push_str("<ul>\n");
            for i in &section.items {
                out.push_str(&format!("<li>{}</li>\n", escape(i)));
            }
            out.push_str("</ul>\n");
        }
        if let Some(l) = &section.link {
            out.push_str(&format!(
                "<p><a href=\"{}\">{}</a></p>\n",
                escape(&l.href),
                escape(&l.text)
            ));
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// The public body of the catalogue's site.
pub fn body_of(catalogue: &crate::catalogue::Catalogue) -> Body {
    Body {
        name: catalogue.site.name.clone(),
        url: catalogue.site.url.clone(),
        phone: crate::app::site_phone(catalogue),
        email: None,
    }
}

//! The accessibility statement never claims more than is tested: every screen it says axe
//! checks is checked by an end-to-end test, the keyboard-only test and the PDF audit exist, and
//! a failing check or a known gap changes its conformance line. It has every part Digg's model
//! asks for, the link to Digg's reporting function and its dates.

use etjanst::fill::Lang;
use etjanst::statement::{self, Body, Conformance, Failure, Measured};

fn body() -> Body {
    Body {
        name: "Lindesbergs kommun".into(),
        url: "https://e-tjanster.lindesberg.se".into(),
        phone: Some("0581-810 00".into()),
        email: None,
    }
}

fn sources(dir: &str) -> String {
    let mut all = String::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().extension().is_some_and(|x| x == "rs") {
            all.push_str(&std::fs::read_to_string(e.path()).unwrap());
        }
    }
    all
}

#[test]
fn every_check_the_statement_names_is_one_the_tests_make() {
    let (m, gaps) = statement::embedded();
    let window = sources(concat!(env!("CARGO_MANIFEST_DIR"), "/src-tauri/tests"));
    for screen in &m.axe {
        assert!(
            window.contains(&format!("axe(\"{screen}\")")),
            "accessibility/measured.toml names \"{screen}\", which no end-to-end test checks with axe"
        );
    }
    assert!(
        window.contains(&format!("async fn {}()", m.keyboard)),
        "no keyboard-only test {}",
        m.keyboard
    );
    assert!(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(&m.pdf_audit)
            .exists(),
        "no PDF audit at {}",
        m.pdf_audit
    );
    assert!(!gaps.is_empty(), "the reviewed gaps are read");
    for g in &gaps {
        assert!(
            g.criterion.split('.').count() == 3 && !g.sv.is_empty() && !g.en.is_empty(),
            "{g:?}"
        );
    }
}

#[test]
fn the_statement_has_every_part_the_law_asks_for() {
    let (m, gaps) = statement::embedded();
    for lang in [Lang::Sv, Lang::En] {
        let s = statement::statement(&m, &gaps, &body(), lang);
        let html = statement::html(&s, lang);
        let must: &[&str] = match lang {
            Lang::Sv => &[
                "Lindesbergs kommun står bakom appen etjanst",
                "delvis förenlig",
                "WCAG 2.1 nivå AA",
                "EN 301 549 V3.2.1",
                "Innehåll som inte är tillgängligt",
                "Hur vi testat appen",
                "Senaste bedömningen gjordes 2026-",
                "Redogörelsen uppdaterades senast 2026-",
                "Rapportera brister",
                "0581-810 00",
                "[Kommunen fyller i: e-postadress",
                "href=\"https://www.digg.se/tdosanmalan\"",
                "lagen (2018:1937)",
            ],
            Lang::En => &[
                "Lindesbergs kommun is responsible for the app etjanst",
                "partially compliant",
                "Content that is not accessible",
                "How we tested the app",
                "This statement was last updated on 2026-",
                "https://www.digg.se/tdosanmalan",
            ],
        };
        for part in must {
            assert!(html.contains(part), "{lang:?}: no {part:?} in\n{html}");
        }
        // Every known gap is listed, with its criterion.
        for g in &gaps {
            assert!(
                html.contains(&format!("kriterium {}", g.criterion))
                    || html.contains(&format!("criterion {}", g.criterion))
            );
        }
        assert!(
            html.starts_with("<!DOCTYPE html>")
                && html.contains(&format!(
                    "lang=\"{}\"",
                    if lang == Lang::Sv { "sv" } else { "en" }
                ))
        );
    }
}

#[test]
fn a_failing_axe_check_changes_the_conformance_line() {
    let (m, _) = statement::embedded();
    // Everything passing and no known gap: fully compliant.
    let clean = Measured {
        failures: Vec::new(),
        ..m.clone()
    };
    let s = statement::statement(&clean, &[], &body(), Lang::Sv);
    assert_eq!(s.conformance, Conformance::Full);
    assert!(statement::html(&s, Lang::Sv).contains("etjanst är helt förenlig"));
    assert!(statement::html(&s, Lang::Sv).contains("Vi känner inte till något innehåll"));
    // One axe failure: partially, and the failure is listed.
    let failing = Measured {
        failures: vec![Failure {
            screen: "review".into(),
            rule: "color-contrast".into(),
            criterion: "1.4.3".into(),
        }],
        ..m.clone()
    };
    let s = statement::statement(&failing, &[], &body(), Lang::Sv);
    assert_eq!(s.conformance, Conformance::Partial);
    let html = statement::html(&s, Lang::Sv);
    assert!(html.contains("etjanst är delvis förenlig"), "{html}");
    assert!(html.contains("color-contrast") && html.contains("1.4.3"));
    // No keyboard test: not compliant.
    let no_keyboard = Measured {
        keyboard: String::new(),
        ..m
    };
    assert_eq!(
        statement::statement(&no_keyboard, &[], &body(), Lang::Sv).conformance,
        Conformance::Not
    );
}

#[test]
fn the_command_line_writes_it_as_a_web_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tillganglighetsredogorelse.html");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_etjanst"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["statement", "-o"])
        .arg(&out)
        .env_remove("ETJANST_DATA_DIR")
        .status()
        .unwrap();
    assert!(status.success());
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(
        html.contains("<h1>Tillgänglighetsredogörelse</h1>"),
        "{html}"
    );
    assert!(html.contains("Lindesbergs kommun"));
}

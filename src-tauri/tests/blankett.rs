//! A PDF blankett in the window: opened from the service page, filled, left, taken up again
//! from "Mina utkast" after a restart, and printed, without any PDF program on the computer.

mod common;

use std::time::{Duration, Instant};

use common::*;

const SERVICE: &str = "Ansökan om bostadsanpassningsbidrag";

/// The id of the blankett field whose label is `label`.
async fn field(app: &App, label: &str) -> String {
    let id = app
        .js(&format!(
            "const l = [...document.querySelectorAll('.blankett-fields label')].find((l) => l.textContent.trim().startsWith({label:?})); return l ? l.htmlFor : '';"
        ))
        .await;
    let id = id.as_str().unwrap_or_default().to_string();
    assert!(!id.is_empty(), "no field labelled {label:?}");
    format!("#{id}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fill_a_blankett_leave_resume_and_print() {
    let _one = SERIAL.lock().await;
    let data = tempfile::tempdir().unwrap();
    let saves = tempfile::tempdir().unwrap();
    let printer = tempfile::tempdir().unwrap();
    let path = fake_printer(printer.path());
    let env = [("PATH", path.as_str())];

    let app = launch_with(data.path(), saves.path(), &env).await;
    // A blankett that can only be looked at and printed opens without the drafts: no
    // passphrase is asked for what keeps nothing.
    app.type_into("#search", "medborgarförslag").await;
    app.click_text("button", "Lämna ett medborgarförslag").await;
    app.click_text("button", "Visa blanketten").await;
    app.find(".pdf-page canvas").await;
    assert!(
        !app.present_text("h1", "Skydda dina utkast").await,
        "a blankett to look at asked for the drafts' passphrase"
    );
    app.click_text("button", "E-tjänster").await;
    app.heading("Kommunens e-tjänster").await;
    app.js("const e = document.getElementById('search'); e.value = ''; e.dispatchEvent(new Event('input'))")
        .await;
    app.type_into("#search", "bostadsanpassning").await;
    app.click_text("button", SERVICE).await;
    app.heading(SERVICE).await;
    app.click_text("button", "Fyll i blanketten här").await;
    app.heading("Skydda dina utkast").await;
    app.type_into("#passphrase", PASSPHRASE).await;
    app.type_into("#passphrase-again", PASSPHRASE).await;
    app.keys(ENTER).await;
    app.with_text("h2", "Blankettens fält").await;
    // The page is drawn, and its words are text in the window (selectable, read aloud).
    app.find(".pdf-page canvas").await;
    app.with_text("span", "Vilka åtgärder söker du bidrag för?")
        .await;

    let name = field(&app, "Sökandens namn").await;
    let pnr = field(&app, "Personnummer").await;
    let intyg = field(&app, "Intyg från arbetsterapeut").await;
    app.type_into(&name, "Åsa Ängström").await;
    app.type_into(&pnr, "121212-1212").await;
    app.click(&intyg).await;
    app.saved().await;
    app.js("document.querySelector('h1').scrollIntoView()")
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    app.shot("blankett").await;
    app.axe("blankett viewer").await;
    app.quit().await;

    // Another day: the draft is in "Mina utkast", closed cleanly, with what was typed.
    let app = launch_with(data.path(), saves.path(), &env).await;
    app.click_text("button", "Mina utkast").await;
    app.type_into("#passphrase", PASSPHRASE).await;
    app.keys(ENTER).await;
    app.heading("Mina utkast").await;
    app.with_text("h2", SERVICE).await;
    app.click_text("button", "Fortsätt").await;
    app.with_text("h2", "Blankettens fält").await;
    let name = field(&app, "Sökandens namn").await;
    assert_eq!(app.value(&name).await, "Åsa Ängström");
    let pnr = field(&app, "Personnummer").await;
    assert_eq!(app.value(&pnr).await, "121212-1212");
    let intyg = field(&app, "Intyg från arbetsterapeut").await;
    assert_eq!(
        app.js(&format!("return document.querySelector('{intyg}').checked"))
            .await
            .as_bool(),
        Some(true)
    );

    // The keyboard alone: Tab goes from field to field in the blankett's order, Space
    // unticks the box, and ticks it again.
    app.click(&name).await;
    app.keys(TAB).await;
    assert_eq!(format!("#{}", app.focused().await), pnr);
    app.tab_to(&intyg).await;
    app.keys(SPACE).await;
    app.keys(SPACE).await;
    assert_eq!(
        app.js(&format!("return document.querySelector('{intyg}').checked"))
            .await
            .as_bool(),
        Some(true)
    );

    // A wrong personnummer stops the PDF, saying why, at the field.
    app.click(&pnr).await;
    app.chord('\u{E009}', 'a').await;
    app.keys("121212-1213").await;
    app.saved().await;
    app.click_text("button", "Gör PDF för utskrift").await;
    app.find(".error-summary").await;
    app.with_text("a", "Kontrollsiffran").await;
    app.find(".error-summary a").await.click().await.unwrap();
    assert_eq!(format!("#{}", app.focused().await), pnr);
    app.chord('\u{E009}', 'a').await;
    app.keys("121212-1212").await;
    app.saved().await;

    // Printed with the keyboard's Enter on the button, to the computer's printer.
    app.click_text("button", "Gör PDF för utskrift").await;
    app.find("#pdf-made").await;
    app.with_text("option", "Bibliotekets-skrivare").await;
    app.click("#pdf-print").await;
    app.with_text("p", "Skickad till Bibliotekets-skrivare")
        .await;
    let jobs = printer.path().join("jobs");
    let t0 = Instant::now();
    let job = loop {
        if let Some(e) = std::fs::read_dir(&jobs).unwrap().next() {
            let p = e.unwrap().path();
            if std::fs::metadata(&p).is_ok_and(|m| m.len() > 0) {
                tokio::time::sleep(Duration::from_millis(300)).await;
                break p;
            }
        }
        assert!(t0.elapsed() < Duration::from_secs(15), "nothing printed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let text = pdf_text(&job);
    assert!(
        text.contains("Åsa Ängström") && text.contains("121212-1212"),
        "the printed blankett lacks the values:\n{text}"
    );
    app.quit().await;
}

//! End-to-end tests of the desktop app in its real window (WebKitGTK under Xvfb, driven through
//! WebDriver): what a citizen does, with the mouse, with the keyboard only, and at the lock.

mod common;
#[path = "../../gateway/tests/common/settings.rs"]
mod gateway_settings;

use common::*;
use serde_json::{Value, json};

const PDF: &str = "felanmalan-gata-park-och-belysning.pdf";

/// Search, open a service, fill a flow whose answers show and hide questions, fix an error
/// through the error summary, quit, start again, resume the draft, make the PDF: it holds the
/// answers and nothing that was hidden.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fill_quit_resume_and_print() {
    let _one = SERIAL.lock().await;
    let data = tempfile::tempdir().unwrap();
    let saves = tempfile::tempdir().unwrap();

    let app = launch(data.path(), saves.path()).await;
    app.heading("Kommunens e-tjänster").await;
    app.with_text("button", "Felanmälan gata, park och belysning")
        .await;
    app.shot("start").await;
    app.axe("start").await;

    app.type_into("#search", "gatubelysning").await;
    app.with_text("h2", "träff").await;
    app.shot("search").await;
    app.click_text("button", "Felanmälan gata, park och belysning")
        .await;
    app.heading("Felanmälan gata, park och belysning").await;
    app.with_text("h2", "Det här kan du göra här").await;
    app.shot("service").await;
    app.axe("service").await;

    app.click_text("button", "Fyll i").await;
    // First start: the drafts need a passphrase (no keychain in the test session).
    app.heading("Skydda dina utkast").await;
    app.type_into("#passphrase", &PASSPHRASE[..4]).await;
    app.with_text("p", "För kort").await;
    app.type_into("#passphrase", &PASSPHRASE[4..]).await;
    app.with_text("p", "Stark lösenfras").await;
    app.type_into("#passphrase-again", PASSPHRASE).await;
    app.shot("unlock-create").await;
    app.axe("unlock-create").await;
    app.click_text("button", "Skapa").await;

    // Step 1. The pole number is asked only for street lights.
    app.heading("Felet").await;
    assert!(
        !app.present("#q-2102").await,
        "pole number shown before street lights were chosen"
    );
    app.click("#q-2101-210101").await;
    app.type_into("#q-2102-210201", "ST-4711").await;
    app.saved().await;
    // Another kind of fault: the question goes, and its answer with it.
    app.click("#q-2101-210103").await;
    app.gone("#q-2102").await;
    app.type_into("#q-2103-210301", "Storgatan 1").await;
    app.type_into("#q-2104-input", "Klotter på elskåpet vid busshållplatsen.")
        .await;
    app.click_text("button", "Nästa steg").await;

    // The town is missing: the error summary takes focus and leads to the field.
    app.find(".error-summary").await;
    assert_eq!(
        app.focused().await,
        "error-summary",
        "the error summary did not take focus"
    );
    // The window's title says there are errors, and where.
    let title = app.js("return document.title").await;
    assert_eq!(title.as_str(), Some("Fel: Felet – etjanst"));
    app.shot("form-error").await;
    app.axe("form with errors").await;
    app.find(".error-summary a").await.click().await.unwrap();
    assert_eq!(app.focused().await, "q-2103-210302");
    app.keys("Lindesberg").await;
    app.saved().await;
    app.click_text("button", "Nästa steg").await;

    // Step 2. Contact details only when feedback is wanted.
    app.heading("Återkoppling").await;
    let t0 = std::time::Instant::now();
    while app.js("return document.title").await.as_str() != Some("Återkoppling – etjanst") {
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(5),
            "title: {}",
            app.js("return document.title").await
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(!app.present("#q-2107").await);
    app.click("#q-2106-210601").await;
    app.type_into("#q-2107-firstName", "Åsa").await;
    app.type_into("#q-2107-lastName", "Lindström").await;
    app.type_into("#q-2107-email", "asa.lindstrom@example.se")
        .await;
    app.saved().await;
    app.shot("form").await;
    app.axe("form").await;
    app.quit().await;

    // Started again: the draft is there, encrypted, and resumes where it was left.
    let vault = std::fs::read(data.path().join("vault.sqlite")).unwrap();
    for clear in [&b"Storgatan"[..], b"Lindstr", b"asa.lindstrom"] {
        assert!(
            !vault.windows(clear.len()).any(|w| w == clear),
            "an answer is in clear in the vault file"
        );
    }
    let printer = tempfile::tempdir().unwrap();
    let path = fake_printer(printer.path());
    let app = launch_with(data.path(), saves.path(), &[("PATH", &path)]).await;
    app.heading("Kommunens e-tjänster").await;
    app.click_text("button", "Mina utkast").await;
    app.heading("Lås upp dina utkast").await;
    app.type_into("#passphrase", PASSPHRASE).await;
    app.keys(ENTER).await;
    app.heading("Mina utkast").await;
    app.with_text("h2", "Felanmälan gata, park och belysning")
        .await;
    app.shot("drafts").await;
    app.axe("drafts").await;
    app.click_text("button", "Fortsätt").await;
    app.heading("Återkoppling").await;
    assert_eq!(app.value("#q-2107-firstName").await, "Åsa");

    app.click_text("button", "Granska").await;
    app.heading("Granska och skriv ut").await;
    app.with_text("dd", "Storgatan 1").await;
    // Only the chosen alternative is an answer; an optional question left out says so.
    app.with_text("dd", "Nedskräpning eller klotter").await;
    assert!(!app.present_text("dd", "Gatubelysning").await);
    app.with_text("dd", "Inte angivet").await;

    // "Ändra": the question's step, focus in its field, and back to the review, where the
    // same question's "Ändra" has focus again.
    app.click("#change-2103").await;
    app.heading("Felet").await;
    assert_eq!(app.focused().await, "q-2103-210301");
    // The step after this one was reached before: it is "klar" and can be opened forward.
    let later = app
        .js("return [...document.querySelectorAll('.steps li')].map(l => l.className + ':' + l.textContent.trim())")
        .await;
    assert!(
        later.to_string().contains("done:Återkoppling, klar"),
        "the later step is not marked klar: {later}"
    );
    let field = app.find("#q-2103-210301").await;
    field.clear().await.unwrap();
    field.send_keys("Storgatan 3").await.unwrap();
    app.click_text("button", "Spara och gå tillbaka till granskningen")
        .await;
    app.heading("Granska och skriv ut").await;
    app.with_text("dd", "Storgatan 3").await;
    let t0 = std::time::Instant::now();
    while app.focused().await != "change-2103" {
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(5),
            "focus is on {} after changing an answer",
            app.focused().await
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // What the screen shows, row by row, to compare with the paper below.
    let rows = app
        .js(
            r#"return [...document.querySelectorAll('section.summary')].flatMap(s => [
            s.querySelector('h2').textContent,
            ...[...s.querySelectorAll('.summary-row')].flatMap(r => [
                r.querySelector('dt').textContent,
                ...[...r.querySelectorAll('.line')].map(l => l.textContent),
            ]),
        ])"#,
        )
        .await;
    let rows: Vec<String> = serde_json::from_value(rows).unwrap();
    assert!(rows.len() >= 10, "{rows:?}");
    app.shot("review").await;
    app.axe("review").await;
    // The paper, seen before anything is saved: the same rows, then what only paper has.
    app.click_text("summary", "Förhandsvisa utskriften").await;
    app.with_text("div[@id='paper-preview']/p", "Namnteckning")
        .await;
    app.with_text("div[@id='paper-preview']/p", "Storgatan 3")
        .await;
    app.js("document.getElementById('paper-preview').scrollIntoView()")
        .await;
    app.shot("print-preview").await;
    app.axe("print preview").await;
    app.click("#make-pdf").await;
    app.find("#pdf-made").await;
    assert_eq!(
        app.focused().await,
        "pdf-title",
        "focus stays on the spent button"
    );
    // What is left to do after printing: who signs, and where it goes.
    app.with_text("li", "Dina kontaktuppgifter: Åsa Lindström")
        .await;
    app.with_text("address", "711 80 Lindesberg").await;
    // A double click on "Skriv ut" prints one copy.
    app.with_text("option", "Bibliotekets-skrivare").await;
    app.js("const b = document.getElementById('pdf-print'); b.click(); b.click();")
        .await;
    app.with_text("p", "Skickad till Bibliotekets-skrivare")
        .await;
    let t0 = std::time::Instant::now();
    while app.focused().await != "post-title" {
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(5),
            "after printing, focus is on {}",
            app.focused().await
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let jobs: Vec<_> = std::fs::read_dir(printer.path().join("jobs"))
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(
        jobs.len(),
        1,
        "a double click printed {} copies",
        jobs.len()
    );
    assert!(jobs[0].starts_with(b"%PDF-"), "the printer got no PDF");
    app.shot("printed").await;
    app.axe("printed").await;
    app.click("#pdf-save").await;
    app.find("#pdf-saved").await;
    app.shot("pdf").await;
    app.axe("PDF made").await;
    app.quit().await;

    let pdf = saves.path().join(PDF);
    saved_file(&pdf).await;
    let text = pdf_text(&pdf);
    // The paper reads as the review did, row for row and in order.
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let paper = flat(&text);
    let mut at = 0;
    for row in &rows {
        let row = flat(row);
        match paper[at..].find(&row) {
            Some(k) => at += k + row.len(),
            None => panic!("the review's {row:?} is not next on the paper:\n{text}"),
        }
    }
    for answer in [
        "Storgatan 3",
        "Lindesberg",
        "Åsa",
        "Lindström",
        "Klotter på elskåpet",
    ] {
        assert!(
            text.contains(answer),
            "{answer:?} is not in the PDF:\n{text}"
        );
    }
    assert!(
        !text.contains("ST-4711"),
        "the hidden pole number was printed:\n{text}"
    );
}

/// The same form with the keyboard only: Tab, Space, arrows, Enter and typing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_only() {
    let _one = SERIAL.lock().await;
    let data = tempfile::tempdir().unwrap();
    let saves = tempfile::tempdir().unwrap();
    let app = launch(data.path(), saves.path()).await;
    app.heading("Kommunens e-tjänster").await;

    app.tab_to("#search").await;
    app.keys("felanmälan").await;
    app.with_text("h2", "träff").await;
    app.tab_to("button.entry").await;
    app.keys(ENTER).await;
    app.heading("Felanmälan gata, park och belysning").await;
    // The service's heading comes with its data, after the screen changed: focus waits for it.
    app.focus_on_heading("Felanmälan gata, park och belysning")
        .await;
    app.tab_to("button.primary").await;
    app.keys(ENTER).await;

    app.heading("Skydda dina utkast").await;
    app.tab_to("#passphrase").await;
    app.keys(PASSPHRASE).await;
    // Past "Visa" (which shows the passphrase) to the second field.
    app.tab_to("#passphrase-again").await;
    app.keys(PASSPHRASE).await;
    app.keys(ENTER).await;

    app.heading("Felet").await;
    app.focus_on_heading("Felet").await;
    // Into the radio group: the first alternative; the arrow key moves to the next.
    app.tab_to("input[name='q-2101']").await;
    app.keys(SPACE).await;
    // A checked radio with keyboard focus keeps the whole ring: yellow and black.
    let ring = app
        .js("return getComputedStyle(document.activeElement).boxShadow")
        .await;
    let ring = ring.as_str().unwrap_or_default();
    assert!(
        ring.contains("inset") && ring.contains("6px"),
        "the checked radio's focus ring lost its black part: {ring}"
    );
    app.find("#q-2102").await;
    app.keys(DOWN).await;
    app.gone("#q-2102").await;
    app.tab_to("#q-2103-210301").await;
    app.keys("Kungsgatan 12").await;
    app.keys(TAB).await;
    app.keys("Frövi").await;
    app.tab_to("button[type='submit']").await;
    app.keys(ENTER).await;

    app.heading("Återkoppling").await;
    // The heading is drawn before focus moves to it: wait for focus as for the headings above
    // (an instant check failed once, focus still on "Nästa").
    app.focus_on_heading("Återkoppling").await;
    app.tab_to("input[name='q-2106']").await;
    app.keys(DOWN).await; // "Nej"
    app.saved().await;
    app.tab_to("button[type='submit']").await;
    app.keys(ENTER).await;

    app.heading("Granska och skriv ut").await;
    app.focus_on_heading("Granska och skriv ut").await;
    app.with_text("dd", "Hål eller skada i gata").await;
    app.with_text("dd", "Nej").await;
    assert!(!app.present_text("dd", "Gatubelysning").await);
    app.tab_to("#make-pdf").await;
    app.keys(ENTER).await;
    app.find("#pdf-save").await;
    app.tab_to("#pdf-save").await;
    app.keys(ENTER).await;
    app.find("#pdf-saved").await;
    app.quit().await;

    let pdf = saves.path().join(PDF);
    saved_file(&pdf).await;
    let text = pdf_text(&pdf);
    for answer in ["Kungsgatan 12", "Frövi"] {
        assert!(
            text.contains(answer),
            "{answer:?} is not in the PDF:\n{text}"
        );
    }
}

/// A vault with a passphrase: the wrong one is refused with a clear message and changes
/// nothing; the right one opens the drafts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_then_right_passphrase() {
    let _one = SERIAL.lock().await;
    let data = tempfile::tempdir().unwrap();
    let saves = tempfile::tempdir().unwrap();

    let app = launch(data.path(), saves.path()).await;
    app.click_text("button", "Mina utkast").await;
    app.heading("Skydda dina utkast").await;
    app.type_into("#passphrase", PASSPHRASE).await;
    app.type_into("#passphrase-again", PASSPHRASE).await;
    app.keys(ENTER).await;
    app.heading("Mina utkast").await;
    app.with_text("p", "Du har inga utkast").await;
    app.quit().await;

    let file = saves.path().join("utkast.etjanst");
    let app = launch_with(
        data.path(),
        saves.path(),
        &[("ETJANST_TEST_OPEN_FILE", file.to_str().unwrap())],
    )
    .await;
    app.click_text("button", "Mina utkast").await;
    app.heading("Lås upp dina utkast").await;
    app.type_into("#passphrase", "fel lösenfras helt och hållet")
        .await;
    app.keys(ENTER).await;
    let error = app.find("#unlock-error").await.text().await.unwrap();
    assert!(
        error.to_lowercase().contains("lösenfras"),
        "unclear message: {error}"
    );
    assert_eq!(
        app.focused().await,
        "passphrase",
        "focus did not return to the passphrase"
    );
    // What to do without the passphrase is there, and what was typed can be shown.
    app.click_text("summary", "Glömt lösenfrasen?").await;
    app.with_text("p", "ingen, inte heller kommunen, kan ta fram den")
        .await;
    app.click("#passphrase-show").await;
    let kind = app
        .js("return document.getElementById('passphrase').type")
        .await;
    assert_eq!(
        kind.as_str(),
        Some("text"),
        "Visa did not show the passphrase"
    );
    app.with_text("button", "Dölj").await;
    app.shot("unlock-wrong").await;
    app.axe("wrong passphrase").await;
    app.js("document.getElementById('passphrase').value = ''")
        .await;
    app.find("#passphrase").await.clear().await.unwrap();
    app.type_into("#passphrase", PASSPHRASE).await;
    app.keys(ENTER).await;
    app.heading("Mina utkast").await;

    // A draft to a file: its passphrase typed twice, a mismatch said in the dialog.
    app.click_text("button", "E-tjänster").await;
    fill_synpunkt(&app, "Flyttas till en annan dator.").await;
    app.click_text("button", "Mina utkast").await;
    app.heading("Mina utkast").await;
    app.click_text("button", "Spara som fil").await;
    app.type_into("#file-pass", "filens egen lösenfras 42")
        .await;
    app.type_into("#file-pass-again", "filens egen lösenfras 43")
        .await;
    app.click_text("dialog//button", "Spara som fil").await;
    app.with_text("dialog//p", "Lösenfraserna är inte likadana.")
        .await;
    app.find("#file-pass-again").await.clear().await.unwrap();
    app.type_into("#file-pass-again", "filens egen lösenfras 42")
        .await;
    app.click_text("dialog//button", "Spara som fil").await;
    app.with_text("p", "Utkastet är sparat i").await;
    saved_file(&file).await;

    // Back from the file: the file first, then its passphrase; a wrong one keeps the dialog.
    app.click("#import-draft").await;
    app.with_text("dialog//p", "Fil: utkast.etjanst").await;
    app.type_into("#file-pass", "inte filens lösenfras").await;
    app.click_text("dialog//button", "Öppna en utkastfil").await;
    app.find("dialog p[role='alert']").await;
    assert_eq!(app.focused().await, "file-pass");
    app.find("#file-pass").await.clear().await.unwrap();
    app.type_into("#file-pass", "filens egen lösenfras 42")
        .await;
    app.click_text("dialog//button", "Öppna en utkastfil").await;
    app.with_text("p", "Utkastet är inläst.").await;
    app.gone("dialog").await;
    let copies = app
        .js("return [...document.querySelectorAll('ul.drafts h2')].filter(h => h.textContent.includes('synpunkt')).length")
        .await;
    assert_eq!(
        copies.as_i64(),
        Some(2),
        "the opened file is not a second draft"
    );
    app.quit().await;
}

/// Settings and "Mina uppgifter": English, high contrast and 200 % text pass axe and do not
/// scroll sideways; erasing everything leaves nothing behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_language_contrast_and_erase() {
    let _one = SERIAL.lock().await;
    let data = tempfile::tempdir().unwrap();
    let saves = tempfile::tempdir().unwrap();
    let app = launch(data.path(), saves.path()).await;
    app.heading("Kommunens e-tjänster").await;
    app.click_text("button", "Jag har läst").await;
    app.gone("#protected-title").await;

    // "Om etjanst" names the workspace's one version and the commit it was built from.
    app.click("#about").await;
    app.heading("Om etjanst").await;
    app.with_text("dd", env!("CARGO_PKG_VERSION")).await;
    app.with_text("dd", "MIT").await;
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .unwrap();
    if commit.status.success() {
        app.with_text("dd", String::from_utf8_lossy(&commit.stdout).trim())
            .await;
    }
    app.click_text("summary", "Licenser för programvara").await;
    app.with_text("pre", "SIL Open Font License").await;
    app.with_text("pre", "svelte").await;
    app.axe("about").await;

    app.click_text("button", "Inställningar").await;
    app.heading("Inställningar").await;
    app.shot("settings").await;
    app.axe("settings").await;
    app.click("#lang-en").await;
    app.heading("Settings").await;
    app.with_text("button", "My drafts").await;
    app.click("#contrast").await;
    app.find("html.high-contrast").await;
    app.find("#text-size")
        .await
        .select_by_value("200")
        .await
        .unwrap();
    app.axe("settings, English, high contrast, 200 %").await;

    for (tab, heading) in [
        ("E-services", "The municipality's e-services"),
        ("My details", "My details"),
    ] {
        app.click_text("button", tab).await;
        app.heading(heading).await;
        let wide = app
            .js("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            .await;
        assert!(
            wide.as_i64().unwrap_or(1) <= 0,
            "{heading} scrolls sideways at 200 %: {wide}"
        );
        app.axe(heading).await;
        if tab == "E-services" {
            // English around, Swedish content marked as Swedish for a screen reader's voice.
            let langs = app
                .js("const e = document.querySelector('.entry-name'); return [document.documentElement.lang, e.closest('[lang]').lang]")
                .await;
            assert_eq!(langs, json!(["en", "sv"]), "language of parts");
        }
    }
    app.shot("my-data").await;

    // Ctrl + and Ctrl − zoom the page (what a person with low vision reaches for first).
    let width = || async {
        app.js("return window.innerWidth")
            .await
            .as_f64()
            .unwrap_or(0.0)
    };
    let before = width().await;
    app.chord(CONTROL, '=').await;
    let t0 = std::time::Instant::now();
    while width().await >= before {
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(5),
            "Ctrl + did not zoom in (width {before} CSS px)"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    app.chord(CONTROL, '-').await;
    let t0 = std::time::Instant::now();
    while width().await < before {
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(5),
            "Ctrl − did not zoom back out"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // Reflow at 320 CSS pixels (WCAG 1.4.10): nothing scrolls sideways.
    app.click_text("button", "Settings").await;
    app.find("#text-size")
        .await
        .select_by_value("100")
        .await
        .unwrap();
    app.c.set_window_size(320, 700).await.unwrap();
    let t0 = std::time::Instant::now();
    while app
        .js("return window.innerWidth")
        .await
        .as_i64()
        .unwrap_or(0)
        > 340
    {
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(5),
            "the window did not narrow"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    for (tab, heading) in [
        ("Settings", "Settings"),
        ("E-services", "The municipality's e-services"),
        ("My details", "My details"),
    ] {
        app.click_text("button", tab).await;
        app.heading(heading).await;
        let wide = app
            .js("return [document.documentElement.scrollWidth - document.documentElement.clientWidth, window.innerWidth, [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 5).map(e => e.tagName + '.' + e.className)]")
            .await;
        assert!(
            wide[0].as_i64().unwrap_or(1) <= 0,
            "{heading} scrolls sideways at 320 px: {wide}"
        );
    }
    app.click_text("button", "E-services").await;
    app.click_text("button", "Lämna synpunkt eller klagomål")
        .await;
    app.heading("Lämna synpunkt eller klagomål").await;
    let wide = app
        .js("return [document.documentElement.scrollWidth - document.documentElement.clientWidth, [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 5).map(e => e.tagName + '.' + e.className)]")
        .await;
    assert!(
        wide[0].as_i64().unwrap_or(1) <= 0,
        "a service page scrolls sideways at 320 px: {wide}"
    );
    app.quit().await;

    // The settings were kept; erase everything from "What is stored on this computer".
    let app = launch(data.path(), saves.path()).await;
    app.heading("The municipality's e-services").await;
    app.click_text("button", "My details").await;
    app.heading("My details").await;
    app.click("#to-stored").await;
    app.heading("What is stored on this computer").await;
    app.axe("what is stored, English").await;
    app.click_text("button", "Erase everything on this computer")
        .await;
    app.with_text("h2", "Erase everything?").await;
    // A destructive question opens on the safe answer, and is described by its warning.
    assert_eq!(app.focused().await, "secondary", "focus is not on Cancel");
    let described = app
        .js("const d = document.querySelector('dialog'); return document.getElementById(d.getAttribute('aria-describedby')).textContent")
        .await;
    assert!(
        described.as_str().is_some_and(|t| !t.trim().is_empty()),
        "the dialog is described by nothing"
    );
    app.axe("erase confirmation").await;
    app.click("dialog button.danger").await;
    app.heading("Kommunens e-tjänster").await;
    app.with_text("h2", "Har du skyddade personuppgifter?")
        .await;
    app.quit().await;
    let left: Vec<_> = std::fs::read_dir(data.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "desktop.sock" && n != "desktop.json")
        .collect();
    assert!(left.is_empty(), "left after erasing: {left:?}");
}

#[path = "../../tests/common/http.rs"]
mod http;

/// A municipality's catalogue synced from a real HTTP server on 127.0.0.1 (Sundsvall's real
/// catalogue, Latin-1 as served), with progress; then picked, searched and opened.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_a_municipality_and_search_it() {
    let _one = SERIAL.lock().await;
    let server = http::Server::start();
    server.route(
        "/api/v1/getflows/json",
        http::Route {
            content_type: "application/json; charset=ISO-8859-1".into(),
            body: include_bytes!("../../tests/fixtures/oep/catalogue-getflows-sundsvall.json")
                .to_vec(),
            etag: Some("\"v1\"".into()),
            ..Default::default()
        },
    );
    let data = tempfile::tempdir().unwrap();
    let saves = tempfile::tempdir().unwrap();
    let app = launch(data.path(), saves.path()).await;
    app.click_text("button", "Inställningar").await;
    app.heading("Inställningar").await;
    app.type_into("#site-url", &server.url).await;
    app.click_text("button", "Hämta katalogen").await;
    app.with_text("p", "Katalogen är uppdaterad: 161 e-tjänster.")
        .await;
    app.with_text("td", &server.url).await;
    assert!(
        server
            .requests()
            .iter()
            .any(|(p, _)| p == "/api/v1/getflows/json")
    );

    app.click_text("button", "E-tjänster").await;
    app.heading("Kommunens e-tjänster").await;
    let host = server.url.trim_start_matches("http://").to_string();
    let site = app.find("#site").await;
    site.select_by_value(&server.url).await.unwrap();
    app.with_text("p", "Senast hämtad").await;
    app.type_into("#search", "bygglov").await;
    app.with_text("span", &host).await;
    app.shot("synced").await;
    app.axe("synced catalogue").await;
    app.find("button.entry").await.click().await.unwrap();
    app.with_text("li", "fylls i på kommunens webbplats").await;
    app.click_text("button", "Öppna e-tjänsten på webben").await;
    // The citizen is asked before anything leaves the window.
    app.with_text("h2", "Öppna länken?").await;
    app.axe("link confirmation").await;
    app.click("dialog button.secondary").await;
    app.gone("dialog[open]").await;
    app.quit().await;
}

/// The window is killed in the middle of a form: the draft is all there at the next start,
/// and offered for recovery.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_loses_nothing() {
    let _one = SERIAL.lock().await;
    let data = tempfile::tempdir().unwrap();
    let saves = tempfile::tempdir().unwrap();
    let app = launch(data.path(), saves.path()).await;
    app.type_into("#search", "gatubelysning").await;
    app.click_text("button", "Felanmälan gata, park och belysning")
        .await;
    app.click_text("button", "Fyll i").await;
    app.type_into("#passphrase", PASSPHRASE).await;
    app.type_into("#passphrase-again", PASSPHRASE).await;
    app.keys(ENTER).await;
    app.heading("Felet").await;
    app.click("#q-2101-210102").await;
    app.type_into("#q-2103-210301", "Drottninggatan 3").await;
    app.saved().await;
    // No clean close: the process is killed.
    kill(app).await;

    let app = launch(data.path(), saves.path()).await;
    app.click_text("button", "Mina utkast").await;
    app.type_into("#passphrase", PASSPHRASE).await;
    app.keys(ENTER).await;
    app.with_text("h2", "Ett utkast var öppet").await;
    app.shot("recover").await;
    app.axe("recovery offer").await;
    app.click_text("button", "Fortsätt med").await;
    app.heading("Felet").await;
    assert_eq!(app.value("#q-2103-210301").await, "Drottninggatan 3");
    app.quit().await;
}

/// "Lås" on a computer several people use from one account: the form being typed in is saved
/// and closed, and the drafts need the passphrase again, even with the window still open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_keeps_what_was_typed_and_asks_for_the_passphrase() {
    let _one = SERIAL.lock().await;
    let data = tempfile::tempdir().unwrap();
    let saves = tempfile::tempdir().unwrap();
    // The idle lock set to its shortest, a minute (Inställningar offers 5 and more).
    std::fs::write(
        data.path().join("desktop.json"),
        r#"{"lockAfterMinutes": 1}"#,
    )
    .unwrap();
    let app = launch(data.path(), saves.path()).await;
    assert!(
        !app.present("#lock").await,
        "Lås shows before anything is unlocked"
    );
    app.type_into("#search", "gatubelysning").await;
    app.click_text("button", "Felanmälan gata, park och belysning")
        .await;
    app.click_text("button", "Fyll i").await;
    app.type_into("#passphrase", PASSPHRASE).await;
    app.type_into("#passphrase-again", PASSPHRASE).await;
    app.keys(ENTER).await;
    app.heading("Felet").await;
    app.click("#q-2101-210102").await;
    // Typed, and locked before the autosave's pause has passed.
    app.type_into("#q-2103-210301", "Låsgatan 9").await;
    app.click("#lock").await;
    app.heading("Kommunens e-tjänster").await;
    app.with_text("div[@role='status']", "Utkasten är låsta")
        .await;
    assert!(!app.present("#lock").await, "Lås shows on locked drafts");
    app.click_text("button", "Mina utkast").await;
    app.heading("Lås upp dina utkast").await;
    app.type_into("#passphrase", PASSPHRASE).await;
    app.keys(ENTER).await;
    app.heading("Mina utkast").await;
    assert!(
        !app.present_text("h2", "Ett utkast var öppet").await,
        "the locked draft was left marked open"
    );
    app.click_text("button", "Fortsätt").await;
    app.heading("Felet").await;
    assert_eq!(app.value("#q-2103-210301").await, "Låsgatan 9");

    // Left alone in the form for the idle lock's minute: it saves, closes and locks.
    app.type_into("#q-2103-210301", ", port B").await;
    let t0 = std::time::Instant::now();
    while !app.present("#search").await {
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(90),
            "the idle lock did not lock"
        );
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
    assert!(
        t0.elapsed() > std::time::Duration::from_secs(50),
        "locked too soon"
    );
    app.with_text("div[@role='status']", "Utkasten är låsta")
        .await;
    app.click_text("button", "Mina utkast").await;
    app.heading("Lås upp dina utkast").await;
    app.type_into("#passphrase", PASSPHRASE).await;
    app.keys(ENTER).await;
    app.click_text("button", "Fortsätt").await;
    app.heading("Felet").await;
    assert_eq!(app.value("#q-2103-210301").await, "Låsgatan 9, port B");
    app.quit().await;
}

/// A gateway and the BankID simulator on 127.0.0.1 in this process; the gateway's URL, the
/// simulator's "phone" (an RP-certified client for its control endpoints) and the gateway's
/// database file.
async fn gateway(dir: &std::path::Path) -> (String, reqwest::Client, String, std::path::PathBuf) {
    use etjanst_gateway::{api, bankid, sim, store, tls};
    let pki = tls::TestPki::in_dir(&dir.join("certs")).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let sim_url = format!("https://{}", listener.local_addr().unwrap());
    let pki2 = tls::TestPki {
        dir: pki.dir.clone(),
    };
    tokio::spawn(async move { sim::serve(listener, &pki2, sim::Timings::default()).await });
    let db = dir.join("gateway.sqlite");
    let settings = api::Settings {
        max_body: 1 << 20,
        collect_interval: std::time::Duration::from_millis(500),
        // The window polls once a second: the apps' own pace, under the default limit.
        polls_per_minute: 90,
        ..gateway_settings::test_settings(
            &bankid::RpConfig {
                base_url: format!("{sim_url}/rp/v6.0"),
                certificate: pki.rp_pem(),
                certificate_password: None,
                root: pki.ca(),
            },
            std::sync::Arc::new(store::Sqlite::open(&db).unwrap()),
            "nyckel",
        )
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { api::serve(listener, settings).await });
    let phone = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .tls_certs_only(
            reqwest::Certificate::from_pem_bundle(&std::fs::read(pki.ca()).unwrap()).unwrap(),
        )
        .identity(reqwest::Identity::from_pem(&std::fs::read(pki.rp_pem()).unwrap()).unwrap())
        .build()
        .unwrap();
    (url, phone, sim_url, db)
}

async fn phone(phone: &reqwest::Client, sim: &str, action: &str, body: Value) -> Value {
    let r = phone
        .post(format!("{sim}/__sim/{action}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let v: Value = r.json().await.unwrap_or_default();
    assert!(status.is_success(), "{action}: {status} {v}");
    v
}

/// Fill, review, "Skicka in med BankID" on this computer, the app opened through the
/// autostart token, signed as a test personnummer: the receipt screen says that only now is
/// the application submitted, the draft is gone and the receipt listed. A second application
/// signed with the animated QR code from a phone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_and_sign_with_bankid() {
    // A WebDriver command that never answers must fail the run, not hang it.
    tokio::time::timeout(std::time::Duration::from_secs(300), submit_flow())
        .await
        .expect("the submission test did not finish in 5 minutes");
}

async fn submit_flow() {
    let _one = SERIAL.lock().await;
    let data = tempfile::tempdir().unwrap();
    let saves = tempfile::tempdir().unwrap();
    let (gateway_url, sim_phone, sim, db) = gateway(data.path()).await;
    let app = launch_with(
        data.path(),
        saves.path(),
        &[("ETJANST_GATEWAY", &gateway_url)],
    )
    .await;
    app.heading("Kommunens e-tjänster").await;
    fill_synpunkt(&app, "Tack för den nya lekplatsen vid Lindbacka!").await;
    app.click("#submit-online").await;
    app.heading("Skicka in ansökan").await;
    app.axe("submit, choose").await;
    app.click("#send").await;
    app.with_text("p", "Försöker starta BankID-appen.").await;
    app.with_text("p", "Kod att jämföra:").await;
    app.shot("submit-signing").await;
    app.axe("submit, signing").await;
    sign_pending(&app, &sim_phone, &sim, &db).await;
    app.heading("Din synpunkt är inskickad").await;
    app.with_text("dd", "Tolvan Tolvansson").await;
    app.with_text("p", "Först nu är din synpunkt inskickad")
        .await;
    let case = app.find("#case-number").await.text().await.unwrap();
    assert!(case.parse::<i64>().is_ok(), "{case}");
    app.focus_on_heading("Din synpunkt är inskickad").await;
    // What happens next, whom to ask (naming the case), and a copy of what was sent.
    app.with_text("h2", "Vad händer nu?").await;
    app.with_text("p", &format!("uppge ärendenummer {case}"))
        .await;
    app.with_text("li", "0581-810 00").await;
    app.with_text("h2", "Kopia av det du skickade in").await;
    app.shot("confirmation").await;
    app.axe("confirmation").await;
    app.click("#pdf-save").await;
    app.find("#pdf-saved").await;
    let copy = saves
        .path()
        .join(format!("lamna-synpunkt-eller-klagomal-{case}.pdf"));
    saved_file(&copy).await;
    let text = pdf_text(&copy);
    assert!(
        text.contains("Tack för den nya lekplatsen vid Lindbacka!"),
        "the copy does not hold what was sent:\n{text}"
    );
    // The draft is gone; the receipt is listed, and opens with its copy again.
    app.click_text("button", "Till Mina utkast").await;
    app.heading("Mina utkast").await;
    app.with_text("h2", "Inskickade ansökningar").await;
    app.with_text("td", &case).await;
    app.axe("drafts with a receipt").await;
    assert!(
        !app.present_text("button", "Fortsätt").await,
        "the draft is still there"
    );
    app.click_text("button", "Lämna synpunkt eller klagomål")
        .await;
    app.heading("Din synpunkt är inskickad").await;
    assert_eq!(app.find("#case-number").await.text().await.unwrap(), case);
    app.find("#pdf-save").await;
    assert!(
        !app.present_text("p", "Först nu är din synpunkt inskickad")
            .await,
        "a receipt opened later says it was sent only now"
    );
    app.click_text("button", "Till Mina utkast").await;
    app.heading("Mina utkast").await;

    // The second with the animated QR code, scanned from the screen's own frames.
    app.click_text("button", "E-tjänster").await;
    fill_synpunkt(&app, "Fler bänkar i parken, tack.").await;
    app.click("#submit-online").await;
    app.click("#other-device").await;
    app.click("#send").await;
    app.with_text("p", "Starta BankID-appen.").await;
    app.find("figure.qr svg path").await;
    app.shot("submit-qr").await;
    app.axe("submit, QR").await;
    let (token, secret, started): (String, String, i64) = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT qr_start_token, qr_start_secret, order_started_ms FROM submissions WHERE order_status = 'pending'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let t = ((chrono::Utc::now().timestamp_millis() - started) / 1000) as u64;
    let frame = etjanst_gateway::bankid::qr::frame(&token, &secret, t);
    let v = phone(&sim_phone, &sim, "scan", json!({ "qrData": frame })).await;
    app.with_text("p", "Skriv in din säkerhetskod").await;
    app.gone("figure.qr").await;
    phone(
        &sim_phone,
        &sim,
        "approve",
        json!({ "orderRef": v["orderRef"], "personalNumber": "201701012393" }),
    )
    .await;
    app.heading("Din synpunkt är inskickad").await;
    app.with_text("dd", "Elva Elvansdotter").await;
    app.quit().await;
}

/// A form that names the applicant (a preschool place, with the example's answers, put in
/// the vault as the window keeps drafts): before signing, the window says whose BankID alone
/// can sign, by personnummer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_applicant_is_named_before_signing() {
    tokio::time::timeout(std::time::Duration::from_secs(300), applicant_flow())
        .await
        .expect("the applicant test did not finish in 5 minutes");
}

async fn applicant_flow() {
    use etjanst::vault::{KeySetup, LockedVault, Passphrase};
    let _one = SERIAL.lock().await;
    let data = tempfile::tempdir().unwrap();
    let saves = tempfile::tempdir().unwrap();
    {
        let catalogue = etjanst::catalogue::Catalogue::embedded().unwrap();
        let flow = catalogue.flow("forskoleplats").unwrap();
        let example: Value = serde_json::from_str(
            &std::fs::read_to_string(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../forms/examples/forskoleplats.json"),
            )
            .unwrap(),
        )
        .unwrap();
        let answers = etjanst::fill::Answers::from_json(flow, &example).unwrap();
        let passphrase = Passphrase {
            secret: age::secrecy::SecretString::from(PASSPHRASE.to_string()),
            work_factor: Some(10),
        };
        let mut vault = LockedVault::open(data.path())
            .unwrap()
            .create(KeySetup {
                keychain: None,
                passphrase: Some(&passphrase),
            })
            .unwrap();
        let mut draft = vault.new_draft(flow).unwrap();
        draft.answers = answers.to_json(flow);
        vault.save(&mut draft).unwrap();
    }
    let (gateway_url, sim_phone, sim, db) = gateway(data.path()).await;
    let app = launch_with(
        data.path(),
        saves.path(),
        &[("ETJANST_GATEWAY", &gateway_url)],
    )
    .await;
    app.heading("Kommunens e-tjänster").await;
    app.click_text("button", "Mina utkast").await;
    app.type_into("#passphrase", PASSPHRASE).await;
    app.keys(ENTER).await;
    app.heading("Mina utkast").await;
    app.click_text("button", "Fortsätt").await;
    // Every step is complete: the last one opens from the step list, and on to the review.
    app.find("#next-step").await;
    app.find(".steps button").await;
    let last = app
        .js("const b = [...document.querySelectorAll('.steps button')]; b[b.length - 1].click(); return b.length")
        .await;
    assert!(
        last.as_i64().unwrap_or(0) >= 1,
        "no later step can be opened"
    );
    app.click("#next-step").await;
    app.heading("Granska och skriv ut").await;
    app.click("#submit-online").await;
    app.heading("Skicka in ansökan").await;
    app.click("#send").await;
    let signer = app.find("#signer").await.text().await.unwrap();
    assert!(
        signer.contains("19920505-2385"),
        "the line before signing does not name the applicant: {signer}"
    );
    // Åsa signs; the second guardian must too. The waiting screen takes focus, lists who has
    // signed and who is awaited, and offers both ways: here now, or the code to pass on.
    sign_pending_as(&app, &sim_phone, &sim, &db, "199205052385").await;
    app.with_text("h2", "Nu ska Vårdnadshavare 2 skriva under")
        .await;
    waiting_heading_has_focus(&app).await;
    app.with_text("li", "Åsa Öberg").await;
    app.with_text("strong", "väntar på underskrift").await;
    let code = app.find("#signing-code").await.text().await.unwrap();
    assert_eq!(
        etjanst::submit::normalise_code(&code).as_deref(),
        Some(code.trim()),
        "{code}"
    );
    app.shot("submit-waiting").await;
    app.axe("submit, waiting for the second guardian").await;
    // Closed and opened again from the outbox, it still waits, with the same code.
    app.click("#leave-waiting").await;
    app.heading("Mina utkast").await;
    app.with_text("p", "Väntar på att Vårdnadshavare 2 skriver under")
        .await;
    app.click_text("button", "Se hur det går").await;
    app.focus_on_heading("Skicka in ansökan").await;
    app.with_text("h2", "Nu ska Vårdnadshavare 2 skriva under")
        .await;
    assert_eq!(app.find("#signing-code").await.text().await.unwrap(), code);
    // Jonas is here: his own order, named on screen, and the case is filed with both.
    app.click("#sign-here").await;
    app.with_text("h2", "Nu ska Vårdnadshavare 2 skriva under")
        .await;
    app.with_text("p", "Bara Vårdnadshavare 2s eget BankID")
        .await;
    sign_pending_as(&app, &sim_phone, &sim, &db, "199306102394").await;
    app.heading("är inskickad").await;
    app.with_text("dt", "Underskriven av Vårdnadshavare 2")
        .await;
    app.with_text("dd", "Jonas Öberg").await;
    app.with_text("dd", "Åsa Öberg").await;
    assert_eq!(cases_filed(&db, 1).await, 1);
    app.quit().await;
}

/// Tolvan applies for ekonomiskt bistånd through the gateway, as his own etjanst would, and
/// signs; the application then waits for the co-applicant. The signing code he passes on.
async fn applied_and_signed(
    gateway: &str,
    sim_phone: &reqwest::Client,
    sim: &str,
    db: &std::path::Path,
) -> String {
    let mut document: Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../forms/examples/ekonomiskt-bistand.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let files: Vec<(String, Vec<u8>)> = vec![
        (
            "kontoutdrag-september-november.pdf".into(),
            b"%PDF-1.7 kontoutdrag".to_vec(),
        ),
        (
            "hyresavi-december.pdf".into(),
            b"%PDF-1.7 hyresavi".to_vec(),
        ),
    ];
    for answer in document["answers"].as_object_mut().unwrap().values_mut() {
        for file in answer.as_array_mut().into_iter().flatten() {
            if let Some((_, data)) = files.iter().find(|(name, _)| file["name"] == *name) {
                file["size"] = data.len().into();
            }
        }
    }
    let key = etjanst::submit::new_key().unwrap();
    let http = reqwest::Client::new();
    let v: Value = http
        .post(format!("{gateway}/api/v1/submissions"))
        .header("Idempotency-Key", &key)
        .header("Content-Type", "application/json")
        .body(etjanst::submit::upload_body(&document, &files))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = v["submissionId"].as_str().unwrap().to_string();
    let status = || async {
        http.get(format!("{gateway}/api/v1/submissions/{id}/sign"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let started: Value = http
        .post(format!("{gateway}/api/v1/submissions/{id}/sign"))
        .bearer_auth(&key)
        .json(&json!({ "sameDevice": true }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    phone(
        sim_phone,
        sim,
        "autostart",
        json!({ "autoStartToken": started["autoStartToken"] }),
    )
    .await;
    for _ in 0..100 {
        if status().await["hintCode"] == "userSign" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let order: String = rusqlite::Connection::open(db)
        .unwrap()
        .query_row(
            "SELECT order_ref FROM submissions WHERE id = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    phone(
        sim_phone,
        sim,
        "approve",
        json!({ "orderRef": order, "personalNumber": "199908072391" }),
    )
    .await;
    for _ in 0..100 {
        if status().await["status"] == "waiting" {
            return etjanst::submit::signing_code(&key);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("Tolvan's signature did not come through");
}

/// The co-applicant, at her own computer with nothing of Tolvan's on it, opens his application
/// with the code he gave her: she identifies with BankID before anything is shown, reads what
/// he signed, and signs; the case is filed with both signatures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_signer_signs_with_the_code_in_the_window() {
    tokio::time::timeout(std::time::Duration::from_secs(300), cosign_flow())
        .await
        .expect("the signing-code test did not finish in 5 minutes");
}

async fn cosign_flow() {
    let _one = SERIAL.lock().await;
    let data = tempfile::tempdir().unwrap();
    let saves = tempfile::tempdir().unwrap();
    let (gateway_url, sim_phone, sim, db) = gateway(data.path()).await;
    let code = applied_and_signed(&gateway_url, &sim_phone, &sim, &db).await;
    let hers = data.path().join("asas-dator");
    let app = launch_with(&hers, saves.path(), &[("ETJANST_GATEWAY", &gateway_url)]).await;
    app.heading("Kommunens e-tjänster").await;
    app.click("#start-cosign").await;
    app.focus_on_heading("Skriv under med kod").await;
    // A mistyped code: said at the field, which keeps the focus.
    app.type_into("#signing-code-input", "K7QM-2XPA").await;
    app.keys(ENTER).await;
    app.with_text("p", "Det där är ingen underskriftskod").await;
    app.axe("cosign, a wrong code").await;
    app.js("document.getElementById('signing-code-input').value = ''; document.getElementById('signing-code-input').dispatchEvent(new Event('input'))")
        .await;
    app.type_into(
        "#signing-code-input",
        &code.to_lowercase().replace('-', " "),
    )
    .await;
    app.keys(ENTER).await;
    app.with_text("h2", "Du ska skriva under som Medsökande")
        .await;
    assert!(
        !app.present_text("p", "Bergslagsvägen").await,
        "the application is shown before BankID"
    );
    app.axe("cosign, identify").await;
    app.click("#cosign-identify").await;
    sign_pending_as(&app, &sim_phone, &sim, &db, "199511242381").await;
    app.with_text("h2", "Läs ansökan").await;
    app.with_text("span", "Bergslagsvägen 4 B").await;
    app.with_text("li", "Tolvan Tolvansson").await;
    app.shot("cosign-read").await;
    app.axe("cosign, read").await;
    app.click("#cosign-sign").await;
    sign_pending_as(&app, &sim_phone, &sim, &db, "199511242381").await;
    app.with_text("h2", "Ansökan är inskickad").await;
    let case = app.find("#case-number").await.text().await.unwrap();
    assert!(case.parse::<i64>().is_ok(), "{case}");
    app.with_text("li", "Åsa Öberg-Ławniczak").await;
    assert_eq!(cases_filed(&db, 1).await, 1);
    app.quit().await;
    // Nothing of the application on her computer.
    let marker = "Bergslagsvägen";
    assert!(
        holding(&[&hers], marker).is_empty(),
        "the application was written to her computer"
    );
}

/// "Mina uppgifter": typed once (a wrong personnummer refused at its field), the citizen's
/// details fill the applicant's questions of a new form, marked "Från Mina uppgifter" — not the
/// second guardian's, not the child's — and changed there without changing the profile; the
/// storage report is one link away; erased, they are gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_details_fill_the_applicants_questions() {
    tokio::time::timeout(std::time::Duration::from_secs(300), profile_flow())
        .await
        .expect("the profile test did not finish in 5 minutes");
}

async fn profile_flow() {
    let _one = SERIAL.lock().await;
    let data = tempfile::tempdir().unwrap();
    let saves = tempfile::tempdir().unwrap();
    let app = launch(data.path(), saves.path()).await;
    app.heading("Kommunens e-tjänster").await;
    app.click_text("button", "Mina uppgifter").await;
    app.heading("Mina uppgifter").await;
    app.click("#profile-unlock").await;
    app.type_into("#passphrase", PASSPHRASE).await;
    app.type_into("#passphrase-again", PASSPHRASE).await;
    app.keys(ENTER).await;
    app.heading("Mina uppgifter").await;
    app.type_into("#q-profile-firstName", "Ingeborg").await;
    app.type_into("#q-profile-lastName", "Qvarnström").await;
    app.type_into("#q-profile-personnummer", "19990807-2392")
        .await;
    app.type_into("#q-profile-email", "ingeborg@exempel.se")
        .await;
    app.click("#profile-save").await;
    app.with_text("p", "Kontrollsiffran").await;
    app.axe("my details, a wrong personnummer").await;
    app.js("const e = document.getElementById('q-profile-personnummer'); e.value = ''; e.dispatchEvent(new Event('input'))")
        .await;
    app.type_into("#q-profile-personnummer", "19990807-2391")
        .await;
    app.click("#profile-save").await;
    app.with_text("p", "Dina uppgifter är sparade.").await;
    app.js("window.scrollTo(0, 0)").await;
    app.shot("my-details").await;
    app.axe("my details").await;
    app.click("#to-stored").await;
    app.heading("Det här sparas på datorn").await;
    app.axe("what is stored on this computer").await;
    // Help and the accessibility statement, from every screen's footer.
    app.click("#help").await;
    app.focus_on_heading("Hjälp").await;
    app.with_text("h2", "Skyddade personuppgifter").await;
    app.with_text("p", "Ring 0581-810 00.").await;
    app.axe("help").await;
    app.click("#statement").await;
    app.focus_on_heading("Tillgänglighetsredogörelse").await;
    app.with_text("p", "etjanst är delvis förenlig").await;
    app.with_text("span", "https://www.digg.se/tdosanmalan")
        .await;
    app.with_text("li", "WCAG 2.1 framgångskriterium 1.3.1")
        .await;
    app.shot("statement").await;
    app.axe("accessibility statement").await;

    // A new form: the applicant's details are filled and marked.
    app.click_text("button", "E-tjänster").await;
    app.type_into("#search", "förskola").await;
    app.click_text("button", "Ansökan om plats i förskola")
        .await;
    app.click_text("button", "Fyll i").await;
    let value = |id: &'static str| {
        let app = &app;
        async move {
            app.js(&format!("return document.getElementById('{id}').value"))
                .await
                .as_str()
                .unwrap_or_default()
                .to_string()
        }
    };
    app.find("#q-4101-firstName").await;
    assert_eq!(value("q-4101-firstName").await, "Ingeborg");
    assert_eq!(value("q-4101-citizenId").await, "19990807-2391");
    app.with_text("p", "Från Mina uppgifter").await;
    let described = app
        .js("return document.getElementById('q-4101-email').getAttribute('aria-describedby')")
        .await;
    assert!(
        described
            .as_str()
            .unwrap_or_default()
            .contains("q-4101-email-note"),
        "the mark is not read with the field: {described}"
    );
    app.axe("form with my details").await;
    app.shot("form-my-details").await;
    // Changed in this form only: the mark goes, the profile stays.
    app.js("const e = document.getElementById('q-4101-email'); e.value = ''; e.dispatchEvent(new Event('input'))")
        .await;
    app.type_into("#q-4101-email", "annan@exempel.se").await;
    app.saved().await;
    app.gone("#q-4101-email-note").await;
    app.find("#q-4101-firstName-note").await;
    app.find("#keep-in-profile").await;
    app.click_text("button", "Mina uppgifter").await;
    app.heading("Mina uppgifter").await;
    assert_eq!(value("q-profile-email").await, "ingeborg@exempel.se");
    // Unless the citizen asks: "Spara i Mina uppgifter" under their details in the form.
    app.click_text("button", "Mina utkast").await;
    app.heading("Mina utkast").await;
    app.click_text("button", "Fortsätt").await;
    app.click("#keep-in-profile").await;
    app.with_text("p", "Dina uppgifter är sparade i Mina uppgifter.")
        .await;
    app.find("#q-4101-email-note").await;
    app.gone("#keep-in-profile").await;
    app.click_text("button", "Mina uppgifter").await;
    app.heading("Mina uppgifter").await;
    assert_eq!(value("q-profile-email").await, "annan@exempel.se");

    app.click("#profile-erase").await;
    app.click("dialog button.danger").await;
    app.with_text("p", "Dina uppgifter är raderade").await;
    assert_eq!(value("q-profile-firstName").await, "");
    app.quit().await;
    assert!(
        holding(&[data.path()], "Qvarnström").is_empty(),
        "the details are on disk in clear"
    );
}

/// The waiting screen's heading has the focus (so a screen reader reads it once).
async fn waiting_heading_has_focus(app: &App) {
    for _ in 0..50 {
        let id = app
            .js("return document.activeElement && document.activeElement.id")
            .await;
        if id == "waiting-title" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let at = app
        .js("const e = document.activeElement; return e ? e.tagName + '#' + e.id + ' ' + e.textContent.slice(0, 60) : null")
        .await;
    panic!("the waiting screen's heading did not take the focus: {at}");
}

/// Where WebKit keeps the app's website data for this account when it is not incognito.
fn webkit_home() -> std::path::PathBuf {
    std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
        .join(".local/share/se.etjanst.desktop")
}

/// Every file under `dirs` that holds `marker`, as UTF-8 or as UTF-16 (WebKit's storage).
fn holding(dirs: &[&std::path::Path], marker: &str) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() && !p.is_symlink() {
                walk(&p, out);
            } else if p.is_file() {
                out.push(p);
            }
        }
    }
    let utf16: Vec<u8> = marker.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut files = Vec::new();
    for d in dirs {
        walk(d, &mut files);
    }
    files
        .into_iter()
        .filter(|p| {
            let bytes = std::fs::read(p).unwrap_or_default();
            [marker.as_bytes(), &utf16]
                .iter()
                .any(|m| bytes.windows(m.len()).any(|w| w == *m))
        })
        .collect()
}

/// A library's computer in kiosk mode: a visitor fills a form and prints it (straight to the
/// administrator's printer, nothing saved), the countdown asks whether they are still there,
/// then their session runs out; nothing they typed is left in the data folder, the home
/// folder or the temporary folder, and the next visitor starts with no drafts. "Avsluta och
/// radera" does the same at once, and only the administrator's code leaves kiosk mode.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_keeps_nothing_of_a_visitor() {
    tokio::time::timeout(std::time::Duration::from_secs(420), kiosk_flow())
        .await
        .expect("the kiosk test did not finish in 7 minutes");
}

async fn kiosk_flow() {
    use std::os::unix::fs::PermissionsExt;
    let _one = SERIAL.lock().await;
    let data = tempfile::tempdir().unwrap();
    let saves = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let printer = tempfile::tempdir().unwrap();
    let path = fake_printer(printer.path());
    // Nothing may open a browser: a stand-in records it if anything tries.
    let opened = printer.path().join("opened");
    for opener in ["xdg-open", "gio"] {
        let bin = printer.path().join("bin").join(opener);
        std::fs::write(
            &bin,
            format!("#!/bin/sh\necho \"$@\" >> '{}'\n", opened.display()),
        )
        .unwrap();
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    // The visitor's USB stick, the one folder files may be attached from.
    let stick = tempfile::tempdir().unwrap();
    let attached = "BILAGA-MARKÖR-91c4";
    std::fs::write(
        stick.path().join("intyg.pdf"),
        format!("%PDF-1.4\n% {attached}\n"),
    )
    .unwrap();
    let config = printer.path().join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            "idle_timeout = 35\nidle_warning = 8\nprinter = \"Bibliotekets-skrivare\"\nattachments = true\nattachment_folders = [{:?}]\nadmin_code = \"{}\"\n",
            stick.path().to_str().unwrap(),
            etjanst::kiosk::admin::hash("bibliotek-42", Some(10)).unwrap()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let marker = "MARKÖR-BESÖKARE-5d2e";
    let kiosk_env = [
        ("ETJANST_KIOSK_CONFIG", config.to_str().unwrap()),
        ("PATH", path.as_str()),
        ("TMPDIR", tmp.path().to_str().unwrap()),
    ];
    let app = launch_with(data.path(), saves.path(), &kiosk_env).await;
    app.heading("Kommunens e-tjänster").await;
    assert!(
        !app.present_text("button", "Inställningar").await,
        "a visitor reaches the settings"
    );
    // A link is shown as its address and a QR code, never opened.
    app.type_into("#search", "lediga jobb").await;
    app.click_text("button", "Lediga jobb i Lindesbergs kommun")
        .await;
    app.click_text("button", "Öppna e-tjänsten på webben").await;
    app.with_text("dialog[@open]//h2", "Länken öppnas inte här")
        .await;
    app.find("dialog[open] svg[role=img] path").await;
    app.axe("kiosk link").await;
    app.click_text("dialog[@open]//button", "Stäng").await;
    app.gone("dialog[open]").await;
    // Nor can the page go elsewhere or download.
    app.js("location.href = 'https://example.org/'; return null")
        .await;
    app.js(
        "const a = document.createElement('a'); a.href = URL.createObjectURL(new Blob(['NEDLADDNING-MARKÖR'])); a.download = 'x.txt'; document.body.append(a); a.click(); return null",
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert!(
        app.js("return location.protocol").await.as_str() != Some("https:"),
        "the page left the app"
    );
    app.heading("Lediga jobb i Lindesbergs kommun").await;
    app.click_text("button", "E-tjänster").await;
    // No passphrase: the visitor's drafts are sealed with a key the session holds.
    fill_synpunkt(&app, marker).await;
    app.click("#make-pdf").await;
    app.find("#pdf-made").await;
    assert!(
        !app.present("#pdf-save").await,
        "a kiosk offers to save the PDF"
    );
    app.click("#pdf-print").await;
    app.with_text("p", "Skickad till Bibliotekets-skrivare")
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let jobs = std::fs::read_dir(printer.path().join("jobs"))
        .unwrap()
        .count();
    assert_eq!(jobs, 1, "the PDF did not reach the printer");

    // A file is attached from the stick, and only from there.
    app.click("#change-6105").await;
    app.heading("Din synpunkt").await;
    assert!(
        !app.present("input[type=file]").await,
        "a kiosk offers the computer's files"
    );
    app.find("#q-6105-input")
        .await
        .select_by_value(stick.path().join("intyg.pdf").to_str().unwrap())
        .await
        .unwrap();
    app.click("#q-6105-add").await;
    app.with_text("li/span", "intyg.pdf").await;
    app.saved().await;

    // A PDF blankett, filled and printed: no save offered, nothing of it left afterwards.
    let blankett_marker = "BLANKETT-MARKÖR-77a1";
    app.click_text("button", "E-tjänster").await;
    app.type_into("#search", "bostadsanpassning").await;
    app.click_text("button", "Ansökan om bostadsanpassningsbidrag")
        .await;
    app.click_text("button", "Fyll i blanketten här").await;
    app.with_text("h2", "Blankettens fält").await;
    app.type_into("#q-bl0", blankett_marker).await;
    app.saved().await;
    app.click_text("button", "Gör PDF för utskrift").await;
    app.find("#pdf-made").await;
    assert!(
        !app.present("#pdf-save").await,
        "a kiosk offers to save the blankett"
    );
    app.click("#pdf-print").await;
    app.with_text("p", "Skickad till Bibliotekets-skrivare")
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let jobs = std::fs::read_dir(printer.path().join("jobs"))
        .unwrap()
        .count();
    assert_eq!(jobs, 2, "the blankett did not reach the printer");

    // Left alone: the countdown asks, "Jag är kvar" keeps the session.
    let t0 = std::time::Instant::now();
    while !app.present("dialog#idle-warning[open]").await {
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(40),
            "no countdown after the idle time"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    app.with_text("dialog[@id='idle-warning' and @open]//h2", "Är du kvar?")
        .await;
    assert_eq!(app.focused().await, "still-here");
    app.click("#still-here").await;
    app.click_text("button", "Mina utkast").await;
    app.with_text("h2", "Lämna synpunkt eller klagomål").await;

    // Then the countdown runs out: a fresh start, with nothing of the visitor.
    let t0 = std::time::Instant::now();
    while app
        .present_text("h2", "Lämna synpunkt eller klagomål")
        .await
    {
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(60),
            "the session did not end when the countdown ran out"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    app.heading("Kommunens e-tjänster").await;
    for m in [marker, attached, "NEDLADDNING-MARKÖR", blankett_marker] {
        let left = holding(&[data.path(), tmp.path(), saves.path(), &webkit_home()], m);
        assert!(left.is_empty(), "the visitor's {m} is left in {left:?}");
    }
    app.click_text("button", "Mina utkast").await;
    app.with_text("p", "Du har inga utkast").await;

    // "Avsluta och radera" at once; a draft kept with the visitor's code comes back in the
    // next session with its number and the code, and with nothing else.
    app.click_text("button", "E-tjänster").await;
    fill_synpunkt(&app, "Andra besökarens text").await;
    app.click_text("button", "Mina utkast").await;
    app.click_text("button", "Spara med egen kod").await;
    app.type_into("#keep-code", "min egen kod 7").await;
    app.type_into("#keep-code-again", "min egen kod 7").await;
    app.click_text("dialog//button", "Spara med egen kod").await;
    let number = app.find("#kept-number").await.text().await.unwrap();
    assert_eq!(app.focused().await, "kept-title");
    app.shot("kiosk-kept").await;
    app.axe("kept draft").await;
    // The visitor's details, for this visit only unless kept with a code of their own.
    let surname = "Besökarsson";
    app.click_text("button", "Mina uppgifter").await;
    app.heading("Mina uppgifter").await;
    app.with_text("p", "De finns bara tills du avslutar besöket")
        .await;
    assert!(
        !app.present("#profile-export").await,
        "a kiosk offers to save the details as a file"
    );
    app.type_into("#q-profile-firstName", "Ingeborg").await;
    app.type_into("#q-profile-lastName", surname).await;
    app.type_into("#q-profile-personnummer", "19990807-2391")
        .await;
    app.click("#profile-keep").await;
    app.type_into("#keep-code", "mina uppgifter 9").await;
    app.type_into("#keep-code-again", "mina uppgifter 9").await;
    app.click_text("dialog//button", "Spara med egen kod").await;
    app.with_text("h2", "Dina uppgifter är sparade").await;
    let details_number = app.find("#kept-number").await.text().await.unwrap();
    assert_eq!(app.focused().await, "kept-title");
    app.axe("kiosk details kept").await;
    app.js("window.scrollTo(0, 0)").await;
    app.shot("kiosk-my-details").await;
    // Not even a page gone wrong can erase the kiosk's folder with others' kept things in it.
    let refused = app
        .js("return window.__TAURI_INTERNALS__.invoke('erase_all').then(() => 'erased', (e) => String(e))")
        .await;
    assert!(
        refused
            .as_str()
            .unwrap_or_default()
            .contains("Avsluta och radera"),
        "{refused}"
    );
    let kept = std::fs::read_dir(data.path().join("kiosk-kept"))
        .unwrap()
        .count();
    assert_eq!(kept, 2, "the kept draft and details");
    app.click("#end-session").await;
    app.click("dialog button.danger").await;
    app.heading("Kommunens e-tjänster").await;
    let left = holding(&[data.path(), tmp.path(), &webkit_home()], surname);
    assert!(left.is_empty(), "the kept details are in clear in {left:?}");
    // The next visitor has no details and sees none.
    app.click_text("button", "Mina uppgifter").await;
    app.heading("Mina uppgifter").await;
    let first_name = || async {
        app.js("return document.getElementById('q-profile-firstName').value")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(first_name().await, "", "the last visitor's details show");
    app.click_text("button", "Mina utkast").await;
    app.with_text("p", "Du har inga utkast").await;
    app.click("#resume-kept").await;
    app.type_into("#kept-number-input", &number).await;
    app.type_into("#kept-code", "inte min kod alls").await;
    app.click_text("dialog//button", "Hämta").await;
    app.with_text("dialog//p", "Fel kod.").await;
    assert_eq!(app.focused().await, "kept-code");
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    app.find("#kept-code").await.clear().await.unwrap();
    app.type_into("#kept-code", "min egen kod 7").await;
    app.click_text("dialog//button", "Hämta").await;
    app.with_text("h2", "Lämna synpunkt eller klagomål").await;
    // The details come back the same way, on Mina uppgifter, and fill a new form.
    app.click_text("button", "Mina uppgifter").await;
    app.heading("Mina uppgifter").await;
    app.click("#resume-kept").await;
    app.type_into("#kept-number-input", &details_number).await;
    app.type_into("#kept-code", "mina uppgifter 9").await;
    app.click_text("dialog//button", "Hämta").await;
    app.with_text("p", "Dina uppgifter är hämtade.").await;
    assert_eq!(first_name().await, "Ingeborg");
    app.click_text("button", "E-tjänster").await;
    app.type_into("#search", "förskola").await;
    app.click_text("button", "Ansökan om plats i förskola")
        .await;
    app.click_text("button", "Fyll i").await;
    app.find("#q-4101-firstName").await;
    assert_eq!(
        app.js("return document.getElementById('q-4101-citizenId').value")
            .await
            .as_str(),
        Some("19990807-2391")
    );
    app.with_text("p", "Från Mina uppgifter").await;
    app.click("#end-session").await;
    app.click("dialog button.danger").await;
    app.heading("Kommunens e-tjänster").await;
    let left = holding(&[data.path(), tmp.path(), &webkit_home()], surname);
    assert!(
        left.is_empty(),
        "the visitor's details are left in {left:?}"
    );

    // Killed in the middle of a visit: what it left is ciphertext, and the next start
    // clears it.
    fill_synpunkt(&app, "Tredje besökarens text").await;
    kill(app).await;
    let left = holding(&[data.path(), tmp.path()], "Tredje besökarens text");
    assert!(
        left.is_empty(),
        "a killed session left plaintext in {left:?}"
    );
    let app = launch_with(data.path(), saves.path(), &kiosk_env).await;
    app.heading("Kommunens e-tjänster").await;
    app.click_text("button", "Mina utkast").await;
    app.with_text("p", "Du har inga utkast").await;
    let left = holding(
        &[data.path(), tmp.path(), &webkit_home()],
        "Tredje besökarens text",
    );
    assert!(left.is_empty(), "a killed session is left in {left:?}");

    // Only the administrator's code leaves kiosk mode.
    app.chord_of(&[CONTROL, ALT, SHIFT, 'a']).await;
    app.type_into("#admin-code", "fel-kod-123").await;
    app.click_text("dialog//button", "Lämna kioskläget").await;
    app.with_text("dialog//p", "Fel kod.").await;
    app.type_into("#admin-code", "bibliotek-42").await;
    app.click_text("dialog//button", "Lämna kioskläget").await;
    let t0 = std::time::Instant::now();
    while app_running() {
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(10),
            "the right code did not end kiosk mode"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let left = holding(
        &[data.path(), tmp.path(), &webkit_home()],
        "Andra besökarens text",
    );
    assert!(
        left.is_empty(),
        "the second visitor's words are left in {left:?}"
    );
    assert!(
        !opened.exists(),
        "the kiosk opened {:?}",
        std::fs::read_to_string(&opened)
    );
}

/// No clean close: the app's process is killed, then the WebDriver session ends.
async fn kill(app: App) {
    let killed = std::process::Command::new("pkill")
        .args(["-KILL", "-f", env!("CARGO_BIN_EXE_etjanst-desktop")])
        .status()
        .unwrap();
    assert!(killed.success(), "the app was not running");
    app.quit().await;
}

/// Opens "Lämna synpunkt", unlocks or makes the vault, fills it with `text` and goes to Review.
async fn fill_synpunkt(app: &App, text: &str) {
    app.type_into("#search", "synpunkt").await;
    app.click_text("button", "Lämna synpunkt eller klagomål")
        .await;
    app.click_text("button", "Fyll i").await;
    if app.present("#passphrase-again").await {
        app.type_into("#passphrase", PASSPHRASE).await;
        app.type_into("#passphrase-again", PASSPHRASE).await;
        app.keys(ENTER).await;
    }
    app.heading("Din synpunkt").await;
    app.find("#q-6102-input")
        .await
        .select_by_value("610205")
        .await
        .unwrap();
    app.click("#q-6103-610303").await;
    app.type_into("#q-6104-input", text).await;
    app.saved().await;
    app.click_text("button", "Nästa steg").await;
    app.heading("Svar").await;
    app.click("#q-6106-610603").await;
    app.saved().await;
    app.click_text("button", "Granska").await;
    app.heading("Granska och skriv ut").await;
}

/// The case is filed: `db`'s count of cases, waited for up to 10 s to reach `n`.
async fn cases_filed(db: &std::path::Path, n: i64) -> i64 {
    let count = || -> i64 {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row("SELECT count(*) FROM cases", [], |r| r.get(0))
            .unwrap()
    };
    for _ in 0..100 {
        if count() == n {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    count()
}

/// Signs the one pending order in `db` on "this computer" as Tolvan, once the window says the
/// app asks for the security code.
async fn sign_pending(app: &App, sim_phone: &reqwest::Client, sim: &str, db: &std::path::Path) {
    sign_pending_as(app, sim_phone, sim, db, "199908072391").await;
}

/// The pending order opened on this computer and signed as `personal_number`.
async fn sign_pending_as(
    app: &App,
    sim_phone: &reqwest::Client,
    sim: &str,
    db: &std::path::Path,
    personal_number: &str,
) {
    // The order the window's click started, once the gateway has it.
    let mut pending = None;
    for _ in 0..100 {
        pending = rusqlite::Connection::open(db)
            .unwrap()
            .query_row(
                "SELECT auto_start_token, order_ref FROM submissions WHERE order_status = 'pending'",
                [],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .ok();
        if pending.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (token, order) = pending.expect("no BankID order was started");
    phone(
        sim_phone,
        sim,
        "autostart",
        json!({ "autoStartToken": token }),
    )
    .await;
    app.with_text("p", "Söker efter BankID").await;
    app.with_text("p", "Skriv in din säkerhetskod").await;
    phone(
        sim_phone,
        sim,
        "approve",
        json!({ "orderRef": order, "personalNumber": personal_number }),
    )
    .await;
}

/// The connection is cut just as the receipt comes back, and the citizen closes the app: the
/// case is filed but the computer never heard. Back on a good network the next day, "Skriv
/// under" in the outbox collects that receipt instead of filing a second case, and the draft
/// goes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_receipt_is_collected_when_the_citizen_tries_again() {
    tokio::time::timeout(std::time::Duration::from_secs(300), lost_receipt_flow())
        .await
        .expect("the lost-receipt test did not finish in 5 minutes");
}

async fn lost_receipt_flow() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let _one = SERIAL.lock().await;
    let data = tempfile::tempdir().unwrap();
    let saves = tempfile::tempdir().unwrap();
    let (gateway_url, sim_phone, sim, db) = gateway(data.path()).await;
    let cutting = std::sync::Arc::new(AtomicBool::new(true));
    let proxy = etjanst_gateway::faults::receipt_cutting_proxy(&gateway_url, cutting.clone()).await;
    let env = [("ETJANST_GATEWAY", proxy.as_str())];
    let app = launch_with(data.path(), saves.path(), &env).await;
    app.heading("Kommunens e-tjänster").await;
    fill_synpunkt(&app, "Belysningen vid Lindbacka skola är trasig.").await;
    app.click("#submit-online").await;
    app.click("#send").await;
    app.with_text("p", "Kod att jämföra:").await;
    sign_pending(&app, &sim_phone, &sim, &db).await;
    assert_eq!(cases_filed(&db, 1).await, 1);
    // Polls meanwhile lose every answer with the receipt.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert!(
        !app.present_text("h1", "Din synpunkt är inskickad").await,
        "the receipt was cut, yet the window has it"
    );
    app.quit().await;

    cutting.store(false, Ordering::SeqCst);
    let app = launch_with(data.path(), saves.path(), &env).await;
    app.click_text("button", "Mina utkast").await;
    app.type_into("#passphrase", PASSPHRASE).await;
    app.keys(ENTER).await;
    app.with_text("h2", "Utkorgen").await;
    app.click_text("button", "Skriv under").await;
    app.click("#send").await;
    app.heading("Din synpunkt är inskickad").await;
    app.with_text("dd", "Tolvan Tolvansson").await;
    let case = app.find("#case-number").await.text().await.unwrap();
    assert_eq!(cases_filed(&db, 1).await, 1, "one case, not two");
    app.click_text("button", "Till Mina utkast").await;
    app.heading("Mina utkast").await;
    app.with_text("td", &case).await;
    assert!(
        !app.present_text("h2", "Utkorgen").await,
        "the outbox is empty"
    );
    assert!(
        !app.present_text("button", "Fortsätt").await,
        "the draft is gone, and no notice offers to continue it"
    );
    app.quit().await;
}

/// Where focus goes and what is kept when the citizen moves about: a new group row's heading
/// takes focus and is announced; leaving a form by the top navigation straight after typing
/// keeps what was typed and closes the draft (no "a draft was open" notice at the next start).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn focus_and_saves_follow_the_citizen() {
    let _one = SERIAL.lock().await;
    let data = tempfile::tempdir().unwrap();
    let saves = tempfile::tempdir().unwrap();
    let app = launch(data.path(), saves.path()).await;
    app.type_into("#search", "matförgiftning").await;
    app.click_text("button", "Anmäl misstänkt matförgiftning")
        .await;
    app.focus_on_heading("matförgiftning").await;
    app.click_text("button", "Fyll i").await;
    app.type_into("#passphrase", PASSPHRASE).await;
    app.type_into("#passphrase-again", PASSPHRASE).await;
    app.keys(ENTER).await;
    app.heading("Om händelsen").await;
    app.focus_on_heading("Om händelsen").await;
    // The date's format is said before typing, by the core, and read with the field.
    let hint = app
        .find("#q-5102-510201-format")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(hint, "Svara med ett datum (ÅÅÅÅ-MM-DD).");
    let described = app
        .js("return document.getElementById('q-5102-510201').getAttribute('aria-describedby')")
        .await;
    assert_eq!(described.as_str(), Some("q-5102-510201-format"));

    app.click("#q-5105-add").await;
    app.find("#q-5105-r1-title").await;
    let t0 = std::time::Instant::now();
    while app.focused().await != "q-5105-r1-title" {
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(5),
            "focus stayed on {:?}, not the new row's heading",
            app.focused().await
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    app.with_text("div[@role='status']", "Rad 2 är tillagd.")
        .await;

    // Typing says nothing to a screen reader (no live region changes: not "Sparar …", not a
    // count after every key) and turns nothing red.
    app.js(
        "window.__said = []; const o = new MutationObserver((m) => { for (const r of m) window.__said.push((r.target.parentElement || r.target).outerHTML.slice(0, 120)); }); \
         document.querySelectorAll('[aria-live], [role=status], [role=alert]').forEach((e) => \
         o.observe(e, { subtree: true, childList: true, characterData: true })); return null",
    )
    .await;
    app.type_into("#q-5103-input", "Räksmörgås och ett glas mjölk")
        .await;
    app.type_into("#q-5102-510201", "i lördags").await;
    let said = app.js("return window.__said").await;
    assert_eq!(said, json!([]), "live regions changed while typing");
    let red = app
        .js("return [...document.querySelectorAll('.has-error')].map((e) => e.id || e.className).join(', ')")
        .await;
    assert_eq!(red.as_str(), Some(""), "an error while typing");

    // Typed, and away at once through the top navigation, before the autosave's pause.
    app.type_into("#q-5101-510101", "Restaurang Kungsgatan")
        .await;
    app.click_text("button[@class='nav']", "Mina utkast").await;
    app.heading("Mina utkast").await;
    app.quit().await;

    let app = launch(data.path(), saves.path()).await;
    app.click_text("button", "Mina utkast").await;
    app.type_into("#passphrase", PASSPHRASE).await;
    app.keys(ENTER).await;
    app.heading("Mina utkast").await;
    assert!(
        !app.present_text("h2", "Ett utkast var öppet").await,
        "the draft was left marked open"
    );
    app.click_text("button", "Fortsätt").await;
    app.heading("Om händelsen").await;
    assert_eq!(app.value("#q-5101-510101").await, "Restaurang Kungsgatan");
    app.quit().await;
}

/// An application that cannot reach the gateway waits in the outbox; the citizen can take it
/// out (asked first) and keeps the draft.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_can_be_taken_out_of_the_outbox() {
    let _one = SERIAL.lock().await;
    let data = tempfile::tempdir().unwrap();
    let saves = tempfile::tempdir().unwrap();
    // Nothing listens there: the upload waits.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let gateway = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let app = launch_with(data.path(), saves.path(), &[("ETJANST_GATEWAY", &gateway)]).await;
    app.heading("Kommunens e-tjänster").await;
    fill_synpunkt(&app, "Gångvägen vid ån behöver plogas.").await;
    app.click("#submit-online").await;
    app.click("#send").await;
    app.with_text("h2", "Väntar på att skickas").await;
    // A library's own words stay out of the Swedish sentence, folded under their own name.
    app.with_text("summary", "Tekniska detaljer").await;
    let notice = app
        .js("return document.querySelector('.notice p').textContent")
        .await;
    let notice = notice.as_str().unwrap_or_default();
    assert!(
        notice.starts_with("Ansökan väntar på att skickas.") && !notice.contains("error"),
        "{notice}"
    );
    app.click_text("button", "Till Mina utkast").await;
    app.with_text("h2", "Utkorgen").await;
    app.click_text("button", "Ta bort ur utkorgen").await;
    app.with_text("dialog//p", "skickas inte in").await;
    app.click("dialog button.danger").await;
    app.with_text("p", "Ansökan är borttagen ur utkorgen").await;
    assert!(!app.present_text("h2", "Utkorgen").await);
    assert!(
        app.present_text("button", "Fortsätt").await,
        "the draft stays"
    );
    app.quit().await;
}

/// A question only the web can answer (an imported flow with a map) is named on the service's
/// page before the citizen starts, and at the question, each with the way to the website.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_only_the_web_can_answer_are_said_up_front() {
    let _one = SERIAL.lock().await;
    let data = tempfile::tempdir().unwrap();
    let saves = tempfile::tempdir().unwrap();
    // Imported as `etjanst import` does, from the file an administrator exported from OeP.
    let text = include_str!("../../tests/fixtures/gravtillstand.oeflow.txt");
    let latin1: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    let file = saves.path().join("gravtillstand.oeflow");
    std::fs::write(&file, latin1).unwrap();
    etjanst::catalogue::import(data.path(), &[file]).unwrap();
    let app = launch(data.path(), saves.path()).await;
    app.type_into("#search", "grävtillstånd").await;
    app.click_text("button", "Ansökan om grävtillstånd").await;
    app.focus_on_heading("Ansökan om grävtillstånd").await;
    app.with_text("h2", "Frågor som bara kan besvaras på webben")
        .await;
    app.with_text("li", "Var ska du gräva?").await;
    app.axe("service with a web-only question").await;
    app.click_text("button", "Fyll i").await;
    app.type_into("#passphrase", PASSPHRASE).await;
    app.type_into("#passphrase-again", PASSPHRASE).await;
    app.keys(ENTER).await;
    app.heading("Platsen").await;
    app.with_text("p", "kan bara besvaras på kommunens webbplats")
        .await;
    app.with_text("button", "Öppna e-tjänsten på webben").await;
    app.quit().await;
}

//! The real desktop window under WebDriver: tauri-driver → WebKitWebDriver → the app binary
//! (`../shared/spec/desktop-toolchain.md`). Needs an X display (the test script runs the suite
//! under Xvfb) and `tauri-driver` and `WebKitWebDriver` on PATH.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use serde_json::{Value, json};

pub const PASSPHRASE: &str = "korrekt häst batteri häftklammer";

/// One window at a time: WebDriver's ports and the X display are shared.
pub static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        // SIGTERM, not SIGKILL: tauri-driver stops its WebKitWebDriver only from its signal
        // handler, and an orphaned one keeps the port for the next test.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.0.id().to_string())
            .status();
        let _ = self.0.wait();
    }
}

pub struct App {
    pub c: Client,
    _driver: Driver,
    pub data: PathBuf,
    pub saves: PathBuf,
}

fn require_display() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "the desktop tests open the real window: run them under Xvfb (scripts/test does: \
         xvfb-run -a cargo test)"
    );
}

/// Waits until nothing listens on `port` (the previous test's driver has let go of it).
async fn wait_free(port: u16) {
    let t0 = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_ok()
    {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "port {port} stays taken"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_port(port: u16) {
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(30) {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("tauri-driver did not listen on {port}");
}

/// Starts the app on `data` (its whole state: vault, catalogue, settings); files it saves go
/// to `saves` (a debug build answers its save dialog from ETJANST_TEST_SAVE_DIR).
pub async fn launch(data: &Path, saves: &Path) -> App {
    launch_with(data, saves, &[]).await
}

/// Waits (up to 10 s) until no window of the app is running, then ends any that is left. One
/// may still be finishing (a save, the vault's lock) after its test: a launch meanwhile would
/// find the single-instance lock held and hand over to the closing window. One left behind by
/// a failed test would share the X display and take the keyboard focus of the next.
async fn app_gone() {
    let running = || {
        Command::new("pgrep")
            .args(["-f", env!("CARGO_BIN_EXE_etjanst-desktop")])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(10) && running() {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if running() {
        eprintln!("a window of the app was still running: ended");
        let _ = Command::new("pkill")
            .args(["-KILL", "-f", env!("CARGO_BIN_EXE_etjanst-desktop")])
            .status();
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The same with more environment for the app (`ETJANST_GATEWAY`, …).
pub async fn launch_with(data: &Path, saves: &Path, env: &[(&str, &str)]) -> App {
    launch_program(
        Path::new(env!("CARGO_BIN_EXE_etjanst-desktop")),
        data,
        saves,
        env,
    )
    .await
}

/// The same with another copy of the app's program (one an update may replace).
pub async fn launch_program(
    program: &Path,
    data: &Path,
    saves: &Path,
    env: &[(&str, &str)],
) -> App {
    require_display();
    app_gone().await;
    wait_free(4444).await;
    wait_free(4445).await;
    let driver = Driver(
        Command::new(std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into()))
            .args(["--port", "4444", "--native-port", "4445"])
            .env("ETJANST_DATA_DIR", data)
            .env("ETJANST_TEST_SAVE_DIR", saves)
            // A cheaper scrypt, honoured by debug builds only.
            .env("ETJANST_SCRYPT_LOG_N", "10")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tauri-driver (cargo install tauri-driver --locked --version 2.1.0)"),
    );
    wait_port(4444).await;
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("wry"));
    caps.insert("tauri:options".into(), json!({ "application": program }));
    // rustls has two crypto providers in this build (the updater plugin brings ring): the
    // WebDriver client takes the one the rest of the project uses.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let c = ClientBuilder::rustls()
        .expect("rustls")
        .capabilities(caps)
        .connect("http://127.0.0.1:4444")
        .await
        .expect("WebDriver session");
    App {
        c,
        _driver: driver,
        data: data.to_path_buf(),
        saves: saves.to_path_buf(),
    }
}

impl App {
    /// Ends the session (the window closes) and the driver.
    pub async fn quit(self) {
        let App { c, _driver, .. } = self;
        // WebKitWebDriver's session delete has hung now and then with the window open; the
        // window is ended below either way.
        let _ = tokio::time::timeout(Duration::from_secs(20), c.close()).await;
        drop(_driver);
        app_gone().await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    pub async fn find(&self, css: &str) -> Element {
        match self.wait_for(Locator::Css(css)).await {
            Ok(e) => e,
            Err(e) => self.fail(&format!("no {css}: {e}")).await,
        }
    }

    /// Waits up to 15 s for `locator`. A page that reloads meanwhile (a kiosk's visit ending)
    /// cuts WebDriver's wait short with "unload": the wait goes on in the new page.
    async fn wait_for(&self, locator: Locator<'_>) -> Result<Element, fantoccini::error::CmdError> {
        let t0 = Instant::now();
        loop {
            let left = Duration::from_secs(15).saturating_sub(t0.elapsed());
            match self.c.wait().at_most(left).for_element(locator).await {
                Err(e) if e.to_string().contains("unload") && !left.is_zero() => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                done => return done,
            }
        }
    }

    /// Fails the test with what the window showed (a screenshot beside the test binary).
    pub async fn fail(&self, why: &str) -> ! {
        let path = std::env::temp_dir().join("etjanst-e2e-failure.png");
        let limit = Duration::from_secs(5);
        match tokio::time::timeout(limit, self.c.screenshot()).await {
            Ok(Ok(png)) => {
                let _ = std::fs::write(&path, png);
            }
            // The page does not answer: the X server still shows what is on screen.
            _ => {
                let _ = Command::new("import")
                    .args(["-window", "root"])
                    .arg(&path)
                    .status();
            }
        }
        let text = match tokio::time::timeout(
            limit,
            self.c.execute("return document.body.innerText", vec![]),
        )
        .await
        {
            Ok(Ok(v)) => v.as_str().unwrap_or_default().to_string(),
            _ => "(the window did not answer)".into(),
        };
        panic!(
            "{why}\nscreenshot: {}\nwindow text:\n{text}",
            path.display()
        );
    }

    /// The element whose text contains `text` (XPath over `tag`).
    pub async fn with_text(&self, tag: &str, text: &str) -> Element {
        let xpath = format!(
            "//{tag}[contains(normalize-space(.), {})]",
            xpath_literal(text)
        );
        match self.wait_for(Locator::XPath(&xpath)).await {
            Ok(e) => e,
            Err(e) => self.fail(&format!("no {tag} with {text:?}: {e}")).await,
        }
    }

    pub async fn heading(&self, text: &str) {
        self.with_text("h1", text).await;
    }

    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    pub async fn click_text(&self, tag: &str, text: &str) {
        self.with_text(tag, text).await.click().await.unwrap();
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        self.find(css).await.send_keys(text).await.unwrap();
    }

    pub async fn value(&self, css: &str) -> String {
        self.find(css)
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    pub async fn present(&self, css: &str) -> bool {
        self.any(Locator::Css(css)).await
    }

    /// Whether `locator` matches now (asked again in the new page if one is loading).
    async fn any(&self, locator: Locator<'_>) -> bool {
        for _ in 0..50 {
            match self.c.find_all(locator).await {
                Err(e) if e.to_string().contains("unload") => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                found => return !found.unwrap().is_empty(),
            }
        }
        panic!("the page kept reloading");
    }

    pub async fn present_text(&self, tag: &str, text: &str) -> bool {
        let xpath = format!(
            "//{tag}[contains(normalize-space(.), {})]",
            xpath_literal(text)
        );
        self.any(Locator::XPath(&xpath)).await
    }

    /// Waits until `css` matches nothing.
    pub async fn gone(&self, css: &str) {
        let t0 = Instant::now();
        while self.present(css).await {
            assert!(
                t0.elapsed() < Duration::from_secs(10),
                "{css} is still shown"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn js(&self, script: &str) -> Value {
        self.c.execute(script, vec![]).await.unwrap()
    }

    /// The id (or, without one, the class) of the focused element.
    pub async fn focused(&self) -> String {
        self.js(
            "const e = document.activeElement; return e ? (e.id || e.className || e.tagName) : ''",
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Waits (up to 5 s) for focus to be on the page's `h1` saying `text`: where a screen
    /// reader starts reading a new screen.
    pub async fn focus_on_heading(&self, text: &str) {
        let t0 = Instant::now();
        loop {
            let v = self
                .js("const e = document.activeElement; return e && e.tagName === 'H1' ? e.textContent : null")
                .await;
            if v.as_str().is_some_and(|h| h.contains(text)) {
                return;
            }
            if t0.elapsed() > Duration::from_secs(5) {
                let at = self.focused().await;
                self.fail(&format!("focus is on {at:?}, not on the heading {text:?}"))
                    .await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits for the autosave to say the draft is stored.
    pub async fn saved(&self) {
        let t0 = Instant::now();
        loop {
            let text = self.find(".save-state").await.text().await.unwrap();
            if text.contains("Sparat på den här datorn") && !text.contains("Sparar") {
                return;
            }
            assert!(t0.elapsed() < Duration::from_secs(10), "not saved: {text}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs axe-core in the window and fails on any WCAG 2.1 A/AA violation of this screen.
    pub async fn axe(&self, screen: &str) {
        let source = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../ui/node_modules/axe-core/axe.min.js"
        ))
        .expect("axe-core (npm ci in ui/)");
        let loaded = self
            .c
            .execute(&format!("{source}\n;return typeof axe;"), vec![])
            .await
            .unwrap();
        assert_eq!(loaded, json!("object"), "axe did not load");
        let run = self.c.execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
                   .then(r => done(r.violations.map(v => ({ id: v.id, help: v.help, nodes: v.nodes.map(n => n.html.slice(0, 160)) }))))
                   .catch(e => done([{ id: 'axe-error', help: String(e), nodes: [] }]));",
                vec![],
            );
        let result = match tokio::time::timeout(Duration::from_secs(60), run).await {
            Ok(r) => r.unwrap(),
            Err(_) => {
                self.fail(&format!("axe did not finish on the {screen} screen"))
                    .await
            }
        };
        assert_eq!(
            result,
            json!([]),
            "axe found accessibility violations on the {screen} screen"
        );
    }

    /// Saves a screenshot of the window for the README (docs/screenshots/NAME.png).
    pub async fn shot(&self, name: &str) {
        // WebKitWebDriver's snapshot waits for the next paint, and a still page may not paint
        // again: a change nobody sees makes sure one comes.
        let _ = self
            .c
            .execute(
                "document.body.classList.toggle('shot'); requestAnimationFrame(() => document.body.classList.toggle('shot'));",
                vec![],
            )
            .await;
        let Ok(png) = tokio::time::timeout(Duration::from_secs(20), self.c.screenshot()).await
        else {
            // The pictures are the README's, not an assertion: a test does not hang on one.
            eprintln!("screenshot {name}: the window did not paint within 20 s");
            return;
        };
        let png = png.unwrap();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// Presses keys on whatever has focus, as a person at the keyboard does (WebDriver key
    /// actions: real key events, not set on any element).
    pub async fn keys(&self, keys: &str) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut seq = KeyActions::new("keyboard".into());
        for c in keys.chars() {
            seq = seq
                .then(KeyAction::Down { value: c })
                .then(KeyAction::Up { value: c });
        }
        self.c.perform_actions(seq).await.unwrap();
    }

    /// Holds `modifier` (e.g. [`CONTROL`]) while pressing `key`, as a person does for Ctrl +.
    pub async fn chord(&self, modifier: char, key: char) {
        self.chord_of(&[modifier, key]).await;
    }

    /// Presses `keys` down in order and lets them go in reverse: Ctrl+Alt+Shift+A.
    pub async fn chord_of(&self, keys: &[char]) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut seq = KeyActions::new("keyboard".into());
        for k in keys {
            seq = seq.then(KeyAction::Down { value: *k });
        }
        for k in keys.iter().rev() {
            seq = seq.then(KeyAction::Up { value: *k });
        }
        self.c.perform_actions(seq).await.unwrap();
    }

    /// Presses Tab until the focus is on `css` (at most 80 times): reaching a control with the
    /// keyboard alone.
    pub async fn tab_to(&self, css: &str) {
        for _ in 0..80 {
            let here = self
                .c
                .execute(
                    "return document.activeElement ? document.activeElement.matches(arguments[0]) : false",
                    vec![json!(css)],
                )
                .await
                .unwrap();
            if here == json!(true) {
                return;
            }
            self.keys(TAB).await;
        }
        panic!("Tab never reached {css} (now on {})", self.focused().await);
    }
}

pub const TAB: &str = "\u{e004}";
pub const CONTROL: char = '\u{e009}';
pub const SHIFT: char = '\u{e008}';
pub const ALT: char = '\u{e00a}';

/// Whether a window of the app is running.
pub fn app_running() -> bool {
    Command::new("pgrep")
        .args(["-f", env!("CARGO_BIN_EXE_etjanst-desktop")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
pub const ENTER: &str = "\u{e007}";
pub const SPACE: &str = " ";
pub const DOWN: &str = "\u{e015}";

fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else {
        format!("\"{s}\"")
    }
}

/// The text of a PDF as a person's tools read it (poppler's pdftotext).
pub fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        path.display()
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Waits for a file the window saves.
pub async fn saved_file(path: &Path) -> Vec<u8> {
    let t0 = Instant::now();
    loop {
        if let Ok(b) = std::fs::read(path)
            && !b.is_empty()
        {
            return b;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(15),
            "{} was not saved",
            path.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A printer for the tests, first on `PATH`: `lpstat` names one, and `lp` keeps each job it
/// is fed on standard input in `dir/jobs`, a second after it starts (as a spooler takes its
/// time), so that two jobs from one double click would both be there. Returns the `PATH`.
pub fn fake_printer(dir: &std::path::Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(dir.join("jobs")).unwrap();
    let scripts = [
        (
            "lpstat",
            "#!/bin/sh\ncase \"$1\" in\n  -d) echo 'system default destination: Bibliotekets-skrivare' ;;\n  -e) echo Bibliotekets-skrivare ;;\nesac\n".to_string(),
        ),
        (
            "lp",
            format!(
                "#!/bin/sh\nsleep 1\ncat > '{}/job-'$$.pdf\n",
                dir.join("jobs").display()
            ),
        ),
    ];
    for (name, text) in scripts {
        let path = bin.join(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

//! The CLI as a newcomer meets it from the README's command table (issue 12): one test per
//! thing that went wrong for them.

mod common;

use std::io::Read as _;
use std::process::{Command, Stdio};

use common::{
    OEFLOW, etjanst, etjanst_with, example_path as example, stderr as err, stdout as out,
};

const SUNDSVALL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/oep/catalogue-getflows-sundsvall.json"
);

#[test]
fn imported_flows_are_listed_like_the_others() {
    let dir = tempfile::tempdir().unwrap();
    assert!(etjanst(dir.path(), &["import", OEFLOW]).status.success());
    let listed = out(&etjanst(dir.path(), &["flows"]));
    assert!(listed.contains("Bygglov & anmälan"), "{listed}");
    let category = etjanst(dir.path(), &["flows", "--category", "Bygglov & anmälan"]);
    assert!(category.status.success());
    let text = out(&category);
    assert!(text.lines().count() > 2, "more than a header: {text}");
    assert!(text.contains("Fyll i här"), "{text}");
}

#[test]
fn everything_listed_can_be_shown_and_says_what_can_be_done() {
    let dir = tempfile::tempdir().unwrap();
    let blankett = etjanst(dir.path(), &["show", "skolskjuts"]);
    assert!(blankett.status.success(), "{}", err(&blankett));
    assert!(
        out(&blankett).contains("Bara blankett: etjanst blankett skolskjuts -o"),
        "{}",
        out(&blankett)
    );
    let web = etjanst(dir.path(), &["show", "bygglov"]);
    assert!(web.status.success(), "{}", err(&web));
    assert!(out(&web).contains("Bara på webben"), "{}", out(&web));
    let pdf = dir.path().join("x.pdf");
    let refused = etjanst(
        dir.path(),
        &["pdf", "skolskjuts", "--blank", "-o", pdf.to_str().unwrap()],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        err(&refused).contains("etjanst blankett skolskjuts"),
        "{}",
        err(&refused)
    );
    // Nothing offers sending in: there is no command for it yet.
    assert!(!out(&etjanst(dir.path(), &["flows"])).contains("skicka in"));
}

#[test]
fn a_draft_check_says_what_is_still_missing() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("tom.json");
    std::fs::write(&empty, "{}").unwrap();
    let checked = etjanst(
        dir.path(),
        &[
            "check",
            "eldstad",
            "--answers",
            empty.to_str().unwrap(),
            "--draft",
        ],
    );
    assert_eq!(checked.status.code(), Some(0), "a draft may be incomplete");
    let text = out(&checked);
    assert!(!text.contains("komplett och giltigt"), "{text}");
    assert!(text.contains("Kvar att fylla i"), "{text}");
    let json = etjanst(
        dir.path(),
        &[
            "check",
            "eldstad",
            "--answers",
            empty.to_str().unwrap(),
            "--draft",
            "--json",
        ],
    );
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(!doc["remaining"].as_array().unwrap().is_empty());
}

#[test]
fn a_site_is_named_by_host_address_or_name() {
    let dir = tempfile::tempdir().unwrap();
    let stored = etjanst(
        dir.path(),
        &[
            "import-catalogue",
            "--site",
            "https://e-tjanster.sundsvall.se",
            "--name",
            "Sundsvall",
            SUNDSVALL,
        ],
    );
    assert!(stored.status.success(), "{}", err(&stored));
    for given in [
        "e-tjanster.sundsvall.se",
        "https://e-tjanster.sundsvall.se",
        "https://e-tjanster.sundsvall.se/",
        "Sundsvall",
    ] {
        let listed = etjanst(dir.path(), &["flows", "--site", given]);
        assert!(listed.status.success(), "{given}: {}", err(&listed));
        assert!(
            out(&listed).contains("Anmäl misstänkt matförgiftning"),
            "{given}"
        );
        let found = etjanst(dir.path(), &["search", "skol", "--site", given]);
        assert!(
            out(&found).contains("--site e-tjanster.sundsvall.se"),
            "{given}: {}",
            out(&found)
        );
    }
    // The embedded catalogue's site too.
    let own = etjanst(
        dir.path(),
        &["search", "matforg", "--site", "etjanst.lindesberg.se"],
    );
    assert!(
        out(&own).contains("matforgiftning"),
        "{}{}",
        out(&own),
        err(&own)
    );
    let unknown = etjanst(dir.path(), &["flows", "--site", "nowhere.example"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        err(&unknown).contains("etjanst sync --site"),
        "{}",
        err(&unknown)
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["flows"][..], &["show", "ekonomiskt-bistand"][..]] {
        for _ in 0..10 {
            let mut child = Command::new(env!("CARGO_BIN_EXE_etjanst"))
                .arg("--data-dir")
                .arg(dir.path())
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            // The reader is gone before the first line is written, as with `| head -0`. (Reading
            // a byte first would let the whole small listing fit in the pipe and never fail.)
            drop(child.stdout.take());
            let status = child.wait().unwrap();
            let mut stderr = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            assert_eq!(status.code(), Some(0), "{args:?}: {stderr}");
            assert!(stderr.is_empty(), "{args:?}: {stderr}");
        }
    }
}

#[test]
fn flows_are_named_the_way_the_person_named_them() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("x.pdf");
    let wrong = etjanst(
        dir.path(),
        &[
            "pdf",
            "eldstad",
            "--answers",
            &example("matforgiftning"),
            "-o",
            pdf.to_str().unwrap(),
        ],
    );
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        err(&wrong).contains("\"matforgiftning\", inte \"eldstad\""),
        "{}",
        err(&wrong)
    );
    let listed: Vec<serde_json::Value> =
        serde_json::from_slice(&etjanst(dir.path(), &["flows", "--json"]).stdout).unwrap();
    let eldstad = listed.iter().find(|e| e["handle"] == "eldstad").unwrap();
    assert_eq!(eldstad["id"], "2217");
    assert!(
        eldstad["aliases"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "eldstad")
    );
}

#[test]
fn errors_say_what_went_wrong_where_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    // An answers file given where a flow is expected.
    let as_flow = dir.path().join("svar.json");
    std::fs::copy(example("synpunkt"), &as_flow).unwrap();
    let imported = etjanst(dir.path(), &["import", as_flow.to_str().unwrap()]);
    assert_eq!(imported.status.code(), Some(2));
    let message = err(&imported);
    assert!(message.contains("fältet \"id\" saknas"), "{message}");
    assert_eq!(
        message.matches("line").count() + message.matches("rad ").count(),
        0,
        "{message}"
    );
    // Broken JSON in an answers file: Swedish, and the place once.
    let broken = dir.path().join("trasig.json");
    std::fs::write(&broken, "{\"answers\": {\n").unwrap();
    let checked = etjanst(
        dir.path(),
        &["check", "synpunkt", "--answers", broken.to_str().unwrap()],
    );
    assert_eq!(checked.status.code(), Some(2));
    assert!(
        err(&checked).contains("trasig.json:2:"),
        "{}",
        err(&checked)
    );
    assert!(err(&checked).contains("tar slut"), "{}", err(&checked));
    assert!(!err(&checked).contains("EOF"), "{}", err(&checked));
    // A secret key is never written over.
    let key = dir.path().join("nyckel.txt");
    assert!(
        etjanst(
            dir.path(),
            &["bundle", "keygen", "-o", key.to_str().unwrap()]
        )
        .status
        .success()
    );
    let again = etjanst(
        dir.path(),
        &["bundle", "keygen", "-o", key.to_str().unwrap()],
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(err(&again).contains("finns redan"), "{}", err(&again));
    assert!(!err(&again).contains("os error"), "{}", err(&again));
}

#[test]
fn search_shows_what_to_type_next_and_long_names_keep_their_columns() {
    let dir = tempfile::tempdir().unwrap();
    let found = etjanst(dir.path(), &["search", "bistånd"]);
    let text = out(&found);
    assert!(text.contains("ekonomiskt-bistand"), "{text}");
    let long = etjanst(dir.path(), &["search", "ansökan"]);
    let text = out(&long);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 4, "{text}");
    // Each hit is the name to type and the e-service's name, then its category below the
    // name: every name and category starts in the same column, however long the names are.
    let column = |l: &str| {
        l.chars().count() - l.trim_end().chars().count() + {
            let trimmed = l.trim_start();
            let lead = l.chars().count() - trimmed.chars().count();
            match trimmed.find("  ") {
                Some(i) if lead == 0 => {
                    trimmed[..i].chars().count() + trimmed[i..].chars().count()
                        - trimmed[i..].trim_start().chars().count()
                }
                _ => lead,
            }
        }
    };
    let columns: Vec<usize> = lines.iter().map(|l| column(l)).collect();
    assert!(
        columns.windows(2).all(|w| w[0] == w[1]),
        "{columns:?}\n{text}"
    );
}

#[test]
fn reading_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for args in [
        &["flows"][..],
        &["search", "bygg"][..],
        &["show", "synpunkt"][..],
        &["draft", "list"][..],
    ] {
        let o = etjanst(&data, args);
        assert!(o.status.success(), "{args:?}: {}", err(&o));
    }
    let left: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn smaller_things_a_newcomer_trips_on() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("nyckel.txt");
    let keygen = etjanst(
        dir.path(),
        &["bundle", "keygen", "-o", key.to_str().unwrap()],
    );
    assert!(err(&keygen).contains("publika nyckeln"), "{}", err(&keygen));
    let category = etjanst(dir.path(), &["flows", "--category", "Finns inte"]);
    assert_eq!(category.status.code(), Some(2));
    assert!(
        err(&category).contains("Omsorg och hjälp"),
        "the categories are listed: {}",
        err(&category)
    );
    // A vault protected by a passphrase, listed with none given and no terminal.
    let data = dir.path().join("valv");
    let saved = etjanst_with(
        &data,
        "tre gröna äpplen",
        &[],
        &[
            "draft",
            "save",
            "synpunkt",
            "--answers",
            &example("synpunkt"),
        ],
    );
    assert!(saved.status.success(), "{}", err(&saved));
    let listed = Command::new(env!("CARGO_BIN_EXE_etjanst"))
        .arg("--data-dir")
        .arg(&data)
        .args(["draft", "list"])
        .env_remove("ETJANST_PASSPHRASE")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_ne!(listed.status.code(), Some(0));
    assert!(
        err(&listed).contains("ETJANST_PASSPHRASE"),
        "{}",
        err(&listed)
    );
}

#[test]
fn english_covers_what_the_program_itself_says() {
    let dir = tempfile::tempdir().unwrap();
    let en = |args: &[&str]| {
        let mut all = vec!["--lang", "en"];
        all.extend_from_slice(args);
        etjanst(dir.path(), &all)
    };
    let flows = out(&en(&["flows"]));
    assert!(
        flows.contains("Fill in here and print") && !flows.contains("Fyll i här"),
        "{flows}"
    );
    assert!(out(&en(&["show", "bygglov"])).contains("On the web only"));
    assert!(out(&en(&["show", "synpunkt"])).contains("Step 1:"));
    let empty = dir.path().join("tom.json");
    std::fs::write(&empty, "{}").unwrap();
    let draft = out(&en(&[
        "check",
        "eldstad",
        "--answers",
        empty.to_str().unwrap(),
        "--draft",
    ]));
    assert!(
        draft.contains("Still to fill in") && draft.contains("Enter first name."),
        "{draft}"
    );
    let unknown = en(&["show", "finns-inte"]);
    assert!(
        err(&unknown).contains("there is no e-service"),
        "{}",
        err(&unknown)
    );
    // Nothing listens on port 9 of this machine: the cause is said, in English.
    let sync = en(&["sync", "--site", "http://127.0.0.1:9", "--name", "Ingen"]);
    assert_eq!(sync.status.code(), Some(2));
    let message = err(&sync);
    assert!(
        message.contains("Could not reach") && message.to_lowercase().contains("refused"),
        "{message}"
    );
    assert!(
        message.contains("uses http without encryption"),
        "{message}"
    );
    // The core's errors too: a flow file that is not one, a flow definition error.
    let as_flow = dir.path().join("svar.json");
    std::fs::copy(example("synpunkt"), &as_flow).unwrap();
    let imported = en(&["import", as_flow.to_str().unwrap()]);
    assert!(
        err(&imported).contains("missing field"),
        "{}",
        err(&imported)
    );
    assert!(!err(&imported).contains("fältet"), "{}", err(&imported));
    let textual = dir.path().join("flode.json");
    std::fs::write(
        &textual,
        r#"{"id": 5, "name": "F", "steps": [{"id": 1, "name": "S", "queries": [
        {"id": 7, "name": "Q", "exported": true, "type": "TextArea"}]}]}"#,
    )
    .unwrap();
    let refused = en(&["import", textual.to_str().unwrap()]);
    assert!(
        err(&refused).contains("has no XML element name"),
        "{}",
        err(&refused)
    );
    // The vault's messages too.
    let data = dir.path().join("valv");
    let saved = etjanst_with(
        &data,
        "kort",
        &[],
        &[
            "--lang",
            "en",
            "draft",
            "save",
            "synpunkt",
            "--answers",
            &example("synpunkt"),
        ],
    );
    assert!(
        err(&saved).contains("the passphrase is too short"),
        "{}",
        err(&saved)
    );
}

//! `etjanst draft …` as a person or a script uses it.

use std::path::Path;
use std::process::{Command, Output};

fn etjanst(data: &Path, pass: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_etjanst"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("ETJANST_PASSPHRASE", pass)
        .env("ETJANST_FILE_PASSPHRASE", "filens lösenfras")
        .env("ETJANST_SCRYPT_LOG_N", "10")
        .output()
        .unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn example(name: &str) -> String {
    format!("{}/forms/examples/{name}.json", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn save_list_show_update_delete() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let empty = etjanst(d, "pelles lösenfras", &["draft", "list"]);
    assert_eq!(out(&empty), "Inga sparade utkast.");

    let saved = etjanst(
        d,
        "pelles lösenfras",
        &[
            "draft",
            "save",
            "synpunkt",
            "--answers",
            &example("synpunkt"),
        ],
    );
    assert!(saved.status.success(), "{}", err(&saved));
    let id = out(&saved);
    assert_eq!(id.len(), 32);

    let list = etjanst(d, "pelles lösenfras", &["draft", "list", "--json"]);
    let drafts: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(drafts[0]["id"], id.as_str());
    assert_eq!(
        drafts[0]["header"]["title"],
        "Lämna synpunkt eller klagomål"
    );

    let shown = etjanst(d, "pelles lösenfras", &["draft", "show", &id]);
    let answers: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    let original: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example("synpunkt")).unwrap()).unwrap();
    // Same answers (a single choice may come back in its list form).
    let catalogue = etjanst::catalogue::Catalogue::embedded().unwrap();
    let flow = catalogue.flow("synpunkt").unwrap();
    assert_eq!(
        etjanst::fill::Answers::from_json(flow, &answers).unwrap(),
        etjanst::fill::Answers::from_json(flow, &original).unwrap()
    );

    // A partial, format-broken draft still saves (nothing is lost) and says what to fix.
    let partial = d.join("delvis.json");
    std::fs::write(
        &partial,
        r#"{"answers": {"text": "halvfärdig", "svar-onskas": {"selected": "ja-epost"},
            "kontaktuppgifter": {"email": "inte-en-adress"}}}"#,
    )
    .unwrap();
    let updated = etjanst(
        d,
        "pelles lösenfras",
        &[
            "draft",
            "save",
            "synpunkt",
            "--answers",
            partial.to_str().unwrap(),
            "--id",
            &id,
        ],
    );
    assert_eq!(
        updated.status.code(),
        Some(1),
        "saved, with errors: {}",
        err(&updated)
    );
    assert_eq!(out(&updated), id);
    assert!(err(&updated).contains("e-postadress"), "{}", err(&updated));
    let now = etjanst(d, "pelles lösenfras", &["draft", "show", &id]);
    assert!(out(&now).contains("halvfärdig"));
    let before = etjanst(
        d,
        "pelles lösenfras",
        &["draft", "show", &id, "--version", "1"],
    );
    assert!(
        out(&before).contains("biblioteket"),
        "the previous version is kept"
    );

    let wrong_flow = etjanst(
        d,
        "pelles lösenfras",
        &[
            "draft",
            "save",
            "felanmalan",
            "--answers",
            &example("felanmalan"),
            "--id",
            &id,
        ],
    );
    assert_eq!(wrong_flow.status.code(), Some(2));

    let deleted = etjanst(d, "pelles lösenfras", &["draft", "delete", &id]);
    assert!(deleted.status.success());
    let gone = etjanst(d, "pelles lösenfras", &["draft", "show", &id]);
    assert_eq!(gone.status.code(), Some(2));
    assert!(err(&gone).contains("inget utkast"));
}

#[test]
fn wrong_passphrase_exits_1_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let saved = etjanst(
        d,
        "rätt lösenfras",
        &[
            "draft",
            "save",
            "synpunkt",
            "--answers",
            &example("synpunkt"),
        ],
    );
    assert!(saved.status.success());
    for args in [
        &["draft", "list"][..],
        &[
            "draft",
            "save",
            "synpunkt",
            "--answers",
            &example("synpunkt"),
        ],
    ] {
        let o = etjanst(d, "fel", args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(err(&o).contains("Fel lösenfras"), "{}", err(&o));
    }
    let list = etjanst(d, "rätt lösenfras", &["draft", "list", "--json"]);
    let drafts: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(drafts.as_array().unwrap().len(), 1, "nothing changed");
}

#[test]
fn passphrase_file_works_like_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("fras.txt");
    std::fs::write(&file, "från filen, lång nog\n").unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_etjanst"))
            .arg("--data-dir")
            .arg(d)
            .arg("--passphrase-file")
            .arg(&file)
            .args(args)
            .env_remove("ETJANST_PASSPHRASE")
            .env("ETJANST_SCRYPT_LOG_N", "10")
            .output()
            .unwrap()
    };
    assert!(
        run(&[
            "draft",
            "save",
            "synpunkt",
            "--answers",
            &example("synpunkt")
        ])
        .status
        .success()
    );
    assert!(out(&run(&["draft", "list"])).contains("Lämna synpunkt"));
    assert!(
        etjanst(d, "från filen, lång nog", &["draft", "list"])
            .status
            .success()
    );
}

#[test]
fn export_and_import_between_computers() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let id = out(&etjanst(
        a.path(),
        "annas lösenfras",
        &["draft", "save", "eldstad", "--answers", &example("eldstad")],
    ));
    let file = a.path().join("utkast.etjanst");
    let exported = etjanst(
        a.path(),
        "annas lösenfras",
        &["draft", "export", &id, "-o", file.to_str().unwrap()],
    );
    assert!(exported.status.success(), "{}", err(&exported));
    let imported = etjanst(
        b.path(),
        "bertils lösenfras",
        &["draft", "import", file.to_str().unwrap()],
    );
    assert!(imported.status.success(), "{}", err(&imported));
    let new_id = out(&imported);
    let shown = etjanst(b.path(), "bertils lösenfras", &["draft", "show", &new_id]);
    assert!(out(&shown).contains("Kyrkberget 1:23"));
    let wrong = Command::new(env!("CARGO_BIN_EXE_etjanst"))
        .args([
            "--data-dir",
            b.path().to_str().unwrap(),
            "draft",
            "import",
            file.to_str().unwrap(),
        ])
        .env("ETJANST_PASSPHRASE", "bertils lösenfras")
        .env("ETJANST_FILE_PASSPHRASE", "fel")
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(1));
    assert!(err(&wrong).contains("Fel lösenfras"));
}

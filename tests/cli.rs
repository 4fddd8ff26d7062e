//! The `etjanst` command as a person or a script uses it.

mod common;

use std::process::Command;

use common::{OEFLOW, etjanst, example_path as example, stderr, stdout};

#[test]
fn flows_lists_the_embedded_catalogue_before_any_sync() {
    let dir = tempfile::tempdir().unwrap();
    let out = etjanst(dir.path(), &["flows", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(list.len() >= 15);
    let matf = list.iter().find(|s| s["id"] == "matforgiftning").unwrap();
    assert_eq!(matf["name"], "Anmäl misstänkt matförgiftning");
    assert_eq!(matf["capabilities"]["fillOffline"], true);
    let text = etjanst(dir.path(), &["flows"]);
    assert!(stdout(&text).contains("Bara blankett: etjanst blankett skolskjuts"));
    assert!(
        stdout(&text).contains("parkeringstillstand"),
        "alias shown for numeric id"
    );
}

#[test]
fn show_prints_steps_questions_and_rules() {
    let dir = tempfile::tempdir().unwrap();
    let out = etjanst(dir.path(), &["show", "parkeringstillstand"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Steg 1: Vem kan söka"), "{text}");
    assert!(text.contains("(Stop, dold)"), "{text}");
    assert!(text.contains("villkor 701"), "{text}");
    let json = etjanst(dir.path(), &["show", "2104", "--json"]);
    let flow: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(flow["id"], 2104);
}

#[test]
fn check_exit_codes_follow_the_answers() {
    let dir = tempfile::tempdir().unwrap();
    let ok = etjanst(
        dir.path(),
        &["check", "synpunkt", "--answers", &example("synpunkt")],
    );
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    assert!(stdout(&ok).contains("komplett och giltigt"));

    let answers = dir.path().join("svar.json");
    std::fs::write(
        &answers,
        r#"{"flow": "synpunkt", "answers": {"typ": {"selected": "klagomal"}, "text": "x"}}"#,
    )
    .unwrap();
    let bad = etjanst(
        dir.path(),
        &[
            "check",
            "synpunkt",
            "--answers",
            answers.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!(report["valid"], false);
    let errors = report["errors"].as_array().unwrap();
    let omrade = errors.iter().find(|e| e["alias"] == "omrade").unwrap();
    assert_eq!(
        omrade["query"], "6102",
        "the id Open ePlatform knows, beside the alias"
    );
    assert_eq!(omrade["code"], "required");
    assert_eq!(omrade["message"], "Välj ett alternativ.");
    // As a draft, missing answers are fine.
    let draft = etjanst(
        dir.path(),
        &[
            "check",
            "synpunkt",
            "--answers",
            answers.to_str().unwrap(),
            "--draft",
        ],
    );
    assert_eq!(draft.status.code(), Some(0), "{}", stdout(&draft));
    let en = etjanst(
        dir.path(),
        &[
            "--lang",
            "en",
            "check",
            "synpunkt",
            "--answers",
            answers.to_str().unwrap(),
        ],
    );
    assert!(stdout(&en).contains("Choose an option."));
}

#[test]
fn unusable_answers_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (r#"{"answers": {"finns-inte": "x"}}"#, "finns-inte"),
        (r#"{"answers": {"typ": {"selected": "kanske"}}}"#, "kanske"),
        (r#"{"answers": {"typ": "klagomal"}}"#, "fel form"),
        ("{\"answers\": {\n  \"typ\": }", ":2:"),
        (r#"{"flow": "felanmalan", "answers": {}}"#, "felanmalan"),
    ];
    for (text, expected) in cases {
        let path = dir.path().join("svar.json");
        std::fs::write(&path, text).unwrap();
        let out = etjanst(
            dir.path(),
            &["check", "synpunkt", "--answers", path.to_str().unwrap()],
        );
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(stderr(&out).contains(expected), "{text}: {}", stderr(&out));
    }
    let unknown = etjanst(dir.path(), &["show", "finns-inte"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("finns inte"));
}

#[test]
fn over_long_text_is_a_validation_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("svar.json");
    let long = "å".repeat(300);
    std::fs::write(
        &path,
        format!(r#"{{"answers": {{"plats": {{"gata": "{long}", "ort": "Frövi"}}}}}}"#),
    )
    .unwrap();
    let out = etjanst(
        dir.path(),
        &[
            "check",
            "felanmalan",
            "--answers",
            path.to_str().unwrap(),
            "--json",
            "--draft",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = &report["errors"][0];
    assert_eq!(e["code"], "too_long");
    assert_eq!(e["max"], 255);
    assert_eq!(e["fieldAlias"], "gata");
}

#[test]
fn xml_prints_the_case_for_complete_answers_only() {
    let dir = tempfile::tempdir().unwrap();
    // The attached files are read from a folder and embedded, as Open ePlatform does.
    let missing = etjanst(
        dir.path(),
        &["xml", "eldstad", "--answers", &example("eldstad")],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("planritning.pdf"),
        "{}",
        stderr(&missing)
    );
    let files = dir.path().join("bilagor");
    std::fs::create_dir(&files).unwrap();
    std::fs::write(files.join("planritning.pdf"), b"%PDF planritning").unwrap();
    std::fs::write(
        files.join("produktblad-contura-i51.pdf"),
        b"%PDF produktblad",
    )
    .unwrap();
    let out = etjanst(
        dir.path(),
        &[
            "xml",
            "eldstad",
            "--answers",
            &example("eldstad"),
            "--attachments",
            files.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Förhandsvisning"),
        "says it is a preview"
    );
    assert!(
        out.stdout
            .starts_with(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\" standalone=\"no\"?>\n")
    );
    let text = etjanst::xml::decode(&out.stdout).unwrap();
    let root = etjanst::xml::parse(&text).unwrap();
    assert_eq!(root.name, "FlowInstance");
    assert!(root.child("Values").unwrap().child("Byggherre").is_some());
    assert!(
        text.contains("<EncodedData>JVBERiBwbGFucml0bmluZw==</EncodedData>"),
        "{text}"
    );
    assert!(
        root.child("Header")
            .unwrap()
            .child("FlowInstanceID")
            .is_none()
    );

    let names_only = etjanst(
        dir.path(),
        &[
            "xml",
            "eldstad",
            "--answers",
            &example("eldstad"),
            "--no-file-content",
            "--utf8",
        ],
    );
    assert!(names_only.status.success(), "{}", stderr(&names_only));
    let text = String::from_utf8(names_only.stdout).unwrap();
    assert!(text.contains("encoding=\"UTF-8\""));
    assert!(text.contains("planritning.pdf") && !text.contains("EncodedData"));

    let schema = etjanst(
        dir.path(),
        &[
            "xsd",
            "eldstad",
            "-o",
            dir.path().join("s.xsd").to_str().unwrap(),
        ],
    );
    assert!(schema.status.success(), "{}", stderr(&schema));
    let xsd = std::fs::read(dir.path().join("s.xsd")).unwrap();
    let xsd = etjanst::xml::decode(&xsd).unwrap();
    assert!(xsd.contains("name=\"Byggherre\""), "{xsd}");

    let path = dir.path().join("svar.json");
    std::fs::write(&path, r#"{"answers": {}}"#).unwrap();
    let incomplete = etjanst(
        dir.path(),
        &["xml", "eldstad", "--answers", path.to_str().unwrap()],
    );
    assert_eq!(incomplete.status.code(), Some(1));
    assert!(incomplete.stdout.is_empty());
    assert!(stderr(&incomplete).contains("5501"));
}

#[test]
fn import_adds_flows_and_a_bad_file_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("trasig.oeflow");
    std::fs::write(
        &broken,
        b"<?xml version=\"1.0\"?>\n<Flow>\n  <name>X</nam>\n</Flow>",
    )
    .unwrap();
    let out = etjanst(dir.path(), &["import", OEFLOW, broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("trasig.oeflow:3:"),
        "{}",
        stderr(&out)
    );
    assert!(
        etjanst(dir.path(), &["show", "412"]).status.code() == Some(2),
        "nothing imported"
    );

    let ok = etjanst(dir.path(), &["import", OEFLOW]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let show = etjanst(dir.path(), &["show", "skyltlov"]);
    assert!(
        stdout(&show).contains("Ansökan om bygglov för skylt"),
        "{}",
        stdout(&show)
    );
    let flows = stdout(&etjanst(dir.path(), &["flows", "--json"]));
    assert!(flows.contains("\"412\""));
    // The blankett inside the .oeflow is kept for offline use.
    let stored = std::fs::read_dir(dir.path().join("flows"))
        .unwrap()
        .filter_map(Result::ok)
        .any(|e| e.file_name().to_string_lossy().ends_with(".pdf"));
    assert!(stored);
}

#[test]
fn export_writes_an_oeflow_that_imports_again() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ut.oeflow");
    let out = etjanst(
        dir.path(),
        &["export", "matforgiftning", "-o", file.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let other = tempfile::tempdir().unwrap();
    let imported = etjanst(other.path(), &["import", file.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", stderr(&imported));
}

#[test]
fn data_directory_comes_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_etjanst"))
        .args(["import", OEFLOW])
        .env("ETJANST_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("flows/412.json").exists());
}

#[test]
fn pdf_refuses_incomplete_answers_and_makes_blank_forms() {
    let dir = tempfile::tempdir().unwrap();
    let answers = dir.path().join("svar.json");
    std::fs::write(&answers, r#"{"answers": {"typ": {"selected": "berom"}}}"#).unwrap();
    let out_pdf = dir.path().join("ut.pdf");
    let refused = etjanst(
        dir.path(),
        &[
            "pdf",
            "synpunkt",
            "--answers",
            answers.to_str().unwrap(),
            "-o",
            out_pdf.to_str().unwrap(),
        ],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("omrade"), "{}", stderr(&refused));
    assert!(!out_pdf.exists(), "no PDF of an incomplete form");

    let ok = etjanst(
        dir.path(),
        &[
            "pdf",
            "synpunkt",
            "--answers",
            &example("synpunkt"),
            "-o",
            out_pdf.to_str().unwrap(),
        ],
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(std::fs::read(&out_pdf).unwrap().starts_with(b"%PDF-"));

    let blank = dir.path().join("tom.pdf");
    let b = etjanst(
        dir.path(),
        &["pdf", "forskola", "--blank", "-o", blank.to_str().unwrap()],
    );
    assert!(b.status.success(), "{}", stderr(&b));
    assert!(std::fs::read(&blank).unwrap().starts_with(b"%PDF-"));
}

#[test]
fn scan_explains_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("vit.png");
    image::GrayImage::from_pixel(200, 200, image::Luma([255u8]))
        .save(&img)
        .unwrap();
    let out = etjanst(dir.path(), &["scan", img.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("ingen etjanst-kod"),
        "{}",
        stderr(&out)
    );
    let not_image = dir.path().join("text.png");
    std::fs::write(&not_image, "hej").unwrap();
    let out = etjanst(dir.path(), &["scan", not_image.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("kunde inte läsa bilden"));
}

#[test]
fn embedded_blanketter_are_saved_and_categories_filter() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("b.pdf");
    let saved = etjanst(
        dir.path(),
        &["blankett", "fardtjanst", "-o", pdf.to_str().unwrap()],
    );
    assert!(saved.status.success(), "{}", stderr(&saved));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    let none = etjanst(
        dir.path(),
        &["blankett", "synpunkt", "-o", pdf.to_str().unwrap()],
    );
    assert_eq!(none.status.code(), Some(2));
    assert!(stderr(&none).contains("--blank"), "{}", stderr(&none));
    let listed = etjanst(
        dir.path(),
        &["flows", "--category", "Omsorg och hjälp", "--json"],
    );
    let list: Vec<serde_json::Value> = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(list.len(), 3);
    assert!(list.iter().all(|s| s["category"] == "Omsorg och hjälp"));
}

/// An administrator sets a kiosk up from the README: the code's hash from `kiosk hash-code`,
/// the file checked with `kiosk check` as the app will read it; a file others could change is
/// refused, saying how to fix it.
#[test]
fn an_administrator_makes_and_checks_a_kiosk_configuration() {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_etjanst"))
        .args(["kiosk", "hash-code"])
        .env("ETJANST_DATA_DIR", dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"bibliotek-42\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let hash = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(hash.starts_with("scrypt$"), "{hash}");
    assert!(etjanst::kiosk::admin::verify("bibliotek-42", &hash).unwrap());

    let file = dir.path().join("kiosk.toml");
    std::fs::write(
        &file,
        format!("idle_timeout = 240\nprinter = \"Skrivaren\"\nadmin_code = \"{hash}\"\n"),
    )
    .unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let check = etjanst(dir.path(), &["kiosk", "check", file.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert!(stdout(&check).contains("4 min 0 s") && stdout(&check).contains("Skrivaren"));
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
    let writable = etjanst(dir.path(), &["kiosk", "check", file.to_str().unwrap()]);
    assert_eq!(writable.status.code(), Some(2));
    assert!(
        stderr(&writable).contains("chmod 644"),
        "{}",
        stderr(&writable)
    );
}

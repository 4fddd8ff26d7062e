//! Every command's exit codes as the README's command table documents them: 0 done, 1 the
//! answers have errors or something was refused, 2 the input could not be used.

mod common;

use common::{OEFLOW, etjanst, etjanst_with, example_path as example, stderr};

const SUNDSVALL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/oep/catalogue-getflows-sundsvall.json"
);

#[test]
fn every_command_exits_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let p = |name: &str| d.join(name).to_string_lossy().into_owned();
    std::fs::write(p("tom.json"), r#"{"answers": {}}"#).unwrap();
    std::fs::write(p("trasig.json"), "{").unwrap();
    std::fs::write(p("bild.png"), b"inte en bild").unwrap();
    let cases: Vec<(Vec<String>, u8)> = vec![
        (vec!["flows".into()], 0),
        (
            vec!["flows".into(), "--category".into(), "Finns inte".into()],
            2,
        ),
        (
            vec!["flows".into(), "--site".into(), "nowhere.example".into()],
            2,
        ),
        (vec!["show".into(), "synpunkt".into()], 0),
        (vec!["show".into(), "skolskjuts".into()], 0),
        (vec!["show".into(), "finns-inte".into()], 2),
        (vec!["import".into(), OEFLOW.into()], 0),
        (vec!["import".into(), p("trasig.json")], 2),
        (
            vec![
                "check".into(),
                "synpunkt".into(),
                "--answers".into(),
                example("synpunkt"),
            ],
            0,
        ),
        (
            vec![
                "check".into(),
                "synpunkt".into(),
                "--answers".into(),
                p("tom.json"),
            ],
            1,
        ),
        (
            vec![
                "check".into(),
                "synpunkt".into(),
                "--answers".into(),
                p("trasig.json"),
            ],
            2,
        ),
        (
            vec![
                "xml".into(),
                "synpunkt".into(),
                "--answers".into(),
                example("synpunkt"),
            ],
            0,
        ),
        (
            vec![
                "xml".into(),
                "synpunkt".into(),
                "--answers".into(),
                p("tom.json"),
            ],
            1,
        ),
        (
            vec![
                "xml".into(),
                "finns-inte".into(),
                "--answers".into(),
                p("tom.json"),
            ],
            2,
        ),
        (
            vec!["xsd".into(), "synpunkt".into(), "-o".into(), p("s.xsd")],
            0,
        ),
        (
            vec!["xsd".into(), "skolskjuts".into(), "-o".into(), p("s.xsd")],
            2,
        ),
        (
            vec![
                "export".into(),
                "synpunkt".into(),
                "-o".into(),
                p("s.oeflow"),
            ],
            0,
        ),
        (
            vec![
                "export".into(),
                "finns-inte".into(),
                "-o".into(),
                p("s.oeflow"),
            ],
            2,
        ),
        (vec!["schema".into()], 0),
        (
            vec![
                "sync".into(),
                "--site".into(),
                "http://127.0.0.1:9".into(),
                "--name".into(),
                "Ingen".into(),
            ],
            2,
        ),
        (vec!["search".into(), "bygg".into()], 0),
        (
            vec![
                "search".into(),
                "bygg".into(),
                "--site".into(),
                "nowhere.example".into(),
            ],
            2,
        ),
        (
            vec![
                "blankett".into(),
                "skolskjuts".into(),
                "-o".into(),
                p("b.pdf"),
            ],
            0,
        ),
        (
            vec![
                "blankett".into(),
                "synpunkt".into(),
                "-o".into(),
                p("b.pdf"),
            ],
            2,
        ),
        (
            vec![
                "import-catalogue".into(),
                "--site".into(),
                "https://e-tjanster.sundsvall.se".into(),
                SUNDSVALL.into(),
            ],
            0,
        ),
        (
            vec![
                "import-catalogue".into(),
                "--site".into(),
                "https://e-tjanster.sundsvall.se".into(),
                p("trasig.json"),
            ],
            2,
        ),
        (
            vec![
                "bundle".into(),
                "keygen".into(),
                "-o".into(),
                p("nyckel.txt"),
            ],
            0,
        ),
        (
            vec![
                "bundle".into(),
                "keygen".into(),
                "-o".into(),
                p("nyckel.txt"),
            ],
            2,
        ),
        (
            vec![
                "pdf".into(),
                "synpunkt".into(),
                "--answers".into(),
                example("synpunkt"),
                "-o".into(),
                p("f.pdf"),
            ],
            0,
        ),
        (
            vec![
                "pdf".into(),
                "synpunkt".into(),
                "--answers".into(),
                p("tom.json"),
                "-o".into(),
                p("f.pdf"),
            ],
            1,
        ),
        (
            vec![
                "pdf".into(),
                "synpunkt".into(),
                "--blank".into(),
                "-o".into(),
                p("blank.pdf"),
            ],
            0,
        ),
        (
            vec![
                "pdf".into(),
                "skolskjuts".into(),
                "--blank".into(),
                "-o".into(),
                p("blank.pdf"),
            ],
            2,
        ),
        (vec!["scan".into(), p("bild.png")], 2),
    ];
    for (args, code) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = etjanst(d, &args);
        assert_eq!(
            out.status.code(),
            Some(i32::from(*code)),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // The bundle build, with the key made above.
    let flows = d.join("paketet");
    std::fs::create_dir(&flows).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/forms/flows/synpunkt.json"),
        flows.join("synpunkt.json"),
    )
    .unwrap();
    let build = |site: &str| {
        etjanst(
            d,
            &[
                "bundle",
                "build",
                "--flows",
                &p("paketet"),
                "--site",
                site,
                "--key",
                &p("nyckel.txt"),
                "-o",
                &p("paket.json"),
            ],
        )
    };
    assert_eq!(
        build("https://e-tjanster.lindesberg.se").status.code(),
        Some(0)
    );
    assert_eq!(build("inte en adress").status.code(), Some(2));

    // Drafts: saved with errors is 1, a wrong passphrase 1, an unknown draft 2.
    let vault = d.join("valv");
    let draft = |pass: &str, args: &[&str]| {
        etjanst_with(
            &vault,
            pass,
            &[("ETJANST_FILE_PASSPHRASE", "filens lösenfras")],
            args,
        )
    };
    let good = "tre gröna äpplen";
    let saved = draft(
        good,
        &[
            "draft",
            "save",
            "synpunkt",
            "--answers",
            &example("synpunkt"),
        ],
    );
    assert_eq!(saved.status.code(), Some(0), "{}", stderr(&saved));
    let id = String::from_utf8_lossy(&saved.stdout).trim().to_string();
    assert_eq!(
        draft(
            good,
            &["draft", "save", "synpunkt", "--answers", &p("tom.json")]
        )
        .status
        .code(),
        Some(0),
        "a draft may be incomplete"
    );
    let with_errors = d.join("fel.json");
    std::fs::write(
        &with_errors,
        serde_json::json!({"answers": {"text": "x".repeat(4001)}}).to_string(),
    )
    .unwrap();
    assert_eq!(
        draft(
            good,
            &[
                "draft",
                "save",
                "synpunkt",
                "--answers",
                with_errors.to_str().unwrap()
            ]
        )
        .status
        .code(),
        Some(1)
    );
    assert_eq!(draft(good, &["draft", "list"]).status.code(), Some(0));
    assert_eq!(
        draft("fel lösenfras", &["draft", "list"]).status.code(),
        Some(1)
    );
    assert_eq!(draft(good, &["draft", "show", &id]).status.code(), Some(0));
    assert_eq!(
        draft(good, &["draft", "show", "finns-inte"]).status.code(),
        Some(2)
    );
    let file = p("utkast.etjanst");
    assert_eq!(
        draft(good, &["draft", "export", &id, "-o", &file])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        draft(good, &["draft", "import", &file]).status.code(),
        Some(0)
    );
    let wrong = etjanst_with(
        &vault,
        good,
        &[("ETJANST_FILE_PASSPHRASE", "en annan lösenfras")],
        &["draft", "import", &file],
    );
    assert_eq!(wrong.status.code(), Some(1), "{}", stderr(&wrong));
    assert_eq!(
        draft(good, &["draft", "delete", &id]).status.code(),
        Some(0)
    );
    assert_eq!(
        draft(good, &["draft", "delete", &id]).status.code(),
        Some(2)
    );
}

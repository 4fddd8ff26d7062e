//! Syncing from a real HTTP server on 127.0.0.1 that serves Sundsvall's real catalogue the
//! way Open ePlatform does (Latin-1, ETag).

mod common;

use common::http::{Route, Server};
use etjanst::catalogue::index::{Filter, Index};
use etjanst::catalogue::sync::{
    self, CancelHandle, Progress, Stage, SyncError, SyncOptions, SyncOutcome,
};

const SUNDSVALL: &[u8] = include_bytes!("fixtures/oep/catalogue-getflows-sundsvall.json");
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n fake icon";
const PDF: &[u8] = b"%PDF-1.4 blankett";

fn serve() -> Server {
    let server = Server::start();
    server.route(
        "/api/v1/getflows/json",
        Route {
            content_type: "text/xml; charset=ISO-8859-1".into(),
            body: local_catalogue(&server),
            etag: Some("\"v1\"".into()),
            ..Default::default()
        },
    );
    server.route(
        "/oversikt/icon/910",
        Route {
            content_type: "image/png".into(),
            body: PNG.to_vec(),
            ..Default::default()
        },
    );
    server.route(
        "/oversikt/getflowform/910",
        Route {
            content_type: "application/pdf".into(),
            body: PDF.to_vec(),
            ..Default::default()
        },
    );
    server
}

/// The fixture's icon URLs point at Sundsvall's real site; every test serves them from the
/// loopback server instead, so nothing ever leaves this machine.
fn local_catalogue(server: &Server) -> Vec<u8> {
    let text: String = SUNDSVALL.iter().map(|&b| b as char).collect();
    let local = text.replace("https://e-tjanster.sundsvall.se", &server.url);
    local.chars().map(|c| c as u32 as u8).collect()
}

fn quick() -> SyncOptions {
    SyncOptions {
        retries: 2,
        ..Default::default()
    }
}

fn run(
    index: &mut Index,
    server: &Server,
    cancel: &CancelHandle,
) -> (Result<SyncOutcome, SyncError>, Vec<Progress>) {
    let mut seen = Vec::new();
    let r = sync::sync(
        index,
        &server.url,
        "Sundsvalls kommun",
        &quick(),
        &mut |p| seen.push(p),
        cancel,
    );
    (r, seen)
}

fn count(index: &Index, server: &Server) -> usize {
    index
        .list(&Filter {
            site: Some(server.url.clone()),
            ..Default::default()
        })
        .unwrap()
        .len()
}

#[test]
fn full_sync_then_304_writes_nothing() {
    let server = serve();
    let mut route = Route {
        content_type: "text/xml; charset=ISO-8859-1".into(),
        body: local_catalogue(&server),
        etag: Some("\"v1\"".into()),
        ..Default::default()
    };
    server.route("/api/v1/getflows/json", route.clone());
    let dir = tempfile::tempdir().unwrap();
    let mut index = Index::open(dir.path()).unwrap();
    let (result, progress) = run(&mut index, &server, &CancelHandle::default());
    let outcome = result.unwrap();
    let SyncOutcome::Updated {
        dropped_links,
        files_left,
        ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    // Served from 127.0.0.1, the catalogue's links to sundsvall.se and government sites are
    // not the site's own.
    assert!(dropped_links > 0);
    assert_eq!(
        outcome,
        SyncOutcome::Updated {
            services: 161,
            icons: 1,
            blanketter: 1,
            dropped_links,
            files_left,
        }
    );
    assert_eq!(files_left, 0);
    assert_eq!(count(&index, &server), 161);
    let hits = index.search("matforg", &Filter::default(), 5).unwrap();
    assert_eq!(hits[0].name, "Anmäl misstänkt matförgiftning");
    assert_eq!(
        index.file(&server.url, 910, "blankett").unwrap().as_deref(),
        Some(PDF)
    );
    assert_eq!(
        index.file(&server.url, 910, "icon").unwrap().as_deref(),
        Some(PNG)
    );
    for stage in [
        Stage::Catalogue,
        Stage::Icons,
        Stage::Blanketter,
        Stage::Saving,
    ] {
        let last = progress.iter().rfind(|p| p.stage == stage).unwrap();
        assert_eq!(last.done, last.total, "{stage:?} finished");
    }
    assert_eq!(
        progress
            .iter()
            .rfind(|p| p.stage == Stage::Blanketter)
            .unwrap()
            .total,
        161
    );

    // Second sync: a conditional request, a 304, and the stored data untouched.
    let synced = std::fs::metadata(dir.path().join("catalogue.sqlite"))
        .unwrap()
        .modified()
        .unwrap();
    let before = server.requests().len();
    let (again, _) = run(&mut index, &server, &CancelHandle::default());
    assert_eq!(again.unwrap(), SyncOutcome::Unchanged);
    let new_requests = &server.requests()[before..];
    assert_eq!(
        new_requests.len(),
        1,
        "no icons or blanketter fetched again"
    );
    assert_eq!(new_requests[0].1.as_deref(), Some("\"v1\""));
    let wal = dir.path().join("catalogue.sqlite-wal");
    let wal_len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    let (_, _) = run(&mut index, &server, &CancelHandle::default());
    assert_eq!(
        std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0),
        wal_len,
        "a 304 writes nothing"
    );
    assert_eq!(
        std::fs::metadata(dir.path().join("catalogue.sqlite"))
            .unwrap()
            .modified()
            .unwrap(),
        synced
    );

    // A changed catalogue (new ETag) replaces the old one.
    let text: String = route.body.iter().map(|&b| b as char).collect();
    route.body = text
        .replace("Anmäl misstänkt matförgiftning", "Anmäl matförgiftning")
        .chars()
        .map(|c| c as u32 as u8)
        .collect();
    route.etag = Some("\"v2\"".into());
    server.route("/api/v1/getflows/json", route);
    let (changed, _) = run(&mut index, &server, &CancelHandle::default());
    assert!(matches!(
        changed.unwrap(),
        SyncOutcome::Updated { services: 161, .. }
    ));
    let hits = index.search("matforg", &Filter::default(), 5).unwrap();
    assert_eq!(hits[0].name, "Anmäl matförgiftning");
}

fn first_sync(server: &Server) -> (tempfile::TempDir, Index) {
    let dir = tempfile::tempdir().unwrap();
    let mut index = Index::open(dir.path()).unwrap();
    let (r, _) = run(&mut index, server, &CancelHandle::default());
    assert!(matches!(r.unwrap(), SyncOutcome::Updated { .. }));
    (dir, index)
}

#[test]
fn a_dropped_connection_keeps_the_previous_catalogue() {
    let server = serve();
    let (_dir, mut index) = first_sync(&server);
    server.route(
        "/api/v1/getflows/json",
        Route {
            content_type: "text/xml; charset=ISO-8859-1".into(),
            body: local_catalogue(&server),
            etag: Some("\"v2\"".into()),
            drop_halfway: true,
            ..Default::default()
        },
    );
    let (r, _) = run(&mut index, &server, &CancelHandle::default());
    let err = r.unwrap_err();
    assert!(matches!(err, SyncError::Network { .. }), "{err}");
    assert!(err.to_string().contains("Det gick inte att nå"), "{err}");
    assert_eq!(
        count(&index, &server),
        161,
        "the previous catalogue is intact"
    );
}

#[test]
fn broken_json_keeps_the_previous_catalogue_with_a_clear_message() {
    let server = serve();
    let (_dir, mut index) = first_sync(&server);
    server.route(
        "/api/v1/getflows/json",
        Route {
            content_type: "application/json".into(),
            body: b"{\"Flows\": [ {\"ID\": 1, \"Name\": }".to_vec(),
            etag: Some("\"v3\"".into()),
            ..Default::default()
        },
    );
    let (r, _) = run(&mut index, &server, &CancelHandle::default());
    let err = r.unwrap_err();
    assert!(err.to_string().contains("inte giltig JSON"), "{err}");
    assert_eq!(count(&index, &server), 161);
}

#[test]
fn server_errors_are_retried_and_cancelling_changes_nothing() {
    let server = serve();
    server.route(
        "/api/v1/getflows/json",
        Route {
            content_type: "text/xml; charset=ISO-8859-1".into(),
            body: local_catalogue(&server),
            fail_first: 2,
            ..Default::default()
        },
    );
    let (_dir, mut index) = first_sync(&server);
    assert_eq!(count(&index, &server), 161, "two 500s, then success");
    let cancel = CancelHandle::default();
    cancel.cancel();
    let (r, _) = run(&mut index, &server, &cancel);
    assert!(matches!(r, Err(SyncError::Cancelled)));
    assert_eq!(count(&index, &server), 161);
    let gone = Server::start();
    let (r, _) = run(&mut index, &gone, &CancelHandle::default());
    assert!(matches!(r, Err(SyncError::Status { status: 404, .. })));
}

#[test]
fn sync_command_reports_progress() {
    let server = serve();
    let dir = tempfile::tempdir().unwrap();
    let out = common::etjanst(
        dir.path(),
        &["sync", "--site", &server.url, "--name", "Sundsvall"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Hämtar katalogen") && err.contains("161/161"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("161 e-tjänster från Sundsvall"));
}

#[test]
fn synced_catalogue_is_listed_filtered_and_its_blankett_saved() {
    let server = serve();
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| common::etjanst(dir.path(), args);
    assert!(
        run(&["sync", "--site", &server.url, "--name", "Sundsvall"])
            .status
            .success()
    );
    let overview = String::from_utf8_lossy(&run(&["flows"]).stdout).into_owned();
    assert!(overview.contains("Sundsvall: 161 e-tjänster"), "{overview}");
    let listed = run(&[
        "flows",
        "--site",
        &server.url,
        "--category",
        "Omsorg och hjälp",
        "--json",
    ]);
    let hits: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(hits.as_array().unwrap().len(), 31);
    let pdf = dir.path().join("blankett.pdf");
    let saved = run(&[
        "blankett",
        "910",
        "--site",
        &server.url,
        "-o",
        pdf.to_str().unwrap(),
    ]);
    assert!(
        saved.status.success(),
        "{}",
        String::from_utf8_lossy(&saved.stderr)
    );
    assert_eq!(std::fs::read(&pdf).unwrap(), PDF);
    let none = run(&[
        "blankett",
        "2214",
        "--site",
        &server.url,
        "-o",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("ingen blankett"));
}

#[test]
fn a_sync_fetches_a_bounded_number_of_files_and_the_next_one_goes_on() {
    let server = Server::start();
    let flows: Vec<serde_json::Value> = (1..=5)
        .map(|i| serde_json::json!({"ID": i, "Name": format!("E-tjänst {i}")}))
        .collect();
    server.route(
        "/api/v1/getflows/json",
        Route {
            content_type: "application/json".into(),
            body: serde_json::to_vec(&serde_json::json!({ "Flows": flows })).unwrap(),
            ..Default::default()
        },
    );
    for i in 1..=5 {
        server.route(
            &format!("/oversikt/getflowform/{i}"),
            Route {
                content_type: "application/pdf".into(),
                body: format!("%PDF blankett {i}").into_bytes(),
                ..Default::default()
            },
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let mut index = Index::open(dir.path()).unwrap();
    let mut options = quick();
    options.limits.file_requests = 2;
    let sync_once = |index: &mut Index| {
        sync::sync(
            index,
            &server.url,
            "Liten",
            &options,
            &mut |_| {},
            &CancelHandle::default(),
        )
        .unwrap()
    };
    let probes = |server: &Server| {
        server
            .requests()
            .iter()
            .filter(|(p, _)| p.contains("getflowform"))
            .count()
    };
    let first = sync_once(&mut index);
    assert!(
        matches!(
            first,
            SyncOutcome::Updated {
                blanketter: 2,
                files_left: 3,
                ..
            }
        ),
        "{first:?}"
    );
    assert_eq!(probes(&server), 2, "no more requests than the bound");
    // The next sync asks for the ones still missing first, and keeps the ones it has.
    sync_once(&mut index);
    sync_once(&mut index);
    let stored = index.stored_files(&server.url, "blankett").unwrap();
    assert_eq!(stored.len(), 5, "{stored:?}");
    // And one a citizen opens before any sync reached it is fetched then.
    let other = tempfile::tempdir().unwrap();
    let mut fresh = Index::open(other.path()).unwrap();
    options.limits.file_requests = 0;
    sync::sync(
        &mut fresh,
        &server.url,
        "Liten",
        &options,
        &mut |_| {},
        &CancelHandle::default(),
    )
    .unwrap();
    assert_eq!(fresh.file(&server.url, 4, "blankett").unwrap(), None);
    let got = sync::fetch_blankett(&mut fresh, &server.url, 4, &options).unwrap();
    assert_eq!(got.as_deref(), Some(&b"%PDF blankett 4"[..]));
    assert!(
        fresh.file(&server.url, 4, "blankett").unwrap().is_some(),
        "stored for next time"
    );
}

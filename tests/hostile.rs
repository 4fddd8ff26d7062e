//! What a broken, compromised or hostile site can serve, played by a loopback server: script
//! links, terminal escapes, other hosts, redirects, huge bodies and huge catalogues. Nothing of
//! it may reach a citizen or run away with the computer.

mod common;

use std::path::Path;

use common::etjanst;
use common::http::{Route, Server};
use etjanst::catalogue::flowinfo;

/// The OWASP XSS filter-evasion list's URL payloads (scheme tricks), and other schemes.
const HOSTILE_LINKS: &[&str] = &[
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\rscript:alert(1)",
    "java\u{0}script:alert(1)",
    "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)",
    "&#x6A;&#x61;&#x76;&#x61;script:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "\u{1}javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
    "//evil.example/x",
    "https://evil.example/phish",
    "http://e-tjanster.sundsvall.se@evil.example/",
];

const SITE: &str = "https://e-tjanster.sundsvall.se";

fn catalogue_with(entries: &[serde_json::Value]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "Flows": entries })).unwrap()
}

fn entry(id: i64, name: &str, url: &str, description: &str) -> serde_json::Value {
    serde_json::json!({
        "ID": id, "FlowFamilyID": id, "Name": name, "URL": url, "Category": "Övrigt",
        "ShortDescription": description, "LongDescription": description, "Enabled": true
    })
}

#[test]
fn only_the_sites_own_links_survive_parsing() {
    for (i, link) in HOSTILE_LINKS.iter().enumerate() {
        let description = format!("<p><a href=\"{link}\">Läs mer</a></p>");
        let body = catalogue_with(&[entry(i as i64 + 1, "E-tjänst", link, &description)]);
        let parsed = flowinfo::parse(&body, None, SITE).unwrap();
        let s = &parsed.services[0];
        // What is kept is an address on the site itself (a control character can turn a
        // scheme into a harmless relative path there).
        assert!(
            s.url
                .as_deref()
                .is_none_or(|u| u.starts_with(&format!("{SITE}/"))),
            "{link:?} kept as {:?}",
            s.url
        );
        let html = format!("{} {}", s.short_html, s.long_html).to_lowercase();
        for bad in ["javascript", "vbscript", "data:", "file:", "evil.example"] {
            assert!(!html.contains(bad), "{link:?} left {bad} in {html}");
        }
        assert!(html.contains("läs mer"), "the link text stays: {html}");
        if s.url.is_none() {
            assert!(
                parsed.dropped_links >= 2,
                "{link:?}: dropped links are counted"
            );
        }
    }
    // The site's own addresses, its municipality's, relative ones, mail and phone stay.
    let description = "<a href=\"/oversikt/overview/1\">a</a> <a href=\"https://sundsvall.se/x\">b</a> \
        <a href=\"mailto:info@sundsvall.se\">c</a> <a href=\"tel:060191000\">d</a>";
    let body = catalogue_with(&[entry(
        1,
        "E-tjänst",
        "https://e-tjanster.sundsvall.se/oversikt/overview/1",
        description,
    )]);
    let parsed = flowinfo::parse(&body, None, SITE).unwrap();
    assert_eq!(parsed.dropped_links, 0);
    let s = &parsed.services[0];
    assert_eq!(
        s.url.as_deref(),
        Some("https://e-tjanster.sundsvall.se/oversikt/overview/1")
    );
    for kept in [
        "https://e-tjanster.sundsvall.se/oversikt/overview/1",
        "https://sundsvall.se/x",
        "mailto:info@sundsvall.se",
        "tel:060191000",
    ] {
        assert!(s.short_html.contains(kept), "{kept} in {}", s.short_html);
    }
}

fn site_serving(body: Vec<u8>) -> Server {
    let server = Server::start();
    server.route(
        "/api/v1/getflows/json",
        Route {
            content_type: "application/json; charset=utf-8".into(),
            body,
            ..Default::default()
        },
    );
    server
}

fn sync(dir: &Path, server: &Server) -> std::process::Output {
    etjanst(
        dir,
        &[
            "sync",
            "--site",
            &server.url,
            "--name",
            "Hemsk",
            "--no-blanketter",
        ],
    )
}

fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn script_links_and_terminal_escapes_never_reach_the_citizen() {
    let evil_name = "Bygglov\u{1b}]0;pwned\u{7}\u{1b}[31m röd\u{202e}txt";
    let server = site_serving(catalogue_with(&[
        entry(
            1,
            evil_name,
            "javascript:alert(1)",
            "<a href='JaVaScRiPt:alert(2)'>x</a>",
        ),
        entry(2, "Parkering", "data:text/html,<script>", "<p>ok</p>"),
    ]));
    let dir = tempfile::tempdir().unwrap();
    let out = sync(dir.path(), &server);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("länkar"),
        "a counted warning: {}",
        text(&out)
    );
    for args in [
        vec!["flows", "--site", &server.url],
        vec!["show", "1", "--site", &server.url],
        vec!["show", "1", "--site", &server.url, "--json"],
        vec!["search", "bygglov"],
        vec!["search", "bygglov", "--json"],
    ] {
        let out = etjanst(dir.path(), &args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        let shown = text(&out);
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
            "{args:?}: {shown:?}"
        );
        assert!(!shown.contains('\u{202e}'), "{args:?}");
        assert!(
            !shown.to_lowercase().contains("javascript"),
            "{args:?}: {shown}"
        );
        assert!(!shown.contains("data:text"), "{args:?}: {shown}");
    }
    let shown = text(&etjanst(dir.path(), &["show", "1", "--site", &server.url]));
    assert!(
        shown.contains("Bygglov]0;pwned[31m röd"),
        "the text stays: {shown}"
    );
}

#[test]
fn the_catalogue_cannot_choose_other_hosts_to_fetch() {
    let internal = Server::start();
    internal.route(
        "/internal-admin",
        Route {
            content_type: "image/png".into(),
            body: b"\x89PNG secret".to_vec(),
            ..Default::default()
        },
    );
    let mut e = entry(1, "Ikon", "", "");
    e["Icon"] = format!("{}/internal-admin?token=1", internal.url).into();
    let site = site_serving(catalogue_with(&[e]));
    let dir = tempfile::tempdir().unwrap();
    let out = sync(dir.path(), &site);
    assert!(out.status.success(), "{}", text(&out));
    assert!(internal.requests().is_empty(), "{:?}", internal.requests());

    // A site that redirects to another origin is not followed.
    let elsewhere = site_serving(catalogue_with(&[entry(9, "Falsk", "", "")]));
    let redirecting = Server::start();
    redirecting.route(
        "/api/v1/getflows/json",
        Route {
            redirect: Some(format!("{}/api/v1/getflows/json", elsewhere.url)),
            ..Default::default()
        },
    );
    let out = sync(dir.path(), &redirecting);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("omdirigering"), "{}", text(&out));
    assert!(elsewhere.requests().is_empty());
    // Plain http is warned about.
    assert!(
        text(&out).contains("http utan kryptering"),
        "{}",
        text(&out)
    );
}

#[test]
fn huge_bodies_and_catalogues_are_refused_and_the_old_catalogue_stays() {
    let dir = tempfile::tempdir().unwrap();
    let site = site_serving(catalogue_with(&[entry(1, "Bygglov", "", "")]));
    assert!(sync(dir.path(), &site).status.success());

    // 80 MB with no length given: cut off while it streams, not held whole.
    let mut huge = b"{\"Flows\": [".to_vec();
    huge.resize(80 << 20, b' ');
    site.route(
        "/api/v1/getflows/json",
        Route {
            content_type: "application/json".into(),
            body: huge,
            no_length: true,
            ..Default::default()
        },
    );
    let started = std::time::Instant::now();
    let out = sync(dir.path(), &site);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("mer än 64 MB"), "{}", text(&out));
    eprintln!("80 MB body refused in {:?}", started.elapsed());

    // 200,000 e-services: refused with a clear message, without probing any blankett.
    let many: Vec<serde_json::Value> = (1..=200_000)
        .map(|i| serde_json::json!({"ID": i, "Name": format!("E-tjänst {i}")}))
        .collect();
    site.route(
        "/api/v1/getflows/json",
        Route {
            content_type: "application/json".into(),
            body: catalogue_with(&many),
            ..Default::default()
        },
    );
    let started = std::time::Instant::now();
    let out = etjanst(
        dir.path(),
        &["sync", "--site", &site.url, "--name", "Hemsk"],
    );
    eprintln!("200,000 e-services refused in {:?}", started.elapsed());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("200000 e-tjänster"), "{}", text(&out));
    assert!(
        !site
            .requests()
            .iter()
            .any(|(p, _)| p.contains("getflowform")),
        "no blanketter probed"
    );
    let kept = etjanst(dir.path(), &["flows", "--site", &site.url]);
    assert!(
        String::from_utf8_lossy(&kept.stdout).contains("Bygglov"),
        "old catalogue kept"
    );
}

#[test]
fn show_finds_a_synced_service_by_number_without_the_site() {
    let dir = tempfile::tempdir().unwrap();
    let a = site_serving(catalogue_with(&[
        entry(501, "Bygglov i A", "", ""),
        entry(7, "Ett", "", ""),
    ]));
    let b = site_serving(catalogue_with(&[entry(501, "Bygglov i B", "", "")]));
    for (site, name) in [(&a, "A"), (&b, "B")] {
        let out = etjanst(
            dir.path(),
            &[
                "sync",
                "--site",
                &site.url,
                "--name",
                name,
                "--no-blanketter",
                "--no-icons",
            ],
        );
        assert!(out.status.success(), "{}", text(&out));
    }
    let one = etjanst(dir.path(), &["show", "7"]);
    assert!(one.status.success(), "{}", text(&one));
    assert!(text(&one).contains("Ett"));
    let both = etjanst(dir.path(), &["show", "501"]);
    assert_eq!(both.status.code(), Some(2));
    let listed = text(&both);
    assert!(
        listed.contains(&a.url) && listed.contains(&b.url),
        "{listed}"
    );
    assert!(listed.contains("--site"), "{listed}");
}

fn trusting(ca: &[u8]) -> etjanst::catalogue::sync::SyncOptions {
    etjanst::catalogue::sync::SyncOptions {
        retries: 0,
        extra_roots: vec![ca.to_vec()],
        ..Default::default()
    }
}

fn sync_lib(
    site: &str,
    options: &etjanst::catalogue::sync::SyncOptions,
) -> Result<etjanst::catalogue::sync::SyncOutcome, etjanst::catalogue::sync::SyncError> {
    let dir = tempfile::tempdir().unwrap();
    let mut index = etjanst::catalogue::index::Index::open(dir.path()).unwrap();
    etjanst::catalogue::sync::sync(
        &mut index,
        site,
        "TLS",
        options,
        &mut |_| {},
        &etjanst::catalogue::sync::CancelHandle::default(),
    )
}

#[test]
fn over_tls_a_site_cannot_redirect_down_to_http_and_a_foreign_certificate_is_refused() {
    use common::tls::TlsServer;
    let body = String::from_utf8(catalogue_with(&[entry(1, "Bygglov", "", "")])).unwrap();
    let site = TlsServer::start(format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    // The real thing first: HTTPS with the test CA trusted works.
    let outcome = sync_lib(&site.url, &trusting(&site.ca_pem)).unwrap();
    assert!(
        matches!(
            outcome,
            etjanst::catalogue::sync::SyncOutcome::Updated { services: 1, .. }
        ),
        "{outcome:?}"
    );

    // The same site answering with a redirect to plain http: refused, nothing asked of the
    // http server.
    let plain = site_serving(catalogue_with(&[entry(9, "Falsk", "", "")]));
    let downgrade = TlsServer::start(format!(
        "HTTP/1.1 302 Found\r\nLocation: {}/api/v1/getflows/json\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        plain.url
    ));
    let err = sync_lib(&downgrade.url, &trusting(&downgrade.ca_pem)).unwrap_err();
    assert!(err.to_string().contains("omdirigering"), "{err}");
    assert!(plain.requests().is_empty(), "{:?}", plain.requests());

    // A certificate from a CA the client does not trust: refused, with the cause said.
    let err = sync_lib(&site.url, &trusting(&downgrade.ca_pem)).unwrap_err();
    let message = err.to_string().to_lowercase();
    assert!(
        message.contains("certificate") || message.contains("certifikat"),
        "{message}"
    );
}

//! Open ePlatform catalogues stored for offline use and search, with Sundsvall's real one.

mod common;

use etjanst::catalogue::flowinfo;
use etjanst::catalogue::index::{Filter, Index, SiteData};

const SUNDSVALL: &[u8] = include_bytes!("fixtures/oep/catalogue-getflows-sundsvall.json");
const SITE: &str = "https://e-tjanster.sundsvall.se";

#[test]
fn all_161_services_arrive_with_correct_swedish_letters() {
    let services = flowinfo::parse(SUNDSVALL, Some("text/xml; charset=ISO-8859-1"), SITE)
        .unwrap()
        .services;
    assert_eq!(services.len(), 161);
    assert!(
        services
            .iter()
            .any(|s| s.name == "Anmäl misstänkt matförgiftning")
    );
    assert_eq!(
        services
            .iter()
            .filter(|s| s.category == "Bygga, bo och miljö")
            .count(),
        42
    );
    for s in &services {
        assert!(
            !s.name.contains('Ã') && !s.text.contains('Ã'),
            "mojibake in {}",
            s.name
        );
        assert!(!s.text.contains("&auml;"), "entities decoded in {}", s.name);
    }
    // The same catalogue served as UTF-8 (declared or not) reads the same.
    let utf8 = String::from_utf8(
        SUNDSVALL
            .iter()
            .map(|&b| b as char)
            .collect::<String>()
            .into_bytes(),
    )
    .unwrap();
    assert_eq!(
        flowinfo::parse(utf8.as_bytes(), None, SITE)
            .unwrap()
            .services,
        services
    );
    assert_eq!(
        flowinfo::parse(
            utf8.as_bytes(),
            Some("application/json; charset=utf-8"),
            SITE
        )
        .unwrap()
        .services,
        services
    );
    // Undeclared Latin-1 is recognised too.
    assert_eq!(
        flowinfo::parse(SUNDSVALL, None, SITE).unwrap().services,
        services
    );
}

#[test]
fn descriptions_are_sanitised_before_anyone_sees_them() {
    let text: String = SUNDSVALL.iter().map(|&b| b as char).collect();
    let evil = text.replacen(
        "\"ShortDescription\": \"",
        "\"ShortDescription\": \"<script>alert(1)</script><img src=x onerror=alert(2)><a href='javascript:alert(3)'>klicka</a>",
        1,
    );
    let services = flowinfo::parse(evil.as_bytes(), None, SITE)
        .unwrap()
        .services;
    let html = &services[0].short_html;
    for bad in ["<script", "onerror", "javascript:", "alert("] {
        assert!(!html.contains(bad), "{bad} survived: {html}");
    }
    assert!(html.contains("klicka"), "harmless text is kept: {html}");
}

#[test]
fn broken_json_is_reported_with_its_position() {
    let err = flowinfo::parse(b"{\"Flows\": [\n  {\"ID\": 1,,}]}", None, SITE).unwrap_err();
    assert!(err.to_string().contains("rad 2"), "{err}");
    assert!(flowinfo::parse(b"{}", None, SITE).is_err());
}

fn data(name: &str, services: Vec<flowinfo::RemoteService>) -> SiteData {
    SiteData {
        name: name.into(),
        services,
        ..Default::default()
    }
}

fn sundsvall_index(dir: &std::path::Path) -> Index {
    let mut index = Index::open(dir).unwrap();
    let services = flowinfo::parse(SUNDSVALL, None, SITE).unwrap().services;
    index
        .replace_site(SITE, &data("Sundsvalls kommun", services))
        .unwrap();
    index
}

#[test]
fn search_finds_from_a_few_letters_with_or_without_diacritics() {
    let dir = tempfile::tempdir().unwrap();
    let index = sundsvall_index(dir.path());
    for q in ["matförg", "matforg", "Matförgiftning", "anmäl matf"] {
        let hits = index.search(q, &Filter::default(), 10).unwrap();
        assert_eq!(
            hits.first().map(|h| h.name.as_str()),
            Some("Anmäl misstänkt matförgiftning"),
            "{q}: {hits:?}"
        );
    }
    let hits = index.search("forskola", &Filter::default(), 50).unwrap();
    assert!(
        hits.iter()
            .any(|h| h.name.to_lowercase().contains("förskola")),
        "{hits:?}"
    );
    // Name hits come before hits in descriptions only.
    let hits = index.search("bygglov", &Filter::default(), 50).unwrap();
    let first_text_only = hits
        .iter()
        .position(|h| !h.name.to_lowercase().contains("bygglov"));
    let last_name = hits
        .iter()
        .rposition(|h| h.name.to_lowercase().contains("bygglov"));
    let (Some(t), Some(n)) = (first_text_only, last_name) else {
        panic!("expected both name and description hits for bygglov: {hits:?}")
    };
    assert!(n < t, "name hits first: {hits:?}");
    assert!(index.search("", &Filter::default(), 10).unwrap().is_empty());
    assert!(
        index
            .search("xyzzyq", &Filter::default(), 10)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn filters_and_several_sites() {
    let dir = tempfile::tempdir().unwrap();
    let mut index = sundsvall_index(dir.path());
    let services = flowinfo::parse(SUNDSVALL, None, SITE).unwrap().services;
    index
        .replace_site(
            "https://etjanster.example.se",
            &data("Exempelkommun", services[..10].to_vec()),
        )
        .unwrap();
    let sites = index.sites().unwrap();
    assert_eq!(sites.len(), 2);
    assert!(sites.iter().any(|(u, _, n)| u == SITE && *n == 161));
    let only = Filter {
        site: Some(SITE.into()),
        ..Default::default()
    };
    assert_eq!(index.list(&only).unwrap().len(), 161);
    let school = Filter {
        category: Some("Utbildning och förskola".into()),
        site: Some(SITE.into()),
        ..Default::default()
    };
    assert_eq!(index.list(&school).unwrap().len(), 40);
    let eid = Filter {
        needs_eid: Some(true),
        site: Some(SITE.into()),
        ..Default::default()
    };
    assert!(
        index
            .list(&eid)
            .unwrap()
            .iter()
            .all(|h| h.requires_authentication || h.requires_signing)
    );
    // Replacing a site's catalogue replaces it, and leaves the other site alone.
    index
        .replace_site(SITE, &data("Sundsvalls kommun", services[..5].to_vec()))
        .unwrap();
    assert_eq!(index.list(&only).unwrap().len(), 5);
    assert_eq!(
        index.search("matförg", &only, 10).unwrap().len(),
        usize::from(services[..5].iter().any(|s| s.name.contains("matförg")))
    );
    assert_eq!(
        index
            .list(&Filter {
                site: Some("https://etjanster.example.se".into()),
                ..Default::default()
            })
            .unwrap()
            .len(),
        10
    );
}

#[test]
fn a_broken_download_leaves_the_stored_catalogue_usable() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, SUNDSVALL).unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, &SUNDSVALL[..SUNDSVALL.len() / 2]).unwrap();
    let run = |args: &[&str]| common::etjanst(dir.path(), args);
    let ok = run(&["import-catalogue", "--site", SITE, good.to_str().unwrap()]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let bad = run(&["import-catalogue", "--site", SITE, broken.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("inte giltig JSON"));
    let found = run(&["search", "matforg", "--json"]);
    let hits: serde_json::Value = serde_json::from_slice(&found.stdout).unwrap();
    assert!(
        hits.as_array()
            .unwrap()
            .iter()
            .any(|h| h["site"] == SITE && h["name"] == "Anmäl misstänkt matförgiftning"),
        "{hits}"
    );
}

#[test]
fn one_site_among_many_gets_its_own_hits_first_and_all_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let services = flowinfo::parse(
        include_bytes!("fixtures/oep/catalogue-getflows-sundsvall.json"),
        None,
        "https://e-tjanster.sundsvall.se",
    )
    .unwrap()
    .services;
    let mut index = Index::open(dir.path()).unwrap();
    // Thirty sites with the same names: the last one's hits sit behind every other site's.
    for site in 0..30 {
        let mut list = services.clone();
        for (i, s) in list.iter_mut().enumerate() {
            s.flow_id = (site * 1000 + i) as i64;
        }
        index
            .replace_site(
                &format!("https://k{site}.example.se"),
                &data(&format!("K{site}"), list),
            )
            .unwrap();
    }
    let everywhere = index.search("ansökan", &Filter::default(), 10_000).unwrap();
    let filter = Filter {
        site: Some("https://k29.example.se".into()),
        ..Default::default()
    };
    let mine = index.search("ansökan", &filter, 10_000).unwrap();
    assert!(!mine.is_empty());
    assert!(mine.iter().all(|h| h.site == "https://k29.example.se"));
    assert_eq!(
        mine.len() * 30,
        everywhere.len(),
        "every site has the same hits"
    );
    let first = index.search("ansökan", &filter, 3).unwrap();
    assert_eq!(first.len(), 3);
    assert_eq!(first[..], mine[..3]);
}

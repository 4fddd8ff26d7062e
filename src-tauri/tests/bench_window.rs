//! In-window speed of the desktop app (run by `scripts/bench-desktop`, release build): with a
//! synced national catalogue (290 sites × 150 e-services, names from Sundsvall's real
//! catalogue, as the search benchmark builds it), keystroke-to-results in the real window; on
//! the 300-query benchmark flow, keystroke-to-evaluation shown. Ignored in the test suite.

mod common;

#[path = "../../benches/common/big_flow.rs"]
mod big_flow;
#[path = "../../benches/common/national.rs"]
mod national;

use common::*;
use etjanst::catalogue::index::Index;
use serde_json::json;

fn national(dir: &std::path::Path) -> usize {
    national::fill(&mut Index::open(dir).unwrap(), 290)
}

fn p95(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    (v[v.len() / 2], v[(v.len() * 95 / 100).min(v.len() - 1)])
}

/// Times, in the page, from an input event to the frame after the window showed its answer.
const MEASURE: &str = r#"
const [selector, texts, ready] = [arguments[0], arguments[1], arguments[2]];
const done = arguments[arguments.length - 1];
const el = document.querySelector(selector);
const frame = () => new Promise(r => requestAnimationFrame(() => r()));
const until = (f) => new Promise(r => { const tick = () => f() ? r() : setTimeout(tick, 0); tick(); });
(async () => {
  const out = [];
  for (const text of texts) {
    const before = document.querySelector('form')?.dataset.evaluations;
    const t0 = performance.now();
    el.value = text;
    el.dispatchEvent(new Event('input', { bubbles: true }));
    if (ready === 'results') await until(() => document.querySelector('.results').dataset.query === text);
    else await until(() => document.querySelector('form').dataset.evaluations !== before);
    const shown = performance.now() - t0;
    await frame();
    out.push(performance.now() - t0);
    (window.__shown = window.__shown || []).push(shown);
  }
  done(out);
})();
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: scripts/bench-desktop runs it in a release build"]
async fn in_window_speed() {
    let _one = SERIAL.lock().await;
    let data = tempfile::tempdir().unwrap();
    let saves = tempfile::tempdir().unwrap();
    let rows = national(data.path());
    let (flow, _) = big_flow::documents();
    let file = data.path().join("stor.json");
    std::fs::write(&file, flow.to_string()).unwrap();
    etjanst::catalogue::import(data.path(), &[file]).unwrap();

    let app = launch(data.path(), saves.path()).await;
    app.heading("Kommunens e-tjänster").await;
    let prefixes = [
        "a",
        "an",
        "ans",
        "ansö",
        "ansök",
        "b",
        "by",
        "byg",
        "bygg",
        "bygglov",
        "s",
        "sk",
        "sko",
        "skol",
        "f",
        "fö",
        "för",
        "förs",
        "försk",
        "förskola",
        "m",
        "ma",
        "mat",
        "matf",
        "matförg",
    ];
    let texts: Vec<_> = (0..4)
        .flat_map(|_| prefixes.iter().map(|s| json!(s)))
        .collect();
    // Once to warm the index's name table, as a citizen's first keystroke does.
    app.c
        .execute_async(
            MEASURE,
            vec![json!("#search"), json!(["an"]), json!("results")],
        )
        .await
        .unwrap();
    let times: Vec<f64> = serde_json::from_value(
        app.c
            .execute_async(
                MEASURE,
                vec![json!("#search"), json!(texts), json!("results")],
            )
            .await
            .unwrap(),
    )
    .unwrap();
    let (median, p) = p95(times.clone());
    let shown: Vec<f64> =
        serde_json::from_value(app.js("return window.__shown.slice(1)").await).unwrap();
    let (sm, sp) = p95(shown);
    println!("SEARCH_DOM_MEDIAN_MS={sm:.1}");
    println!("SEARCH_DOM_P95_MS={sp:.1}");
    // The core's part alone: the search command's round trip, nothing drawn.
    let calls: Vec<f64> = serde_json::from_value(
        app.c
            .execute_async(
                "const [texts, done] = [arguments[0], arguments[arguments.length - 1]];
                 (async () => { const out = [];
                   for (const text of texts) { const t0 = performance.now();
                     await window.__TAURI_INTERNALS__.invoke('search', { query: { text } });
                     out.push(performance.now() - t0); }
                   done(out); })();",
                vec![json!(texts)],
            )
            .await
            .unwrap(),
    )
    .unwrap();
    let (call_median, call_p) = p95(calls);
    println!("SEARCH_CALL_MEDIAN_MS={call_median:.1}");
    println!("SEARCH_CALL_P95_MS={call_p:.1}");
    println!("SEARCH_ROWS={rows}");
    println!("SEARCH_KEYSTROKES={}", times.len());
    println!("SEARCH_MEDIAN_MS={median:.1}");
    println!("SEARCH_P95_MS={p:.1}");

    // The 300-query flow: keystrokes in a field of its first step.
    app.c
        .execute(
            "document.getElementById('search').value = ''; return 1",
            vec![],
        )
        .await
        .unwrap();
    app.type_into("#search", "Stort formulär").await;
    app.click_text("button", "Stort formulär").await;
    app.click_text("button", "Fyll i").await;
    app.heading("Skydda dina utkast").await;
    app.type_into("#passphrase", PASSPHRASE).await;
    app.type_into("#passphrase-again", PASSPHRASE).await;
    app.keys(ENTER).await;
    app.heading("Steg 0").await;
    app.js("window.__shown = []; return 1").await;
    let names: Vec<_> = (0..60)
        .map(|i| json!(format!("Åsa{}", "x".repeat(i % 7))))
        .collect();
    let times: Vec<f64> = serde_json::from_value(
        app.c
            .execute_async(
                MEASURE,
                vec![json!("#q-5-firstName"), json!(names), json!("evaluation")],
            )
            .await
            .unwrap(),
    )
    .unwrap();
    let (median, p) = p95(times.clone());
    let shown: Vec<f64> = serde_json::from_value(app.js("return window.__shown").await).unwrap();
    let (dm, dp) = p95(shown);
    println!("EVALUATE_DOM_MEDIAN_MS={dm:.1}");
    println!("EVALUATE_DOM_P95_MS={dp:.1}");
    println!("EVALUATE_QUERIES=300");
    println!("EVALUATE_MEDIAN_MS={median:.1}");
    println!("EVALUATE_P95_MS={p:.1}");
    app.quit().await;
}

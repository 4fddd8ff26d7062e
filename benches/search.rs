//! Search at national scale: 290 municipalities × 150 e-services (43,500 rows, names and
//! descriptions from Sundsvall's real catalogue). Goal: median under 1 ms and p95 under 2 ms,
//! common prefixes included. Prints plain bm25-ranked FTS5 beside etjanst's search.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use etjanst::catalogue::index::{Filter, Index};

#[path = "common/national.rs"]
mod national;
const QUERIES: [&str; 7] = ["an", "ans", "ansök", "bygg", "skol", "forskola", "matförg"];

fn percentiles(mut t: Vec<f64>) -> (f64, f64) {
    t.sort_by(|a, b| a.total_cmp(b));
    (t[t.len() / 2], t[t.len() * 95 / 100])
}

fn bench(c: &mut Criterion) {
    let full = std::env::args().any(|a| a == "--bench");
    let sites = if full { 290 } else { 10 };
    let dir = tempfile::tempdir().unwrap();
    let mut index = Index::open(dir.path()).unwrap();
    national::fill(&mut index, sites);
    let filter = Filter::default();
    // Warm both paths once (the name index is built on first use).
    index.search("an", &filter, 20).unwrap();
    index.full_text("an", &filter, 20).unwrap();

    c.bench_function("search 'ans' (etjanst)", |b| {
        b.iter(|| black_box(index.search("ans", &filter, 20).unwrap()))
    });
    c.bench_function("search 'ans' (plain FTS5 bm25)", |b| {
        b.iter(|| black_box(index.full_text("ans", &filter, 20).unwrap()))
    });

    if full {
        println!(
            "{} rows; median / p95 in ms over 200 runs each",
            sites * 150
        );
        let mut all = Vec::new();
        for q in QUERIES {
            let time = |f: &dyn Fn() -> usize| {
                let runs: Vec<f64> = (0..200)
                    .map(|_| {
                        let t = Instant::now();
                        black_box(f());
                        t.elapsed().as_secs_f64() * 1000.0
                    })
                    .collect();
                runs
            };
            let ours = time(&|| index.search(q, &filter, 20).unwrap().len());
            let plain = time(&|| index.full_text(q, &filter, 20).unwrap().len());
            all.extend(ours.iter().copied());
            let (om, op) = percentiles(ours);
            let (pm, pp) = percentiles(plain);
            println!(
                "  {q:<10} etjanst {om:7.3} / {op:7.3}   plain FTS5 {pm:7.3} / {pp:7.3}   ratio {:5.1}x",
                pm / om
            );
        }
        let (m, p) = percentiles(all);
        println!("  all queries: etjanst median {m:.3} ms, p95 {p:.3} ms");
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);

//! Rendering the 10-page benchmark form to PDF in-process (goal: under 5 ms).

#[path = "ten_page.rs"]
mod ten_page;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use etjanst::fill::Form;
use etjanst::pdf;

fn bench(c: &mut Criterion) {
    let (flow, mut answers) = ten_page::ten_page_form();
    let report = ten_page::checked(&flow, &mut answers);
    let form = Form::new(&flow);
    let options = ten_page::options();
    c.bench_function("pdf of a filled 10-page form", |b| {
        b.iter(|| black_box(pdf::filled(&form, &report.states, &answers, &options).unwrap()))
    });
    c.bench_function("blank pdf of ekonomiskt bistånd", |b| {
        let catalogue = etjanst::catalogue::Catalogue::embedded().unwrap();
        let flow = catalogue.flow("ekonomiskt-bistand").unwrap().clone();
        b.iter(|| black_box(pdf::blank(&flow, &options).unwrap()))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);

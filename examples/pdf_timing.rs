//! Used by `scripts/bench-pdf`: writes the benchmark form's flow and answers (`--write DIR`),
//! or times rendering it in-process (`--time N`) and prints JSON.

#[path = "../benches/ten_page.rs"]
mod ten_page;

use std::time::Instant;

use etjanst::fill::Form;
use etjanst::pdf::{self, PdfOptions};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("--write") => {
            let dir = std::path::Path::new(&args[2]);
            std::fs::write(dir.join("tio.json"), ten_page::FLOW).unwrap();
            std::fs::write(
                dir.join("answers.json"),
                serde_json::to_string_pretty(&ten_page::answers_json()).unwrap(),
            )
            .unwrap();
        }
        Some("--time") => {
            let n: usize = args[2].parse().unwrap();
            let (flow, mut answers) = ten_page::ten_page_form();
            let report = ten_page::checked(&flow, &mut answers);
            let form = Form::new(&flow);
            let options = ten_page::options();
            let mut bytes = 0;
            let mut times: Vec<f64> = (0..n)
                .map(|_| {
                    let t = Instant::now();
                    let pdf = pdf::filled(&form, &report.states, &answers, &options).unwrap();
                    let ms = t.elapsed().as_secs_f64() * 1000.0;
                    bytes = pdf.len();
                    ms
                })
                .collect();
            times.sort_by(|a, b| a.total_cmp(b));
            if std::env::var_os("PDF_TIMING_PARTS").is_some() {
                let xml = pdf::answers_xml(&form, &report.states, &answers).unwrap();
                let t = Instant::now();
                let symbols = etjanst::qr::encode(&xml).unwrap();
                eprintln!(
                    "qr encode: {:?} for {} bytes of XML in {} codes",
                    t.elapsed(),
                    xml.len(),
                    symbols.len()
                );
                let no_qr = PdfOptions {
                    qr: false,
                    ..options.clone()
                };
                let t = Instant::now();
                for _ in 0..20 {
                    pdf::filled(&form, &report.states, &answers, &no_qr).unwrap();
                }
                eprintln!("pdf without qr: {:?}", t.elapsed() / 20);
            }
            println!(
                "{{\"median_ms\": {:.3}, \"p95_ms\": {:.3}, \"bytes\": {bytes}}}",
                times[n / 2],
                times[n * 95 / 100]
            );
        }
        _ => eprintln!("usage: pdf_timing --write DIR | --time N"),
    }
}

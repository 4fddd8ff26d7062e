//! A full evaluate + validate of a 300-query flow: what runs on every keystroke in the UI.
//! Goal: well under 1 ms.

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use etjanst::fill::{self, Answer, Answers, Choice, Form, Mode};
use etjanst::flow::{self, Flow};

#[path = "common/big_flow.rs"]
mod big_flow;

fn big_flow() -> (Flow, Answers) {
    let (doc, answers) = big_flow::documents();
    let flow = flow::from_json(std::path::Path::new("stor.json"), &doc.to_string()).unwrap();
    let answers = Answers::from_json(&flow, &answers).unwrap();
    (flow, answers)
}

fn bench(c: &mut Criterion) {
    let (flow, answers) = big_flow();
    assert_eq!(flow.queries().count(), 300);
    let form = Form::new(&flow);
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    // The benchmark must measure a valid, fully shown form, not an early exit.
    let mut check = answers.clone();
    let report = fill::check(&form, &mut check, Mode::Complete, today);
    assert!(report.is_valid(), "{:?}", report.issues);
    assert_eq!(check, answers);

    c.bench_function("evaluate+validate 300 queries", |b| {
        b.iter(|| {
            let mut a = answers.clone();
            black_box(fill::check(&form, &mut a, Mode::Complete, today))
        })
    });

    // One keystroke in the middle of the form: the answer changes, then everything re-runs.
    c.bench_function("keystroke: set one answer + evaluate+validate", |b| {
        let mut a = answers.clone();
        let mut n = 0u32;
        b.iter(|| {
            n += 1;
            a.set(
                "q153",
                Some(Answer::Choice(Choice {
                    selected: vec!["a".into()],
                    other: Some(format!("annat {n}")),
                })),
            );
            black_box(fill::check(&form, &mut a, Mode::Complete, today))
        })
    });

    // What the window adds to each evaluation since Mina uppgifter: the profile read from the
    // vault (one sealed record decrypted) and the marks and the offer to keep worked out.
    let dir = tempfile::tempdir().unwrap();
    let pass = etjanst::vault::Passphrase {
        secret: age::secrecy::SecretString::from("en lång lösenfras här".to_string()),
        work_factor: Some(10),
    };
    let mut vault = etjanst::vault::LockedVault::open(dir.path())
        .unwrap()
        .create(etjanst::vault::KeySetup {
            keychain: None,
            passphrase: Some(&pass),
        })
        .unwrap();
    let me = etjanst::profile::Profile {
        first_name: Some("Åsa".into()),
        last_name: Some("Ängström".into()),
        personnummer: Some("19121212-1212".into()),
        email: Some("asa@exempel.se".into()),
        ..Default::default()
    }
    .checked(today)
    .unwrap();
    vault.set_profile(&me).unwrap();
    c.bench_function("keystroke: profile read alone", |b| {
        b.iter(|| black_box(vault.profile().unwrap()))
    });
    c.bench_function("keystroke: profile read + marks + offer to keep", |b| {
        b.iter(|| {
            let p = vault.profile().unwrap().unwrap_or_default();
            black_box(etjanst::profile::marks(&form, &answers, &p));
            black_box(etjanst::profile::offer_to_keep(&form, &answers, &p, today))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

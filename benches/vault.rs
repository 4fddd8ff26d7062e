//! Vault speed: autosave of a 50-field draft (goal: median < 1 ms, p99 < 5 ms) and listing
//! 500 drafts (goal: < 50 ms). Run with `cargo bench --bench vault`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use age::secrecy::SecretString;
use criterion::{Criterion, criterion_group, criterion_main};
use etjanst::catalogue::Catalogue;
use etjanst::vault::{Draft, KeySetup, LockedVault, Passphrase, Unlock, Vault};
use serde_json::json;

fn pass() -> Passphrase {
    Passphrase {
        secret: SecretString::from("bänkens lösenfras".to_string()),
        work_factor: Some(10),
    }
}

fn fifty_fields(vault: &Vault, catalogue: &Catalogue) -> Draft {
    let mut d = vault
        .new_draft(catalogue.flow("synpunkt").unwrap())
        .unwrap();
    let fields: serde_json::Map<_, _> = (0..50)
        .map(|i| {
            (
                format!("falt{i}"),
                json!(format!("Svar nummer {i}: Åsa Öberg, Storgatan {i}")),
            )
        })
        .collect();
    d.answers = json!({"flow": "synpunkt", "answers": {"person": fields}});
    d
}

fn bench(c: &mut Criterion) {
    let catalogue = Catalogue::embedded().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut vault = LockedVault::open(dir.path())
        .unwrap()
        .create(KeySetup {
            keychain: None,
            passphrase: Some(&pass()),
        })
        .unwrap();
    let mut draft = fifty_fields(&vault, &catalogue);

    c.bench_function("autosave 50-field draft", |b| {
        b.iter(|| vault.save(black_box(&mut draft)).unwrap())
    });

    // Percentiles over single saves, as a citizen typing would trigger them.
    if std::env::args().any(|a| a == "--bench") {
        let mut times: Vec<Duration> = (0..3000)
            .map(|i| {
                draft.answers["answers"]["person"]["falt7"] = json!(format!("tangent {i}"));
                let t = Instant::now();
                vault.save(&mut draft).unwrap();
                t.elapsed()
            })
            .collect();
        times.sort();
        println!(
            "autosave 50 fields over {} saves: median {:?}, p99 {:?}, max {:?}",
            times.len(),
            times[times.len() / 2],
            times[times.len() * 99 / 100],
            times[times.len() - 1]
        );
    }

    for _ in 0..499 {
        let mut d = fifty_fields(&vault, &catalogue);
        vault.save(&mut d).unwrap();
    }
    assert_eq!(vault.list().unwrap().len(), 500);
    c.bench_function("list 500 drafts", |b| {
        b.iter(|| black_box(vault.list().unwrap()))
    });
    drop(vault);

    if std::env::args().any(|a| a == "--bench") {
        // Unlocking with a default-cost passphrase (age calibrates scrypt to about 1 s).
        let other = tempfile::tempdir().unwrap();
        let p = Passphrase::new(SecretString::from("standardfrasen".to_string()));
        let v = LockedVault::open(other.path())
            .unwrap()
            .create(KeySetup {
                keychain: None,
                passphrase: Some(&p),
            })
            .unwrap();
        drop(v);
        let t = Instant::now();
        let v = LockedVault::open(other.path())
            .unwrap()
            .unlock(Unlock::Passphrase(&p))
            .unwrap();
        println!("unlock with a default-cost passphrase: {:?}", t.elapsed());
        drop(v);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);

//! Every message a person reads from the CLI (and, next, the desktop) in Swedish and English,
//! from one Fluent catalogue per language (`sv.ftl`, `en.ftl`). A test keeps the two with the
//! same keys, and every key the code asks for present in both.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// The language a person reads: the window's and the command line's, and every message's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Sv,
    En,
}

pub const SV: &str = include_str!("sv.ftl");
pub const EN: &str = include_str!("en.ftl");

fn bundle(lang: Lang) -> &'static FluentBundle<FluentResource> {
    static BUNDLES: OnceLock<[FluentBundle<FluentResource>; 2]> = OnceLock::new();
    let bundles = BUNDLES.get_or_init(|| {
        let make = |id: &str, source: &str| {
            let mut b = FluentBundle::new_concurrent(vec![id.parse().expect("a language id")]);
            // No Unicode isolation marks around arguments: terminals print them as junk.
            b.set_use_isolating(false);
            let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(r, _)| r);
            let _ = b.add_resource(resource);
            b
        };
        [make("sv-SE", SV), make("en-GB", EN)]
    });
    match lang {
        Lang::Sv => &bundles[0],
        Lang::En => &bundles[1],
    }
}

/// The message `key` in `lang`, with `args` put in its `{ $name }` places. A key the
/// catalogue lacks gives the key itself (a test makes sure none does).
///
/// An argument named `detail` is a library's own words (an I/O or network error, in
/// English): never put inside the sentence, it follows it on a line of its own,
/// "Tekniska detaljer: …" (`technical-details`), which the window folds away.
pub fn text(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    let sentence = sentence(lang, key, args);
    match args
        .iter()
        .find(|(name, v)| *name == "detail" && !v.trim().is_empty())
    {
        Some((_, detail)) => format!(
            "{sentence}\n{}: {}",
            sentence_of(lang, "technical-details"),
            detail.trim()
        ),
        None => sentence,
    }
}

fn sentence_of(lang: Lang, key: &str) -> String {
    sentence(lang, key, &[])
}

fn sentence(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    let b = bundle(lang);
    let Some(pattern) = b.get_message(key).and_then(|m| m.value()) else {
        return key.to_string();
    };
    let mut fargs = FluentArgs::new();
    for (name, value) in args {
        fargs.set(*name, FluentValue::from(value.clone()));
    }
    let mut errors = Vec::new();
    b.format_pattern(pattern, Some(&fargs), &mut errors)
        .into_owned()
}

/// The language the program shows its messages in; errors render in it when displayed.
static CURRENT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Chooses the language errors are displayed in (`--lang`, or the window's setting).
pub fn set_language(lang: Lang) {
    let v = match lang {
        Lang::Sv => 0,
        Lang::En => 1,
    };
    CURRENT.store(v, std::sync::atomic::Ordering::Relaxed);
}

pub fn language() -> Lang {
    match CURRENT.load(std::sync::atomic::Ordering::Relaxed) {
        1 => Lang::En,
        _ => Lang::Sv,
    }
}

/// `key` in the current language: what the core's errors display.
pub fn display(key: &str, args: &[(&str, String)]) -> String {
    text(language(), key, args)
}

/// `t!(lang, "key")` or `t!(lang, "key", name = value, …)`.
#[macro_export]
macro_rules! t {
    ($lang:expr, $key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::text($lang, $key, &[$((stringify!($name), ($value).to_string())),*])
    };
}

/// The keys a catalogue defines.
pub fn keys(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '\t']) && !l.trim().is_empty())
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_every_key_and_parse() {
        for (name, source) in [("sv", SV), ("en", EN)] {
            assert!(
                FluentResource::try_new(source.to_string()).is_ok(),
                "{name}.ftl does not parse"
            );
        }
        let (sv, en) = (keys(SV), keys(EN));
        let missing_en: Vec<_> = sv.iter().filter(|k| !en.contains(k)).collect();
        let missing_sv: Vec<_> = en.iter().filter(|k| !sv.contains(k)).collect();
        assert!(missing_en.is_empty(), "not in en.ftl: {missing_en:?}");
        assert!(missing_sv.is_empty(), "not in sv.ftl: {missing_sv:?}");
    }

    #[test]
    fn every_key_the_code_uses_exists() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut used = Vec::new();
        fn walk(dir: &std::path::Path, used: &mut Vec<(String, String)>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, used);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&p).unwrap();
                    for (i, _) in text.match_indices("display(\"") {
                        let rest = &text[i + 9..];
                        if let Some(end) = rest.find('"') {
                            used.push((rest[..end].to_string(), p.display().to_string()));
                        }
                    }
                    for (i, _) in text.match_indices("t!(") {
                        // `t!(`, not the end of `assert!(`.
                        let before = text[..i].chars().next_back();
                        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                            continue;
                        }
                        let rest = &text[i..];
                        if let Some(q) = rest.find('"')
                            && let Some(end) = rest[q + 1..].find('"')
                            && rest[..q].contains(',')
                            && !rest[..q].contains(')')
                        {
                            used.push((
                                rest[q + 1..q + 1 + end].to_string(),
                                p.display().to_string(),
                            ));
                        }
                    }
                }
            }
        }
        walk(std::path::Path::new(root), &mut used);
        // The desktop shell asks the same catalogues.
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/src"),
            &mut used,
        );
        assert!(used.len() > 20, "{} keys found", used.len());
        let known = keys(SV);
        let unknown: Vec<_> = used
            .iter()
            .filter(|(k, _)| !known.contains(k) && k != "key")
            .collect();
        assert!(unknown.is_empty(), "{unknown:?}");
    }

    #[test]
    fn arguments_are_filled_in() {
        assert_eq!(
            crate::t!(Lang::En, "app-unknown", name = "x"),
            "there is no e-service \"x\" in the catalogue; search with: etjanst search x"
        );
        assert!(crate::t!(Lang::Sv, "app-unknown", name = "x").contains("finns inte"));
    }
}

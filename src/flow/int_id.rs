//! Open ePlatform's ids (flow, family, step, query, field, alternative, evaluator) are database
//! integers, and every back-end and `.oeflow` importer expects them so. The JSON flow format
//! writes them as JSON integers; in memory they stay decimal strings, because ids from a
//! `.oeflow` arrive as text and the engine only ever compares them.

use serde::de::{self, Deserializer, Visitor};
use serde::ser::{self, Serializer};

/// Whether `s` is an id Open ePlatform could have assigned: a positive decimal integer.
pub fn is_int_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit()) && !s.starts_with('0')
}

fn to_int<E: ser::Error>(s: &str) -> Result<u64, E> {
    if is_int_id(s) {
        s.parse()
            .map_err(|_| E::custom(format!("id \"{s}\" is not an integer")))
    } else {
        Err(E::custom(format!("id \"{s}\" is not an integer")))
    }
}

struct IdVisitor;

impl Visitor<'_> for IdVisitor {
    type Value = String;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a positive integer id")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        if v == 0 {
            return Err(E::custom("ids start at 1"));
        }
        Ok(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        u64::try_from(v)
            .map_err(|_| E::custom("ids are positive integers"))
            .and_then(|v| self.visit_u64(v))
    }
}

pub fn serialize<S: Serializer>(id: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(to_int(id)?)
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_u64(IdVisitor)
}

pub mod option {
    use super::*;

    pub fn serialize<S: Serializer>(id: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
        match id {
            Some(id) => s.serialize_some(&to_int::<S::Error>(id)?),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        #[derive(serde::Deserialize)]
        struct Wrap(#[serde(with = "super")] String);
        Ok(<Option<Wrap> as serde::Deserialize>::deserialize(d)?.map(|w| w.0))
    }
}

pub mod list {
    use super::*;
    use serde::ser::SerializeSeq;

    pub fn serialize<S: Serializer>(ids: &[String], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(ids.len()))?;
        for id in ids {
            seq.serialize_element(&to_int::<S::Error>(id)?)?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        #[derive(serde::Deserialize)]
        struct Wrap(#[serde(with = "super")] String);
        Ok(<Vec<Wrap> as serde::Deserialize>::deserialize(d)?
            .into_iter()
            .map(|w| w.0)
            .collect())
    }
}

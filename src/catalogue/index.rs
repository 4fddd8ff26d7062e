//! The catalogues of Open ePlatform sites, cached in SQLite with a full-text index (FTS5), so
//! that they work offline and a few typed letters find the right e-service.
//!
//! A site's catalogue is replaced in one transaction: a failed or interrupted update leaves
//! the previous one whole.

use std::path::Path;

use rusqlite::{Connection, params};
use serde::Serialize;

use super::flowinfo::RemoteService;

pub const DB_FILE: &str = "catalogue.sqlite";

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("{}", crate::i18n::display("index-db", &[("v0", .0.to_string())]))]
    Db(#[from] rusqlite::Error),
    #[error("{}", crate::i18n::display("index-io", &[("v0", .0.to_string())]))]
    Io(String),
}

/// One search hit or listed service from a synced site.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Hit {
    pub site: String,
    /// The flow id on the site (or the service id in the embedded catalogue).
    pub id: String,
    pub name: String,
    pub category: String,
    pub url: Option<String>,
    pub requires_authentication: bool,
    pub requires_signing: bool,
    /// Sanitised HTML.
    pub short_description: String,
}

/// What a search may be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub category: Option<String>,
    pub site: Option<String>,
    pub needs_eid: Option<bool>,
    /// Only e-services with (true) or without (false) a PDF blankett stored.
    pub has_blankett: Option<bool>,
}

pub struct Index {
    conn: Connection,
    /// Distinct service names, for as-you-type search; rebuilt after each change.
    names: std::cell::RefCell<Option<NameIndex>>,
}

/// Municipalities share most e-service names, so matching over distinct names and then
/// expanding to rows is much cheaper than ranking every row's full text.
struct NameIndex {
    /// (folded words of the name, lower-case name, row ids), sorted by name.
    names: Vec<(Vec<String>, String, Vec<i64>)>,
}

/// Everything stored about one site, swapped in as a whole.
#[derive(Debug, Clone, Default)]
pub struct SiteData {
    pub name: String,
    pub services: Vec<RemoteService>,
    /// The catalogue response's validators, for the next conditional request.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// (flow id, image bytes).
    pub icons: Vec<(i64, Vec<u8>)>,
    /// (flow id, PDF bytes).
    pub blanketter: Vec<(i64, Vec<u8>)>,
}

/// The words of a query or a name: runs of letters and digits.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Lower case without diacritics, as the FTS tokenizer folds (`förskola` → `forskola`).
pub fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'å' | 'ä' | 'á' | 'à' | 'â' | 'ã' => 'a',
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' | 'õ' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' | 'ù' | 'û' => 'u',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ç' => 'c',
            c => c,
        })
        .collect()
}

impl Index {
    pub fn open(data_dir: &Path) -> Result<Index, IndexError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| IndexError::Io(format!("{}: {e}", data_dir.display())))?;
        let conn = Connection::open(data_dir.join(DB_FILE))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA busy_timeout = 5000;
             CREATE TABLE IF NOT EXISTS sites (
                 url TEXT PRIMARY KEY, name TEXT NOT NULL,
                 etag TEXT, last_modified TEXT, synced INTEGER NOT NULL);
             CREATE TABLE IF NOT EXISTS bundle_keys (
                 site TEXT PRIMARY KEY, bundle_url TEXT NOT NULL, public_key TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS services (
                 id INTEGER PRIMARY KEY,
                 site TEXT NOT NULL, flow_id INTEGER NOT NULL, family_id INTEGER,
                 name TEXT NOT NULL, category TEXT NOT NULL, url TEXT, icon_url TEXT,
                 short_html TEXT NOT NULL, long_html TEXT NOT NULL, text TEXT NOT NULL,
                 requires_auth INTEGER NOT NULL, requires_signing INTEGER NOT NULL,
                 payment INTEGER NOT NULL, aliases TEXT NOT NULL,
                 UNIQUE (site, flow_id));
             CREATE TABLE IF NOT EXISTS files (
                 site TEXT NOT NULL, flow_id INTEGER NOT NULL, kind TEXT NOT NULL,
                 data BLOB NOT NULL, PRIMARY KEY (site, flow_id, kind));
             CREATE VIRTUAL TABLE IF NOT EXISTS services_fts USING fts5(
                 name, text, category,
                 tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');",
        )?;
        Ok(Index {
            conn,
            names: std::cell::RefCell::new(None),
        })
    }

    /// Replaces everything known about `site`, atomically.
    pub fn replace_site(&mut self, site: &str, data: &SiteData) -> Result<(), IndexError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM services_fts WHERE rowid IN (SELECT id FROM services WHERE site = ?1)",
            [site],
        )?;
        tx.execute("DELETE FROM services WHERE site = ?1", [site])?;
        // Files of e-services still listed stay (a bounded sync fetches only some of them);
        // those of e-services gone from the site go with them.
        {
            let ids: Vec<i64> = data.services.iter().map(|s| s.flow_id).collect();
            let keep = serde_json::to_string(&ids).unwrap_or_default();
            tx.execute(
                "DELETE FROM files WHERE site = ?1
                 AND flow_id NOT IN (SELECT value FROM json_each(?2))",
                params![site, keep],
            )?;
        }
        {
            let mut insert = tx.prepare(
                "INSERT INTO services (site, flow_id, family_id, name, category, url, icon_url,
                     short_html, long_html, text, requires_auth, requires_signing, payment, aliases)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?;
            let mut fts = tx.prepare(
                "INSERT INTO services_fts (rowid, name, text, category) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for s in &data.services {
                insert.execute(params![
                    site,
                    s.flow_id,
                    s.family_id,
                    s.name,
                    s.category,
                    s.url,
                    s.icon_url,
                    s.short_html,
                    s.long_html,
                    s.text,
                    s.requires_authentication,
                    s.requires_signing,
                    s.payment,
                    serde_json::to_string(&s.aliases).unwrap_or_default(),
                ])?;
                fts.execute(params![tx.last_insert_rowid(), s.name, s.text, s.category])?;
            }
            let mut file = tx.prepare(
                "INSERT OR REPLACE INTO files (site, flow_id, kind, data) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (kind, list) in [("icon", &data.icons), ("blankett", &data.blanketter)] {
                for (id, bytes) in list {
                    file.execute(params![site, id, kind, bytes])?;
                }
            }
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        tx.execute(
            "INSERT INTO sites (url, name, etag, last_modified, synced) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (url) DO UPDATE SET name = ?2, etag = ?3, last_modified = ?4, synced = ?5",
            params![site, data.name, data.etag, data.last_modified, now],
        )?;
        tx.commit()?;
        self.names.replace(None);
        Ok(())
    }

    fn name_index(&self) -> Result<std::cell::Ref<'_, NameIndex>, IndexError> {
        if self.names.borrow().is_none() {
            let mut by_name: std::collections::BTreeMap<String, Vec<i64>> = Default::default();
            let mut stmt = self.conn.prepare("SELECT name, id FROM services")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            for row in rows {
                let (name, id) = row?;
                by_name.entry(name).or_default().push(id);
            }
            let names = by_name
                .into_iter()
                .map(|(name, ids)| {
                    let words = words(&fold(&name)).map(str::to_string).collect();
                    (words, name.to_lowercase(), ids)
                })
                .collect();
            self.names.replace(Some(NameIndex { names }));
        }
        Ok(std::cell::Ref::map(self.names.borrow(), |n| {
            n.as_ref().expect("built above")
        }))
    }

    /// Remembers where a site's signed bundle is and the key it must be signed with.
    pub fn set_bundle_source(&self, site: &str, url: &str, key: &str) -> Result<(), IndexError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO bundle_keys (site, bundle_url, public_key) VALUES (?1, ?2, ?3)",
            params![site, url, key],
        )?;
        Ok(())
    }

    /// The configured bundle address and public key of a site.
    pub fn bundle_source(&self, site: &str) -> Result<Option<(String, String)>, IndexError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                "SELECT bundle_url, public_key FROM bundle_keys WHERE site = ?1",
                [site],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// The stored e-services with this number, on every synced site.
    pub fn services_numbered(&self, flow_id: i64) -> Result<Vec<(Hit, String)>, IndexError> {
        let mut stmt = self.conn.prepare(
            "SELECT site, flow_id, name, category, url, requires_auth, requires_signing,
                    short_html, long_html
             FROM services WHERE flow_id = ?1 ORDER BY site",
        )?;
        let rows = stmt
            .query_map([flow_id], |r| Ok((Self::hit(r)?, r.get(8)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// One stored e-service with its long description (sanitised HTML).
    pub fn service(&self, site: &str, flow_id: i64) -> Result<Option<(Hit, String)>, IndexError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                "SELECT site, flow_id, name, category, url, requires_auth, requires_signing,
                        short_html, long_html
                 FROM services WHERE site = ?1 AND flow_id = ?2",
                params![site, flow_id],
                |r| Ok((Self::hit(r)?, r.get(8)?)),
            )
            .optional()?)
    }

    /// The ETag and Last-Modified of the stored catalogue of `site`.
    pub fn validators(&self, site: &str) -> Result<(Option<String>, Option<String>), IndexError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                "SELECT etag, last_modified FROM sites WHERE url = ?1",
                [site],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .unwrap_or((None, None)))
    }

    /// A stored icon or blankett (`kind` = "icon" or "blankett").
    /// The e-services of `site` that have a stored file of `kind`.
    pub fn stored_files(
        &self,
        site: &str,
        kind: &str,
    ) -> Result<std::collections::HashSet<i64>, IndexError> {
        let mut stmt = self
            .conn
            .prepare("SELECT flow_id FROM files WHERE site = ?1 AND kind = ?2")?;
        let ids = stmt
            .query_map(params![site, kind], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// Stores one file fetched on demand.
    pub fn store_file(
        &mut self,
        site: &str,
        flow_id: i64,
        kind: &str,
        data: &[u8],
    ) -> Result<(), IndexError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO files (site, flow_id, kind, data) VALUES (?1, ?2, ?3, ?4)",
            params![site, flow_id, kind, data],
        )?;
        Ok(())
    }

    pub fn file(
        &self,
        site: &str,
        flow_id: i64,
        kind: &str,
    ) -> Result<Option<Vec<u8>>, IndexError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                "SELECT data FROM files WHERE site = ?1 AND flow_id = ?2 AND kind = ?3",
                params![site, flow_id, kind],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// When `site` was last synced (seconds since 1970, as stored), if ever.
    pub fn synced_at(&self, site: &str) -> Result<Option<i64>, IndexError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT synced FROM sites WHERE url = ?1", [site], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Synced sites with their number of e-services.
    pub fn sites(&self) -> Result<Vec<(String, String, usize)>, IndexError> {
        let mut stmt = self.conn.prepare(
            "SELECT s.url, s.name, (SELECT count(*) FROM services v WHERE v.site = s.url)
             FROM sites s ORDER BY s.name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as usize))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn hit(r: &rusqlite::Row) -> rusqlite::Result<Hit> {
        Ok(Hit {
            site: r.get(0)?,
            id: r.get::<_, i64>(1)?.to_string(),
            name: r.get(2)?,
            category: r.get(3)?,
            url: r.get(4)?,
            requires_authentication: r.get(5)?,
            requires_signing: r.get(6)?,
            short_description: r.get(7)?,
        })
    }

    /// Every e-service of the synced sites that passes `filter`, by category and name.
    pub fn list(&self, filter: &Filter) -> Result<Vec<Hit>, IndexError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT site, flow_id, name, category, url, requires_auth, requires_signing, short_html
             FROM services
             WHERE (?1 IS NULL OR category = ?1) AND (?2 IS NULL OR site = ?2)
               AND (?3 IS NULL OR (requires_auth OR requires_signing) = ?3)
               AND (?4 IS NULL OR EXISTS (SELECT 1 FROM files f WHERE f.site = services.site
                    AND f.flow_id = services.flow_id AND f.kind = 'blankett') = ?4)
             ORDER BY category, name",
        )?;
        let rows = stmt.query_map(
            params![
                filter.category,
                filter.site,
                filter.needs_eid,
                filter.has_blankett
            ],
            Self::hit,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// As-you-type search: every word of `text` must start a word of the name, description
    /// or category (diacritics optional). Name hits rank first, then exact Swedish spelling;
    /// they come from the in-memory name index, and only when they are too few does the
    /// full-text index add hits in descriptions.
    pub fn search(
        &self,
        text: &str,
        filter: &Filter,
        limit: usize,
    ) -> Result<Vec<Hit>, IndexError> {
        let words: Vec<String> = words(text).map(fold).collect();
        if words.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let exact = text.trim().to_lowercase();
        let mut ids = Vec::new();
        {
            let index = self.name_index()?;
            let mut matched: Vec<(u8, usize)> = index
                .names
                .iter()
                .enumerate()
                .filter(|(_, (name_words, _, _))| {
                    words
                        .iter()
                        .all(|w| name_words.iter().any(|n| n.starts_with(w.as_str())))
                })
                .map(|(i, (_, lower, _))| {
                    let rank = if lower.starts_with(&exact) {
                        0
                    } else if lower.contains(&exact) {
                        1
                    } else {
                        2
                    };
                    (rank, i)
                })
                .collect();
            matched.sort();
            for (_, i) in matched {
                ids.extend_from_slice(&index.names[i].2);
            }
        }
        // One site's rows are few among a nation's: keep only those before looking each up,
        // rather than querying every other site's matches to drop them.
        if let Some(site) = &filter.site {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT id FROM services WHERE site = ?1")?;
            let own: std::collections::HashSet<i64> = stmt
                .query_map([site], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            ids.retain(|id| own.contains(id));
        }
        let mut hits = self.rows(&ids, filter, limit)?;
        if hits.len() < limit {
            let seen: std::collections::HashSet<(String, String)> = hits
                .iter()
                .map(|h| (h.site.clone(), h.id.clone()))
                .collect();
            let more = self.full_text(text, filter, limit * 2)?;
            hits.extend(
                more.into_iter()
                    .filter(|h| !seen.contains(&(h.site.clone(), h.id.clone())))
                    .take(limit - hits.len()),
            );
        }
        Ok(hits)
    }

    /// The rows `ids` (in that order) that pass `filter`, at most `limit`.
    fn rows(&self, ids: &[i64], filter: &Filter, limit: usize) -> Result<Vec<Hit>, IndexError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT site, flow_id, name, category, url, requires_auth, requires_signing, short_html
             FROM services WHERE id = ?1
               AND (?2 IS NULL OR category = ?2) AND (?3 IS NULL OR site = ?3)
               AND (?4 IS NULL OR (requires_auth OR requires_signing) = ?4)
               AND (?5 IS NULL OR EXISTS (SELECT 1 FROM files f WHERE f.site = services.site
                    AND f.flow_id = services.flow_id AND f.kind = 'blankett') = ?5)",
        )?;
        let mut out = Vec::new();
        for id in ids {
            if out.len() == limit {
                break;
            }
            let mut rows = stmt.query_map(
                params![
                    id,
                    filter.category,
                    filter.site,
                    filter.needs_eid,
                    filter.has_blankett
                ],
                Self::hit,
            )?;
            if let Some(hit) = rows.next() {
                out.push(hit?);
            }
        }
        Ok(out)
    }

    /// Plain FTS5 prefix search ranked by bm25 (name weighted highest): the fallback for words
    /// that only occur in descriptions, and the baseline the benchmark compares with.
    pub fn full_text(
        &self,
        text: &str,
        filter: &Filter,
        limit: usize,
    ) -> Result<Vec<Hit>, IndexError> {
        // Words hold only letters and digits, so quoting them is enough for FTS5 syntax.
        let words: Vec<String> = words(text).map(|w| format!("\"{w}\"*")).collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let query = words.join(" ");
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.site, s.flow_id, s.name, s.category, s.url, s.requires_auth,
                    s.requires_signing, s.short_html
             FROM services_fts f JOIN services s ON s.id = f.rowid
             WHERE services_fts MATCH ?1
               AND (?2 IS NULL OR s.category = ?2) AND (?3 IS NULL OR s.site = ?3)
               AND (?4 IS NULL OR (s.requires_auth OR s.requires_signing) = ?4)
               AND (?6 IS NULL OR EXISTS (SELECT 1 FROM files b WHERE b.site = s.site
                    AND b.flow_id = s.flow_id AND b.kind = 'blankett') = ?6)
             ORDER BY bm25(services_fts, 10.0, 1.0, 2.0)
             LIMIT ?5",
        )?;
        let rows = stmt.query_map(
            params![
                query,
                filter.category,
                filter.site,
                filter.needs_eid,
                limit as i64,
                filter.has_blankett
            ],
            Self::hit,
        )?;
        let mut hits: Vec<Hit> = rows.collect::<Result<_, _>>()?;
        rank(&mut hits, text);
        Ok(hits)
    }
}

/// Orders hits: the query in the name as typed (Swedish letters exactly) first, then in the
/// name without diacritics, then the rest in FTS order (a stable sort keeps it).
pub fn rank(hits: &mut [Hit], query: &str) {
    let exact = query.to_lowercase();
    let folded = fold(query);
    let score = |h: &Hit| {
        let name = h.name.to_lowercase();
        let starts = |n: &str, q: &str| words(n).any(|w| w.starts_with(q));
        if name.starts_with(&exact) {
            0
        } else if starts(&name, &exact) {
            1
        } else if starts(&fold(&name), &folded) {
            2
        } else {
            3
        }
    };
    hits.sort_by_key(score);
}

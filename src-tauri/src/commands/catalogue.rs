//! The start page and the service page: thin calls into `etjanst::app`.

use serde::Serialize;
use tauri::{AppHandle, Emitter, State};

use etjanst::app::{self, Entry, Found};
use etjanst::catalogue::flowinfo;
use etjanst::catalogue::sync::{CancelHandle, SyncOptions, SyncOutcome};

use super::{Res, fail};
use crate::state::{Desktop, lock};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteView {
    pub url: String,
    pub name: String,
    pub count: usize,
    pub embedded: bool,
    /// Seconds since 1970 of the last sync (synced sites only).
    pub synced_at: Option<i64>,
    /// The bundle key the site's catalogue is checked with, if one was given.
    pub bundle_key: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CategoryView {
    pub name: String,
    pub count: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Home {
    pub sites: Vec<SiteView>,
    pub site: String,
    pub categories: Vec<CategoryView>,
    pub entries: Vec<Entry>,
    pub phone: Option<String>,
}

#[tauri::command]
pub fn sites(state: State<'_, Desktop>) -> Res<Vec<SiteView>> {
    let catalogue = state.catalogue();
    let mut out = vec![SiteView {
        url: catalogue.site.url.clone(),
        name: catalogue.site.name.clone(),
        count: catalogue.services.len(),
        embedded: true,
        synced_at: None,
        bundle_key: None,
    }];
    if let Some(index) = lock(&state.index).as_ref() {
        for (url, name, count) in index.sites().map_err(fail)? {
            let synced_at = index.synced_at(&url).map_err(fail)?;
            let bundle_key = index.bundle_source(&url).map_err(fail)?.map(|(_, key)| key);
            out.push(SiteView {
                url,
                name,
                count,
                embedded: false,
                synced_at,
                bundle_key,
            });
        }
    }
    Ok(out)
}

/// One site's catalogue by category; the embedded one when `site` is not given.
#[tauri::command]
pub fn home(state: State<'_, Desktop>, site: Option<String>) -> Res<Home> {
    let sites = sites(state.clone())?;
    let catalogue = state.catalogue();
    let site = site.unwrap_or_else(|| catalogue.site.url.clone());
    let entries = if site == catalogue.site.url {
        app::list(&catalogue, None)
    } else {
        let index = lock(&state.index);
        let index = index
            .as_ref()
            .ok_or_else(|| fail(app::AppError::UnknownSite(site.clone())))?;
        app::list_site(index, &site, None).map_err(fail)?
    };
    let mut categories: Vec<CategoryView> = Vec::new();
    for e in &entries {
        match categories.iter_mut().find(|c| c.name == e.category) {
            Some(c) => c.count += 1,
            None => categories.push(CategoryView {
                name: e.category.clone(),
                count: 1,
            }),
        }
    }
    Ok(Home {
        sites,
        site,
        categories,
        entries,
        phone: app::site_phone(&catalogue),
    })
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchArgs {
    pub text: String,
    pub site: Option<String>,
    pub category: Option<String>,
    #[serde(default)]
    pub fillable: bool,
    #[serde(default)]
    pub needs_eid: bool,
    #[serde(default)]
    pub has_blankett: bool,
}

/// The core's as-you-type search, as catalogue entries; without words, the site's entries
/// the filters admit (the same filters).
#[tauri::command]
pub fn search(state: State<'_, Desktop>, query: SearchArgs) -> Res<Vec<Entry>> {
    if query.text.trim().is_empty() {
        let entries = home(state.clone(), query.site)?.entries;
        return Ok(app::browse(
            entries,
            &app::Filters {
                category: query.category,
                fillable: query.fillable,
                needs_eid: query.needs_eid,
                has_blankett: query.has_blankett,
            },
        ));
    }
    let catalogue = state.catalogue();
    let index = lock(&state.index);
    let hits = app::search(
        &catalogue,
        index.as_ref(),
        &app::Search {
            text: query.text,
            category: query.category,
            site: query.site,
            fillable: query.fillable,
            needs_eid: query.needs_eid,
            has_blankett: query.has_blankett,
            limit: 200,
        },
    )
    .map_err(fail)?;
    Ok(app::entries_of(&catalogue, index.as_ref(), &hits))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlankettView {
    pub name: String,
    pub index: usize,
    /// It has form fields etjanst can fill.
    pub fillable: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePage {
    pub entry: Entry,
    /// Sanitised HTML.
    pub description: String,
    pub requires_authentication: bool,
    pub requires_signing: bool,
    pub checks: Vec<String>,
    pub blanketter: Vec<BlankettView>,
    pub contact: Option<etjanst::flow::Contact>,
    /// The flow to fill, when there is one here.
    pub flow_id: Option<String>,
    /// It asks for personal data: the protected-identity notice is repeated.
    pub asks_personal_data: bool,
    pub phone: Option<String>,
    /// Questions only the municipality's website can answer (the core's list), named before
    /// the citizen starts.
    pub web_only_questions: Vec<String>,
}

#[tauri::command]
pub fn service(state: State<'_, Desktop>, id: String, site: Option<String>) -> Res<ServicePage> {
    let catalogue = state.catalogue();
    let index = lock(&state.index);
    let embedded = site.as_deref().is_none_or(|s| s == catalogue.site.url);
    let found = app::find(
        &catalogue,
        index.as_ref(),
        &id,
        if embedded { None } else { site.as_deref() },
    )
    .map_err(fail)?;
    let phone = app::site_phone(&catalogue);
    Ok(match found {
        Found::Flow(flow) => {
            // The catalogue's entry for it (the flow file's slot carries the service's id).
            let entry = catalogue
                .service(&id)
                .or_else(|| {
                    catalogue
                        .services
                        .iter()
                        .find(|s| catalogue.flow(&s.id).is_ok_and(|f| f.id == flow.id))
                })
                .map(|s| app::embedded_entry(&catalogue, s))
                .unwrap_or_else(|| app::flow_entry(&catalogue, flow));
            ServicePage {
                description: flowinfo::sanitize(
                    flow.long_description
                        .as_deref()
                        .unwrap_or(&flow.short_description),
                ),
                requires_authentication: flow.requires_authentication,
                requires_signing: flow.requires_signing,
                checks: flow.checks.clone(),
                blanketter: blanketter(&catalogue, &entry.id),
                contact: flow.contact.clone(),
                flow_id: Some(flow.id.clone()),
                asks_personal_data: app::asks_personal_data(flow),
                phone,
                web_only_questions: app::web_only_questions(flow),
                entry,
            }
        }
        Found::Entry(entry) => {
            let s = catalogue.service(&entry.id);
            ServicePage {
                description: s
                    .map(|s| flowinfo::sanitize(&s.short_description))
                    .unwrap_or_default(),
                requires_authentication: s.is_some_and(|s| s.requires_authentication),
                requires_signing: s.is_some_and(|s| s.requires_signing),
                checks: Vec::new(),
                blanketter: blanketter(&catalogue, &entry.id),
                contact: None,
                flow_id: None,
                asks_personal_data: false,
                phone,
                web_only_questions: Vec::new(),
                entry,
            }
        }
        Found::Synced(hit, long) => {
            let entry = app::entry_of(&catalogue, index.as_ref(), &hit);
            ServicePage {
                description: if long.is_empty() {
                    hit.short_description.clone()
                } else {
                    long
                },
                requires_authentication: hit.requires_authentication,
                requires_signing: hit.requires_signing,
                checks: Vec::new(),
                blanketter: Vec::new(),
                contact: None,
                flow_id: None,
                asks_personal_data: false,
                phone: None,
                web_only_questions: Vec::new(),
                entry,
            }
        }
        Found::Ambiguous(_) => return Err(fail(app::AppError::Unknown(id))),
    })
}

fn blanketter(catalogue: &etjanst::catalogue::Catalogue, id: &str) -> Vec<BlankettView> {
    catalogue
        .service(id)
        .map(|s| {
            s.blanketter
                .iter()
                .enumerate()
                .map(|(index, b)| BlankettView {
                    name: b.name.clone(),
                    index,
                    // Read now: "Fyll i blanketten här" is offered only where it can be done.
                    fillable: catalogue
                        .blankett(b)
                        .ok()
                        .and_then(|bytes| etjanst::blankett::inspect(&bytes).ok())
                        .is_some_and(|b| b.fillable()),
                })
                .collect()
        })
        .unwrap_or_default()
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct SyncProgress {
    label: String,
    done: usize,
    total: usize,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct SyncDone {
    ok: bool,
    message: String,
}

/// Starts syncing `site` in the background; progress comes as `sync-progress` events and the
/// end as one `sync-done`. The stored catalogue stays as it was until a sync succeeds whole.
#[tauri::command]
pub fn sync_start(app: AppHandle, state: State<'_, Desktop>, site: String) -> Res<()> {
    let lang = state.lang();
    let cancel = CancelHandle::default();
    {
        let mut running = lock(&state.sync);
        if running.is_some() {
            return Err(etjanst::t!(lang, "desktop-sync-running"));
        }
        *running = Some(cancel.clone());
    }
    let dir = state.data_dir.clone();
    std::thread::spawn(move || {
        let state = app.state::<Desktop>();
        let result = (|| {
            let mut index = etjanst::catalogue::index::Index::open(&dir).map_err(fail)?;
            let name = etjanst::catalogue::index::Index::open(&dir)
                .ok()
                .and_then(|i| i.sites().ok())
                .and_then(|s| {
                    s.into_iter()
                        .find(|(u, _, _)| u == &site)
                        .map(|(_, n, _)| n)
                })
                .unwrap_or_else(|| app::host(&site));
            let mut report = |p: etjanst::catalogue::sync::Progress| {
                let _ = app.emit(
                    "sync-progress",
                    SyncProgress {
                        label: p.stage.label(lang),
                        done: p.done,
                        total: p.total,
                    },
                );
            };
            etjanst::catalogue::sync::sync(
                &mut index,
                &site,
                &name,
                &SyncOptions::default(),
                &mut report,
                &cancel,
            )
            .map_err(|e| e.message(lang))
            .map(|outcome| (index, outcome))
        })();
        let done = match result {
            Ok((index, outcome)) => {
                *lock(&state.index) = Some(index);
                SyncDone {
                    ok: true,
                    message: match outcome {
                        SyncOutcome::Unchanged => etjanst::t!(lang, "desktop-sync-unchanged"),
                        SyncOutcome::Updated { services, .. } => {
                            etjanst::t!(lang, "desktop-sync-updated", count = services)
                        }
                    },
                }
            }
            Err(message) => SyncDone { ok: false, message },
        };
        *lock(&state.sync) = None;
        let _ = app.emit("sync-done", done);
    });
    Ok(())
}

#[tauri::command]
pub fn sync_cancel(state: State<'_, Desktop>) {
    if let Some(c) = lock(&state.sync).as_ref() {
        c.cancel();
    }
}

use tauri::Manager;

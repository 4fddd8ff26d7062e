//! Unlocking the vault, and the drafts in it (autosave, list, resume, delete, export, import).

use age::secrecy::SecretString;
use serde::Serialize;
use serde_json::Value;
use tauri::{AppHandle, State};

use etjanst::vault::{
    DraftHeader, KeySetup, LockedVault, OsKeychain, Passphrase, Unlock, Vault, VaultError,
};

use super::{Res, fail, files};
use crate::state::{Desktop, lock};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VaultStatus {
    pub unlocked: bool,
    pub created: bool,
    pub has_passphrase: bool,
    pub has_keychain: bool,
    pub keychain_available: bool,
}

#[tauri::command]
pub fn vault_status(state: State<'_, Desktop>) -> Res<VaultStatus> {
    if let Some(v) = lock(&state.vault).as_ref() {
        // A kiosk's session vault has neither: it is sealed with a key only memory holds.
        return Ok(VaultStatus {
            unlocked: true,
            created: true,
            has_passphrase: v.has_passphrase_slot().map_err(fail)?,
            has_keychain: v.has_keychain_slot().map_err(fail)?,
            keychain_available: false,
        });
    }
    // Asking must not create a vault (nor its files, which "erase everything" just removed).
    if !LockedVault::exists(&state.data_dir) {
        return Ok(VaultStatus {
            unlocked: false,
            created: false,
            has_passphrase: false,
            has_keychain: false,
            keychain_available: OsKeychain::available(),
        });
    }
    let locked = LockedVault::open(&state.data_dir).map_err(fail)?;
    Ok(VaultStatus {
        unlocked: false,
        created: locked.is_created().map_err(fail)?,
        has_passphrase: locked.has_passphrase().map_err(fail)?,
        has_keychain: locked.has_keychain().map_err(fail)?,
        keychain_available: OsKeychain::available(),
    })
}

fn passphrase(text: String) -> Passphrase {
    Passphrase::typed(SecretString::from(text))
}

fn opened(state: &Desktop, vault: Vault) -> Res<Vec<DraftView>> {
    let recoverable = vault.recoverable().map_err(fail)?;
    *lock(&state.vault) = Some(vault);
    Ok(recoverable.into_iter().filter_map(DraftView::of).collect())
}

/// Creates the vault: in the OS keychain when `passphrase` is not given and there is one,
/// else protected by the passphrase. Returns the drafts to offer for recovery (none).
#[tauri::command]
pub async fn vault_create(
    state: State<'_, Desktop>,
    passphrase: Option<String>,
) -> Res<Vec<DraftView>> {
    let locked = LockedVault::open(&state.data_dir).map_err(fail)?;
    let p = passphrase.map(self::passphrase);
    let keychain = OsKeychain;
    let setup = KeySetup {
        keychain: p
            .is_none()
            .then_some(&keychain as &dyn etjanst::vault::Keychain),
        passphrase: p.as_ref(),
    };
    let vault = locked.create(setup).map_err(fail)?;
    opened(&state, vault)
}

/// Unlocks with the passphrase, or with the OS keychain when none is given. A wrong
/// passphrase leaves everything as it was and says so.
#[tauri::command]
pub async fn vault_unlock(
    state: State<'_, Desktop>,
    passphrase: Option<String>,
) -> Res<Vec<DraftView>> {
    let locked = LockedVault::open(&state.data_dir).map_err(fail)?;
    let keychain = locked.has_keychain().map_err(fail)?;
    let typed = passphrase.is_some();
    let mut vault = match passphrase {
        Some(p) => locked.unlock(Unlock::Passphrase(&self::passphrase(p))),
        None => locked.unlock(Unlock::Keychain(&OsKeychain)),
    }
    .map_err(fail)?;
    // After "Lås" the keychain forgot the key: the passphrase puts it back.
    if typed && keychain && OsKeychain::available() {
        let _ = vault.add_keychain(&OsKeychain);
    }
    opened(&state, vault)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftView {
    pub id: String,
    pub updated: i64,
    pub damaged: bool,
    pub header: Option<DraftHeader>,
    /// A PDF blankett's draft: which one (it opens in the blankett viewer, not as a form).
    pub blankett: Option<BlankettOf>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlankettOf {
    pub service_id: String,
    pub index: usize,
}

impl DraftView {
    fn of(s: etjanst::vault::DraftSummary) -> Option<DraftView> {
        let blankett = s
            .header
            .as_ref()
            .and_then(|h| etjanst::vault::blankett_of(&h.flow_id))
            .map(|(service, index)| BlankettOf {
                service_id: service.to_string(),
                index,
            });
        Some(DraftView {
            id: s.id,
            updated: s.updated,
            damaged: s.header.is_none(),
            header: s.header,
            blankett,
        })
    }
}

pub(super) fn with_vault<T>(
    state: &Desktop,
    f: impl FnOnce(&mut Vault) -> Result<T, VaultError>,
) -> Res<T> {
    let lang = state.lang();
    let mut guard = lock(&state.vault);
    let vault = guard
        .as_mut()
        .ok_or_else(|| etjanst::t!(lang, "desktop-vault-locked"))?;
    f(vault).map_err(fail)
}

#[tauri::command]
pub fn drafts(state: State<'_, Desktop>) -> Res<Vec<DraftView>> {
    let list = with_vault(&state, |v| v.list())?;
    Ok(list.into_iter().filter_map(DraftView::of).collect())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenDraft {
    pub id: String,
    pub flow_id: String,
    pub step: usize,
    pub answers: Value,
    pub updated: i64,
}

pub(super) fn open_view(d: &etjanst::vault::Draft) -> OpenDraft {
    OpenDraft {
        id: d.id.clone(),
        flow_id: d.header.flow_id.clone(),
        step: d.header.current_step,
        answers: d.answers.get("answers").cloned().unwrap_or_default(),
        updated: d.header.updated,
    }
}

/// A new draft of `flow_id`, saved at once (empty) so that nothing typed is ever only in the
/// window.
#[tauri::command]
pub fn draft_new(state: State<'_, Desktop>, flow_id: String) -> Res<OpenDraft> {
    let catalogue = state.catalogue();
    let flow = super::form::flow_of(&catalogue, &flow_id)?;
    let profile = super::form::profile(&state);
    edit(&state, |v| {
        let mut d = v.new_draft(flow)?;
        // The applicant's questions start from Mina uppgifter, marked so in the form.
        if let Some(p) = profile
            && let Ok(mut answers) = etjanst::fill::Answers::from_json(flow, &d.answers)
            && !etjanst::profile::prefill(&etjanst::fill::Form::new(flow), &mut answers, &p)
                .is_empty()
        {
            d.answers = answers.to_json(flow);
        }
        Ok(d)
    })
}

/// Marks a draft as open in the window (offered for recovery until a clean close), saves it
/// and remembers it as the window's open draft.
pub(super) fn edit(
    state: &Desktop,
    draft: impl FnOnce(&mut Vault) -> Result<etjanst::vault::Draft, VaultError>,
) -> Res<OpenDraft> {
    let view = with_vault(state, |v| {
        let mut d = draft(v)?;
        d.header.editing = true;
        v.save(&mut d)?;
        Ok(open_view(&d))
    })?;
    *lock(&state.open_draft) = Some(view.id.clone());
    Ok(view)
}

#[tauri::command]
pub fn draft_open(state: State<'_, Desktop>, id: String) -> Res<OpenDraft> {
    edit(&state, |v| v.load(&id))
}

/// The autosave: a new version of the draft with these answers (normalised by the core;
/// answers of hidden questions are already cleared by the evaluation the window showed).
#[tauri::command]
pub fn draft_save(
    state: State<'_, Desktop>,
    id: String,
    flow_id: String,
    answers: Value,
    step: usize,
) -> Res<i64> {
    let catalogue = state.catalogue();
    let flow = super::form::flow_of(&catalogue, &flow_id)?;
    let doc = super::form::parse(flow, &answers)?.to_json(flow);
    with_vault(&state, |v| {
        let mut d = v.load(&id)?;
        if d.header.flow_id != flow.id {
            return Err(VaultError::UnknownFlow(flow_id.clone()));
        }
        d.answers = doc;
        d.header.current_step = step;
        d.header.editing = true;
        v.save(&mut d)?;
        Ok(d.header.updated)
    })
}

/// Closing the draft cleanly: it is no longer offered for recovery.
#[tauri::command]
pub fn draft_close(state: State<'_, Desktop>, id: String) -> Res<()> {
    close(&state, &id)?;
    let mut open = lock(&state.open_draft);
    if open.as_deref() == Some(id.as_str()) {
        *open = None;
    }
    Ok(())
}

pub fn close(state: &Desktop, id: &str) -> Res<()> {
    with_vault(state, |v| {
        let mut d = match v.load(id) {
            Ok(d) => d,
            Err(VaultError::NotFound(_)) => return Ok(()),
            Err(e) => return Err(e),
        };
        if d.header.editing {
            d.header.editing = false;
            v.save(&mut d)?;
        }
        Ok(())
    })
}

#[tauri::command]
pub fn draft_delete(state: State<'_, Desktop>, id: String) -> Res<()> {
    with_vault(&state, |v| v.delete(&id))?;
    let mut open = lock(&state.open_draft);
    if open.as_deref() == Some(id.as_str()) {
        *open = None;
    }
    Ok(())
}

/// Attaches a file the citizen picked (base64 from the window) to a FileUpload question,
/// within the flow's limits; returns the draft's answers with it.
#[tauri::command]
pub fn draft_attach(
    state: State<'_, Desktop>,
    id: String,
    query_id: String,
    name: String,
    data: String,
) -> Res<Value> {
    use base64::Engine;
    let lang = state.lang();
    // A kiosk's visitor attaches only from the administrator's folders (`kiosk_attach`).
    if state.is_kiosk() {
        return Err(etjanst::t!(lang, "desktop-kiosk-no-attachments"));
    }
    let bytes = zeroize::Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(data.as_bytes())
            .map_err(|e| etjanst::t!(lang, "desktop-attachment-read", detail = e))?,
    );
    attach(&state, &id, &query_id, &name, &bytes)
}

/// Adds `bytes` as the file `name` to the draft's question, within the flow's limits.
pub(super) fn attach(
    state: &Desktop,
    id: &str,
    query_id: &str,
    name: &str,
    bytes: &[u8],
) -> Res<Value> {
    let catalogue = state.catalogue();
    with_vault(state, |v| {
        let mut d = v.load(id)?;
        let flow = catalogue
            .flow(&d.header.flow_id)
            .map_err(|e| VaultError::Attachment(e.to_string()))?;
        v.add_attachment(&mut d, flow, query_id, name, bytes)?;
        Ok(d.answers.get("answers").cloned().unwrap_or_default())
    })
}

/// "Lås", for a computer whose account several people share: the open draft is closed, the
/// vault leaves memory with the PDF made, and the keychain forgets the key, so that only the
/// passphrase opens the drafts again. A vault without one gets `passphrase` first (the
/// window asks for it); without either, nothing is locked and the error says why.
#[tauri::command]
pub fn vault_lock(state: State<'_, Desktop>, passphrase: Option<String>) -> Res<()> {
    lock_vault(&state, passphrase)
}

pub fn lock_vault(state: &Desktop, passphrase: Option<String>) -> Res<()> {
    let lang = state.lang();
    if state.is_kiosk() {
        return Err(etjanst::t!(lang, "desktop-kiosk-no-lock"));
    }
    if let Some(id) = lock(&state.open_draft).take() {
        close(state, &id)?;
    }
    let mut guard = lock(&state.vault);
    let Some(mut vault) = guard.take() else {
        return Ok(());
    };
    let set = match passphrase {
        Some(p) => vault.set_passphrase(&self::passphrase(p)),
        None => Ok(()),
    };
    if let Err(e) = set.and_then(|()| vault.lock(&OsKeychain)) {
        *guard = Some(vault);
        return Err(fail(e));
    }
    drop(vault);
    *lock(&state.pdf) = None;
    *lock(&state.saved) = None;
    lock(&state.signing).clear();
    *lock(&state.cosign) = None;
    Ok(())
}

/// Saves the draft as a file protected by its own passphrase, where the citizen chooses.
#[tauri::command]
pub async fn draft_export(
    app: AppHandle,
    state: State<'_, Desktop>,
    id: String,
    passphrase: String,
) -> Res<Option<String>> {
    if state.is_kiosk() {
        return Err(etjanst::t!(state.lang(), "desktop-kiosk-no-save"));
    }
    let p = self::passphrase(passphrase);
    let bytes = zeroize::Zeroizing::new(with_vault(&state, |v| v.export(&id, &p))?);
    let Some(path) = files::save_as(&app, "utkast.etjanst", "etjanst", &["etjanst"]) else {
        return Ok(None);
    };
    files::write_private(&path, &bytes)?;
    Ok(Some(path.display().to_string()))
}

/// "Öppna utkast från fil", first half: the citizen chooses the file (its name is shown
/// when the passphrase is asked for); `None` when they cancel.
#[tauri::command]
pub async fn draft_import_pick(app: AppHandle, state: State<'_, Desktop>) -> Res<Option<String>> {
    let Some(path) = files::open_file(&app, "etjanst", &["etjanst"]) else {
        return Ok(None);
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    *lock(&state.import_file) = Some(path);
    Ok(Some(name))
}

/// Second half: the chosen file opened with its passphrase. A wrong passphrase changes
/// nothing and keeps the file chosen, to try again. The new draft's id.
#[tauri::command]
pub async fn draft_import(state: State<'_, Desktop>, passphrase: String) -> Res<String> {
    let lang = state.lang();
    let path = lock(&state.import_file)
        .clone()
        .ok_or_else(|| etjanst::t!(lang, "desktop-no-import-file"))?;
    let bytes = zeroize::Zeroizing::new(
        std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?,
    );
    let p = self::passphrase(passphrase);
    let catalogue = state.catalogue();
    let flow_of = |id: &str| catalogue.flow(id).ok().cloned();
    let id = with_vault(&state, |v| v.import(&bytes, &p, &flow_of))?;
    *lock(&state.import_file) = None;
    Ok(id)
}

/// Input in the page: the idle lock's clock starts again.
#[tauri::command]
pub fn touch(state: State<'_, Desktop>) {
    *lock(&state.last_input) = std::time::Instant::now();
}

/// The idle lock, on a citizen's computer: after the set minutes without input the page is
/// asked to lock (it saves the open form first); if it has not within 15 s, the drafts are
/// locked here, whatever the page is doing. Only drafts with a passphrase lock by themselves.
pub fn watch_lock(app: AppHandle) {
    use tauri::{Emitter, Manager};
    std::thread::spawn(move || {
        let mut asked: Option<std::time::Instant> = None;
        loop {
            std::thread::sleep(std::time::Duration::from_secs(2));
            let state = app.state::<Desktop>();
            let minutes = lock(&state.settings).lock_after_minutes;
            let idle = lock(&state.last_input).elapsed();
            // The vault is asked (a query) only once the time is up, not every 2 s.
            let due =
                minutes > 0 && idle >= std::time::Duration::from_secs(60 * u64::from(minutes));
            let lockable = due
                && lock(&state.vault)
                    .as_ref()
                    .is_some_and(|v| v.has_passphrase_slot().unwrap_or(false));
            if !lockable {
                asked = None;
                continue;
            }
            match asked {
                None => {
                    let _ = app.emit("lock-now", ());
                    asked = Some(std::time::Instant::now());
                }
                Some(t) if t.elapsed() >= std::time::Duration::from_secs(15) => {
                    let _ = lock_vault(&state, None);
                    let _ = app.emit("locked", ());
                    asked = None;
                }
                Some(_) => {}
            }
        }
    });
}

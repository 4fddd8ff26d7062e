// Where the window is, and what it knows about the vault and the settings. Screens change
// `app.screen`; the heading of the new screen takes focus (see App.svelte).
import { tick } from 'svelte';
import { getCurrentWindow } from '@tauri-apps/api/window';
import { t } from './i18n.svelte';
import type { Available, DraftView, Issue, KioskView, Settings, VaultStatus } from './api';

export type Screen =
  | { name: 'start' }
  | { name: 'service'; id: string; site: string | null }
  | { name: 'form'; flowId: string; draftId: string | null; focus?: Issue; change?: string }
  | { name: 'review'; flowId: string; draftId: string; back?: string }
  | { name: 'submit'; flowId: string | null; draftId: string | null; outboxId: string | null; waiting?: boolean }
  | { name: 'cosign' }
  | { name: 'receipt'; id: string; justSent?: boolean }
  | { name: 'drafts' }
  | { name: 'settings' }
  | { name: 'mydata' }
  | { name: 'stored' }
  | { name: 'help' }
  | { name: 'statement' }
  | { name: 'about' }
  /// `view`: a blankett that cannot be filled in, only looked at and printed (no drafts needed).
  | { name: 'blankett'; serviceId: string; index: number; draftId: string | null; view?: boolean }
  | { name: 'unlock'; then: Screen };

export const app = $state({
  screen: { name: 'start' } as Screen,
  settings: null as Settings | null,
  vault: null as VaultStatus | null,
  phone: null as string | null,
  siteName: '',
  /// Kiosk mode's settings; null on a citizen's own computer.
  kiosk: null as KioskView | null,
  recoverable: [] as DraftView[],
  /// A new version found, waiting to be installed from "Om etjanst".
  update: null as Available | null,
  /// The sentence for the live region: what just happened, for screen readers.
  status: '',
});

/// The form last left, saved and closed once this settles (see Form.svelte): "Lås" waits for
/// it, so nothing typed is lost and the draft is not left marked open.
export const leaving = { done: Promise.resolve() as Promise<unknown> };

/// Goes to `screen`, through the unlock screen first when it needs the drafts.
export function go(screen: Screen) {
  const needsVault =
    ['form', 'review', 'drafts', 'submit', 'receipt', 'blankett'].includes(screen.name) && !(screen.name === 'blankett' && screen.view);
  if (needsVault && !app.vault?.unlocked) {
    app.screen = { name: 'unlock', then: screen };
  } else {
    app.screen = screen;
  }
}

/// Where a draft is taken up again: a form's in the form, a blankett's in the blankett viewer.
export function resume(d: DraftView) {
  if (d.blankett) {
    go({ name: 'blankett', serviceId: d.blankett.serviceId, index: d.blankett.index, draftId: d.id });
  } else if (d.header) {
    go({ name: 'form', flowId: d.header.flowId, draftId: d.id });
  }
}

/// A screen is ready: its `h1` takes focus, so a screen reader says where the citizen is. The
/// window calls it on every change of screen; a screen whose heading appears only once its
/// data has arrived (a service, a draft, the review, the receipt) calls it again then — one
/// mechanism, whenever the heading comes.
export async function screenReady() {
  await tick();
  const h1 = document.getElementById('main')?.querySelector<HTMLElement>('h1');
  h1?.focus();
  screenTitle = h1?.textContent?.trim() ?? '';
  setTitle();
}

// The window's title names the screen (what a screen reader says when the window gets focus,
// and what a task switcher shows), and starts with "Fel:" while the page shows errors.
let screenTitle = '';
let errorsShown = 0;
function setTitle() {
  const title = `${errorsShown > 0 ? t('title.error') + ' ' : ''}${screenTitle ? screenTitle + ' – ' : ''}etjanst`;
  if (document.title === title) return;
  document.title = title;
  // Outside the app (a unit test) there is no window to name.
  try {
    getCurrentWindow()
      .setTitle(title)
      .catch(() => {});
  } catch {
    /* no Tauri here */
  }
}

/// An error summary or an alert appears (`true`) or goes (`false`) on the page.
export function errorsOnPage(shown: boolean) {
  errorsShown = Math.max(0, errorsShown + (shown ? 1 : -1));
  setTitle();
}

/// Drops from the "a draft was open" notice every draft that no longer exists (sent, or
/// deleted meanwhile): the notice must never offer to continue a draft that is gone.
export function keepRecoverable(drafts: DraftView[]) {
  if (app.recoverable.length === 0) return;
  const ids = new Set(drafts.map((d) => d.id));
  app.recoverable = app.recoverable.filter((r) => ids.has(r.id));
}

export function announce(text: string) {
  // Cleared first so the same sentence twice is read twice.
  app.status = '';
  setTimeout(() => (app.status = text), 50);
}

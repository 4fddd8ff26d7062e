// Saving what is typed: one save shortly after the last change, and a flush that waits for
// it (before a step change, making a PDF, leaving the screen). The form and the blankett share
// it; the page shows `saving`, `saved` and `error`.
import { message } from './api';

export class Autosave {
  saving = $state(false);
  /** When the draft was last saved (ms since 1970). */
  saved = $state<number | null>(null);
  error = $state('');
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pending: Promise<void> = Promise.resolve();
  #write: () => Promise<number>;
  #delay: number;

  /** `write` stores the screen's values now and gives the time they were saved. */
  constructor(write: () => Promise<number>, delay: number) {
    this.#write = write;
    this.#delay = delay;
  }

  /** A change: saved once the citizen pauses. */
  schedule() {
    clearTimeout(this.#timer);
    this.saving = true;
    this.#timer = setTimeout(() => {
      this.#pending = this.save();
    }, this.#delay);
  }

  async save() {
    try {
      this.saved = await this.#write();
      this.error = '';
    } catch (e) {
      this.error = message(e);
    } finally {
      this.saving = false;
    }
  }

  /** Saves what is pending now and waits for it. */
  async flush() {
    if (this.saving) {
      clearTimeout(this.#timer);
      this.#pending = this.save();
    }
    await this.#pending;
  }

  /** Leaving the screen: what is pending is saved, then `after` (closing the draft) runs. */
  leave(after: () => Promise<unknown>): Promise<unknown> {
    clearTimeout(this.#timer);
    const last = this.saving ? this.save() : this.#pending;
    return last.then(after).catch(() => {});
  }
}

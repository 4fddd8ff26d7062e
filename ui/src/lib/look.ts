import type { Settings } from './api';

/// Text size and contrast, through the stylesheet's variables (CSSOM, allowed by the CSP).
export function applyLook(s: Settings) {
  const root = document.documentElement;
  root.style.fontSize = `${s.textSize}%`;
  root.classList.toggle('high-contrast', s.highContrast);
}

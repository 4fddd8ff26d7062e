// Input in the page (keys, pointer, wheel, touch, typing), reported through `report` at most
// once per `everyMs`: the core keeps the idle clocks (the kiosk's visit, the idle lock), the
// page only says that someone is there. Returns the function that stops listening.
const events = ['keydown', 'pointerdown', 'wheel', 'touchstart', 'input'] as const;

export function onInput(report: () => void, everyMs: number): () => void {
  let last = 0;
  const seen = () => {
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    report();
  };
  events.forEach((e) => window.addEventListener(e, seen, { capture: true, passive: true }));
  return () => events.forEach((e) => window.removeEventListener(e, seen, { capture: true }));
}

// The bundled PDF viewer: pdf.js's legacy build (WebKitGTK versions without the newest
// JavaScript), its worker from the app's own files, no scripts run, nothing fetched
// from outside. Imported only when a blankett is opened, so the start-up bundle stays small.
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import workerUrl from 'pdfjs-dist/legacy/build/pdf.worker.min.mjs?url';
import './pdfview.css';

pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;

export interface PdfDoc {
  pages: number;
  /** Draws page `n` (from 1) at `scale` into `host`: a canvas, and the text layer over it
   * that makes the text selectable and readable. */
  render(n: number, scale: number, host: HTMLElement): Promise<void>;
  destroy(): void;
}

export async function openPdf(data: ArrayBuffer): Promise<PdfDoc> {
  const task = pdfjs.getDocument({
    data: new Uint8Array(data),
    useWasm: false,
    useSystemFonts: true,
    enableXfa: false,
  });
  const doc = await task.promise;
  return {
    pages: doc.numPages,
    async render(n, scale, host) {
      const page = await doc.getPage(n);
      const viewport = page.getViewport({ scale });
      const ratio = window.devicePixelRatio || 1;
      const canvas = document.createElement('canvas');
      canvas.width = Math.floor(viewport.width * ratio);
      canvas.height = Math.floor(viewport.height * ratio);
      canvas.style.width = `${Math.floor(viewport.width)}px`;
      canvas.style.height = `${Math.floor(viewport.height)}px`;
      // The picture of the page; its words are in the text layer.
      canvas.setAttribute('aria-hidden', 'true');
      const text = document.createElement('div');
      text.className = 'textLayer';
      const context = canvas.getContext('2d');
      if (!context) return;
      // Drawn before it is shown: the page on screen is swapped at once, never blank between.
      await page.render({
        canvas,
        canvasContext: context,
        viewport,
        transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : undefined,
        // The fields' appearances, as the core wrote them: what will be printed.
        annotationMode: pdfjs.AnnotationMode.ENABLE,
      }).promise;
      host.style.setProperty('--total-scale-factor', String(scale));
      host.style.width = `${Math.floor(viewport.width)}px`;
      host.style.height = `${Math.floor(viewport.height)}px`;
      host.replaceChildren(canvas, text);
      await new pdfjs.TextLayer({ textContentSource: page.streamTextContent(), container: text, viewport }).render();
    },
    destroy() {
      void task.destroy();
    },
  };
}

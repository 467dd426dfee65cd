// Kiosk mode is chosen by the URL alone (`?kiosk`), so that `npm run kiosk`, a bookmark on a
// stand-alone screen and the tests all start it the same way, and nothing is remembered that could
// put a normal visit into kiosk mode. See README.md in this folder for the parameters.

export interface KioskConfig {
  /** A same-origin path of a log to analyse instead of the bundled demo, or null for the demo. */
  data: string | null;
  /** Seconds without a touch or key after which a paused tour starts the cycle over. */
  idleSeconds: number;
  /** Seconds each cluster stays highlighted. */
  dwellSeconds: number;
  /** Tours through all clusters before the cycle starts over with a fresh analysis. */
  passes: number;
  /** Seconds a cycle may take from its start to the first caption before it counts as stuck. */
  loadTimeoutSeconds: number;
}

export const DEFAULT_KIOSK_CONFIG: KioskConfig = {
  data: null,
  idleSeconds: 90,
  dwellSeconds: 8,
  passes: 2,
  loadTimeoutSeconds: 300,
};

function number(raw: string | null, min: number, max: number): number | null {
  if (raw === null || !/^\d+(\.\d+)?$/.test(raw.trim())) return null;
  const v = Number(raw);
  return v >= min && v <= max ? v : null;
}

/**
 * Only a path of this origin: the Content-Security-Policy would refuse any other host anyway, and a
 * kiosk must work with the network unplugged. `//host/x` (protocol-relative) and `/\host` are not paths.
 */
export function sameOriginPath(raw: string | null): string | null {
  if (!raw) return null;
  const path = raw.trim();
  if (!path.startsWith('/') || path.startsWith('//') || path.includes('\\') || /[\u0000-\u001f]/.test(path)) return null;
  return path;
}

/** The kiosk settings of a query string, or null when it does not ask for kiosk mode. Bad values fall back to the defaults. */
export function parseKioskConfig(search: string): KioskConfig | null {
  const params = new URLSearchParams(search);
  if (!params.has('kiosk')) return null;
  return {
    data: sameOriginPath(params.get('data')),
    idleSeconds: number(params.get('idle'), 1, 86_400) ?? DEFAULT_KIOSK_CONFIG.idleSeconds,
    dwellSeconds: number(params.get('dwell'), 0.5, 3_600) ?? DEFAULT_KIOSK_CONFIG.dwellSeconds,
    passes: Math.round(number(params.get('passes'), 1, 1_000) ?? DEFAULT_KIOSK_CONFIG.passes),
    loadTimeoutSeconds: number(params.get('load-timeout'), 5, 86_400) ?? DEFAULT_KIOSK_CONFIG.loadTimeoutSeconds,
  };
}

/**
 * The query string with the settings a kiosk runs on added where the URL does not choose: the CPU
 * for clustering and WebAssembly for the encoder, since a lost WebGPU device must not stop an
 * unattended screen (the worker's own fallbacks cover most, a CPU path covers all); and the text
 * encoder rather than the app's default behaviour model: every cycle starts the analysis afresh, and
 * training the model takes tens of seconds to minutes on a kiosk's CPU before anything is on screen
 * (`encoder=seqbert` asks for it).
 */
export function withKioskDefaults(search: string): string {
  const params = new URLSearchParams(search);
  if (!params.has('cluster-device')) params.set('cluster-device', 'cpu');
  if (!params.has('device')) params.set('device', 'wasm');
  if (!params.has('encoder')) params.set('encoder', 'text');
  // `kiosk` alone must stay a bare flag (no `kiosk=`), as it was typed.
  return `?${params.toString().replace(/(^|&)kiosk=(?=&|$)/, '$1kiosk')}`;
}

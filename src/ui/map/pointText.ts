// What the map says about one point, as plain strings: the tooltip and the drawer put them in the
// page with textContent, never as HTML, since ids and titles come straight from the file.
import type { MapData } from '../../worker/protocol';
import { formatInt } from '../common/format';
import { clusterName } from './colorScheme';

export interface PointFacts {
  id: string;
  length: string;
  cluster: string | null;
  /** Most recent first: "purchase · WHITE HANGING HEART T-LIGHT HOLDER". */
  lastEvents: string[];
}

export function pointFacts(i: number, data: MapData, labels: Int32Array | null, clusterLabels: string[] | null): PointFacts {
  const a = data.attributes;
  const per = a.n > 0 ? Math.floor(a.lastItems.length / a.n) : 0;
  const lastEvents: string[] = [];
  for (let j = 0; j < per; j++) {
    const item = a.lastItems[i * per + j];
    if (item < 0) break;
    const type = data.typeNames[a.lastTypes[i * per + j]] ?? '?';
    lastEvents.push(`${type} · ${data.itemLabels[item] ?? `item ${item}`}`);
  }
  const length = a.length[i];
  return {
    id: data.ids[i] ?? `#${i}`,
    length: `${formatInt(length)} event${length === 1 ? '' : 's'}`,
    cluster: labels && i < labels.length ? clusterName(labels[i], clusterLabels) : null,
    lastEvents,
  };
}

/** The tooltip as DOM built with textContent (ECharts inserts a returned element as is). */
export function tooltipElement(facts: PointFacts): HTMLElement {
  const root = document.createElement('div');
  root.className = 'map-tooltip';
  root.dataset.testid = 'map-tooltip';
  const line = (cls: string, text: string, tag = 'div') => {
    const el = document.createElement(tag);
    el.className = cls;
    el.textContent = text;
    root.appendChild(el);
    return el;
  };
  line('map-tooltip-id', `User ${facts.id}`, 'strong').setAttribute('data-testid', 'map-tooltip-id');
  line('map-tooltip-line', facts.length);
  if (facts.cluster) line('map-tooltip-line', facts.cluster);
  if (facts.lastEvents.length > 0) {
    line('map-tooltip-head', 'Last events');
    const list = document.createElement('ol');
    list.className = 'map-tooltip-events';
    for (const e of facts.lastEvents) {
      const li = document.createElement('li');
      li.textContent = e;
      list.appendChild(li);
    }
    root.appendChild(list);
  }
  return root;
}

// Log timestamps rarely carry a zone; as elsewhere in the app they are shown in UTC.
const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

export function formatTime(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  return when.format(new Date(ms));
}

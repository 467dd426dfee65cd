// The graph network's two propagation paths in the browser: the same training (same log, seed and
// epochs) through the real UI with the CPU kernels and with our WGSL kernels on the worker's
// WebGPU device, timed per epoch by the app itself. On a machine without a GPU, Chromium's WebGPU
// is SwiftShader (a software rasteriser), which says nothing about a real GPU: the adapter is
// printed so that a reader can tell.
//
//   npx tsx bench/gcnBrowser.ts [--events N] [--users N] [--items N] [--epochs N] [--port N]
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './lib/browserIngest';
import { ensureE2eCsv } from './lib/e2eData';
import { markdownTable } from './lib/format';
import { describeMachine, loadAverage, machineInfo } from './lib/machine';
import { ensureBuilt, startPreview } from './lib/preview';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA_DIR = join(ROOT, 'bench', '.data');
const APP_DIR = 'dist-bench';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

interface Row {
  device: string;
  ran: string;
  reason: string;
  epochs: number;
  msPerEpoch: number;
  loss: number;
  nodes: number;
  edges: number;
}

async function main(): Promise<void> {
  const size = { events: arg('events', 200_000), users: arg('users', 10_000), items: arg('items', 2_000), seed: 42 };
  const epochs = arg('epochs', 10);
  const port = arg('port', 4195);
  const data = ensureE2eCsv(DATA_DIR, size);
  ensureBuilt(ROOT, APP_DIR);
  const load = [`${loadAverage().toFixed(2)} at start`];
  const server = await startPreview(ROOT, APP_DIR, port);
  const rows: Row[] = [];
  try {
    const browser = await launchChromium();
    try {
      for (const device of ['cpu', 'gpu'] as const) {
        const page = await browser.newPage();
        const query = `model=featurizer&gcn=on&gcn-epochs=${epochs}&gcn-early-stop=off&gcn-device=${device}&sweep=2..3&cluster-device=cpu`;
        await page.goto(`${server.url}?${query}`);
        await page.getByTestId('summary').and(page.locator('[data-file]')).waitFor({ timeout: 120_000 });
        await page.getByTestId('gcn').and(page.locator('[data-state="done"]')).waitFor({ timeout: 300_000 });
        await page.getByTestId('file-input').setInputFiles(data.path);
        await page.locator(`[data-testid="summary"][data-file="${basename(data.path)}"]`).waitFor({ timeout: 300_000 });
        const gcn = page.locator('[data-testid="gcn"][data-state="done"][data-device]:not([data-device=""])');
        const nodes = await expectedNodes(page);
        await page.waitForFunction(
          (n) => {
            const el = document.querySelector('[data-testid="gcn"]');
            return el?.getAttribute('data-state') === 'done' && el.getAttribute('data-nodes') === n;
          },
          nodes,
          { timeout: 900_000 },
        );
        const attr = async (name: string) => (await gcn.getAttribute(name)) ?? '';
        rows.push({
          device,
          ran: await attr('data-device'),
          reason: ((await page.getByTestId('gcn-path-reason').textContent()) ?? '').trim(),
          epochs: Number(await attr('data-epoch')),
          msPerEpoch: Number(await attr('data-ms-per-epoch')),
          loss: Number(await attr('data-loss')),
          nodes: Number(await attr('data-nodes')),
          edges: Number(await attr('data-edges')),
        });
        await page.close();
      }
    } finally {
      await browser.close();
    }
  } finally {
    await server.stop();
  }
  load.push(`${loadAverage().toFixed(2)} at the end`);

  const int = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log('```');
  console.log(describeMachine(machineInfo(), { 'Load average (1 min)': load.join(', ') }));
  console.log('```\n');
  console.log(`Input: \`${data.path.replace(ROOT + '/', '')}\` (${int(size.events)} events, ${int(size.users)} users); featuriser vectors; LightGCN 2 layers x 64 dims, ${epochs} epochs, seed fixed.\n`);
  console.log(
    markdownTable(
      ['asked', 'ran on', 'nodes', 'stored edges', 'ms per epoch', 'final loss', 'why'],
      rows.map((r) => [r.device, r.ran, int(r.nodes), int(r.edges), int(r.msPerEpoch), r.loss.toFixed(6), r.reason]),
    ),
  );
  const [cpu, gpu] = rows;
  if (cpu && gpu) console.log(`\nWebGPU / CPU time per epoch: ${(gpu.msPerEpoch / cpu.msPerEpoch).toFixed(2)}x; final losses differ by ${((Math.abs(gpu.loss - cpu.loss) / cpu.loss) * 100).toFixed(4)}%.`);
}

/** Nodes of the uploaded log's graph are only known once it is built: wait for a graph that is not the demo's. */
async function expectedNodes(page: import('playwright-core').Page): Promise<string> {
  const demoNodes = await page.getByTestId('gcn').getAttribute('data-nodes');
  await page.waitForFunction((demo) => {
    const n = document.querySelector('[data-testid="gcn"]')?.getAttribute('data-nodes');
    return !!n && n !== demo;
  }, demoNodes, { timeout: 900_000 });
  return (await page.getByTestId('gcn').getAttribute('data-nodes')) ?? '';
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// Setting up or redrawing one chart takes 5-15 ms of main-thread work on a slow machine (canvas,
// layout reads, text measuring). A panel that mounts six charts at once would run them all in one
// task (React flushes a commit's effects together), long enough to make the page stutter. Chart
// work waits here instead and runs one job per macrotask, so input and paint can come in between.
type Job = () => void;

const queue: Job[] = [];
let scheduled = false;

function runOne(): void {
  scheduled = false;
  const job = queue.shift();
  if (queue.length > 0) schedule();
  job?.();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setTimeout(runOne, 0);
}

/** Runs `job` in a task of its own after the chart work queued before it; the returned function drops it if it has not run. */
export function queueChartWork(job: Job): () => void {
  queue.push(job);
  schedule();
  return () => {
    const at = queue.indexOf(job);
    if (at >= 0) queue.splice(at, 1);
  };
}

/**
 * `fwtp compare`: candidate timeouts side by side. State lives in the hooks at the top; the
 * panes are presentational; keys are applied by src/tui/state.ts. Model work never runs in
 * render: render only reads the PlanStore memo, and a background job evaluates what is missing
 * in time slices between frames, the selected candidate first (docs/COMPARE.md, "Responsiveness").
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { Box, useApp, useInput, useStdout } from 'ink';
import { formatDuration } from '../util/duration.js';
import { sanitizeText } from '../util/text.js';
import { writeFileAtomic } from '../util/atomic.js';
import { PlanStore, mod } from './store.js';
import { stepTimeout } from './grid.js';
import { layoutFor } from './layout.js';
import { keyHint } from './keys.js';
import type { ChartMarker } from './chart.js';
import { ecdfAt } from '../flows/distribution.js';
import { defaultExportPath, type ViewMeta } from './report.js';
import { applyKey, initialUiState, splitKeys, viewOf, type UiState } from './state.js';
import { CandidateTable } from './CandidateTable.js';
import { GapChart } from './GapChart.js';
import { DetailPane } from './DetailPane.js';
import { Header } from './Header.js';
import { HelpPane } from './HelpPane.js';
import { StatusLine } from './StatusLine.js';

/** Work per background slice before yielding to input and output (at least one evaluation). */
const SLICE_MS = 30;
/** Pause before a slice right after a key: longer than Ink's frame interval (1000/30 fps), so the key's frame is written first. */
const AFTER_KEY_GAP_MS = 40;
/** Pause between slices otherwise: enough for waiting input to be read. */
const SLICE_GAP_MS = 5;
/** Neighbouring profiles are prepared ahead only after this long without a key (a preparation cannot be cut short). */
const PREFETCH_IDLE_MS = 1500;
/** Above this many flows, neighbouring profiles are not prepared ahead (each planner holds ~50 bytes per flow). */
export const PREFETCH_MAX_FLOWS = 1_000_000;

export interface CompareAppProps {
  store: PlanStore;
  /** Candidate timeouts to start with (seconds). */
  timeouts: readonly number[];
  meta: ViewMeta;
  /** Colour props only when true (NO_COLOR, --no-color and non-terminals turn it off). */
  color: boolean;
  /** false: print once (every candidate evaluated now, no keys); true: the live view. */
  interactive?: boolean;
  /** Fixed size instead of the terminal's (tests; printing has no rows). */
  size?: { columns: number; rows?: number };
  /** Inputs, so that an export never overwrites one. */
  inputPaths?: readonly string[];
  /** Where exports go (default: an atomic write). */
  writeReport?: (path: string, text: string) => void;
  initialSelectedSeconds?: number;
  /** --current: the timeout in force (the C mark), else the platform profile's. */
  currentSeconds?: number;
}

function useTerminalSize(fixed: CompareAppProps['size']): { columns: number; rows: number | undefined } {
  const { stdout } = useStdout();
  const read = (): { columns: number; rows: number | undefined } => ({ columns: stdout?.columns || 100, rows: stdout?.rows || undefined });
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed !== undefined || stdout === undefined) return;
    const onResize = (): void => setSize(read());
    stdout.on('resize', onResize);
    return () => { stdout.off('resize', onResize); };
  }, [stdout, fixed]);
  return fixed !== undefined ? { columns: fixed.columns, rows: fixed.rows } : size;
}

/** The next evaluation the view needs: the selected candidate, then the others nearest to it. */
function neededJob(s: UiState, order: readonly number[], store: PlanStore): [number, number, number] | null {
  const { platformIndex: pi, keepAliveIndex: ki, selectedSeconds: sel } = s;
  if (store.peek(pi, ki, sel) === undefined) return [pi, ki, sel];
  const at = order.indexOf(sel);
  const byDistance = order.map((t, i) => ({ t, d: Math.abs(i - at) })).sort((a, b) => a.d - b.d);
  for (const { t } of byDistance) if (store.peek(pi, ki, t) === undefined) return [pi, ki, t];
  return null;
}

/**
 * So that p, k, P and K answer at once with every figure: the selected candidate under each
 * neighbouring profile, then the other candidates under them, nearest to the selected first.
 * Before those, the grid values left and right of the selected timeout under the profile shown,
 * so that the arrows (a new candidate each) answer from the memo too.
 */
function prefetchJob(s: UiState, order: readonly number[], store: PlanStore): [number, number, number] | null {
  const { platformIndex: pi, keepAliveIndex: ki, selectedSeconds: sel } = s;
  const taken = new Set(s.timeouts);
  for (const dir of [1, -1] as const) {
    const t = stepTimeout(sel, dir, taken);
    if (t !== null && store.peek(pi, ki, t) === undefined) return [pi, ki, t];
  }
  const neighbours = ([[pi + 1, ki], [pi, ki + 1], [pi - 1, ki], [pi, ki - 1]] as Array<[number, number]>)
    .map(([p, k]): [number, number] => [mod(p, store.platformChoices.length), mod(k, store.keepAliveChoices.length)]);
  for (const [pn, kn] of neighbours) if (store.peek(pn, kn, sel) === undefined) return [pn, kn, sel];
  const at = order.indexOf(sel);
  const byDistance = order.map((t, i) => ({ t, d: Math.abs(i - at) })).sort((a, b) => a.d - b.d);
  for (const [pn, kn] of neighbours) for (const { t } of byDistance) if (store.peek(pn, kn, t) === undefined) return [pn, kn, t];
  return null;
}

export function App(props: CompareAppProps) {
  const { store, meta, color } = props;
  const interactive = props.interactive ?? true;
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize(props.size);
  const [ui, setUi] = useState<UiState>(() => initialUiState(props.timeouts, props.initialSelectedSeconds));
  // The state keys apply to: updated at once, before React renders (several keys may arrive in one read).
  const latest = useRef(ui);
  // Bumped when the background job filled the memo.
  const [version, setVersion] = useState(0);

  // Printing: every figure now (there is no later frame).
  useMemo(() => {
    if (!interactive) for (const t of ui.timeouts) store.evaluate(ui.platformIndex, ui.keepAliveIndex, t);
  }, [interactive, store, ui.timeouts, ui.platformIndex, ui.keepAliveIndex]);

  const view = useMemo(() => viewOf(ui, store, meta.protocol, props.currentSeconds), [ui, store, meta.protocol, props.currentSeconds, version]);
  const layout = layoutFor(columns, rows, ui.timeouts.length);

  // Background evaluation, in slices between frames: what the view shows first, then (inputs up
  // to PREFETCH_MAX_FLOWS, after a pause in typing) the neighbouring profiles, one evaluation
  // per slice so that a key waits at most for one.
  const lastKeyAt = useRef(0);
  useEffect(() => {
    if (!interactive) return;
    const order = view.rows.map((r) => r.timeoutSeconds);
    const sinceKey = performance.now() - lastKeyAt.current;
    if (neededJob(ui, order, store) !== null) {
      const timer = setTimeout(() => {
        const deadline = performance.now() + SLICE_MS;
        for (let job = neededJob(latest.current, order, store); job !== null; job = neededJob(latest.current, order, store)) {
          store.evaluate(job[0], job[1], job[2]);
          if (performance.now() >= deadline) break;
        }
        setVersion((v) => v + 1);
      }, sinceKey < 100 ? AFTER_KEY_GAP_MS : SLICE_GAP_MS);
      return () => clearTimeout(timer);
    }
    if (meta.flows > PREFETCH_MAX_FLOWS || prefetchJob(ui, order, store) === null) return;
    const timer = setTimeout(() => {
      const job = prefetchJob(latest.current, order, store);
      if (job !== null) store.evaluate(job[0], job[1], job[2]);
      setVersion((v) => v + 1);
    }, Math.max(SLICE_GAP_MS, PREFETCH_IDLE_MS - sinceKey));
    return () => clearTimeout(timer);
  }, [interactive, store, ui, view, meta.flows]);

  useInput((input, key) => {
    lastKeyAt.current = performance.now();
    const ctx = { store, meta, layout, inputPaths: props.inputPaths ?? [], writeReport: props.writeReport ?? writeFileAtomic };
    for (const [one, k] of splitKeys(input, key)) {
      const out = applyKey(latest.current, one, k, ctx);
      latest.current = out.state;
      if (out.exit) {
        setUi(out.state);
        exit();
        return;
      }
    }
    setUi(latest.current);
  }, { isActive: interactive });

  const planner = store.hasPlanner(ui.platformIndex, ui.keepAliveIndex) ? store.planner(ui.platformIndex, ui.keepAliveIndex) : undefined;
  const markers = useMemo((): ChartMarker[] => {
    const m: ChartMarker[] = ui.timeouts.filter((t) => t !== ui.selectedSeconds).map((t) => ({ seconds: t, kind: 'candidate' }));
    if (planner !== undefined) {
      // The keep-alive idle the capture showed per sender, else the profile's.
      const ka = planner.keepalive;
      const idle = new Set<number>(ka.source === 'flag' ? [] : ka.observed.map((o) => o.idleSeconds));
      if (idle.size === 0 && ka.schedule !== null) idle.add(ka.schedule.idleSeconds);
      for (const s of idle) m.push({ seconds: s, kind: 'keepalive' });
    }
    m.push({ seconds: ui.selectedSeconds, kind: 'selected' });
    return m;
  }, [ui.timeouts, ui.selectedSeconds, planner]);

  // ---- view ----------------------------------------------------------------------------------
  const sel = ui.selectedSeconds;
  const platformLabel = store.platformChoices[mod(ui.platformIndex, store.platformChoices.length)]!.label;
  const keepAliveLabel = store.keepAliveChoices[mod(ui.keepAliveIndex, store.keepAliveChoices.length)]!.label;
  const windowSeconds = store.base.window.seconds;
  const source = sanitizeText(`${meta.inputs.map((i) => i.path).join(', ')} · ${meta.flows.toLocaleString('en-US')} flows · ${formatDuration(Math.round(windowSeconds))}`);
  const busy = view.pending > 0 ? `evaluating ${ui.timeouts.length - view.pending}/${ui.timeouts.length}…` : '';
  const rec = view.recommendedSeconds;
  const cur = view.currentSeconds;
  const recText = rec === undefined ? 'R …' : rec === null ? 'R none: every candidate breaks sessions' : `R recommended ${formatDuration(rec)}`;
  const curText = cur === undefined ? 'C …' : `C current ${formatDuration(cur)}${ui.timeouts.includes(cur) ? '' : ' (not listed: a adds it)'}`;
  const anyExtrapolated = view.rows.some((r) => r.result?.extrapolated === true);
  const legend = `${curText}  ${recText}${anyExtrapolated ? '  * extrapolated' : ''}  sort: ${ui.sort}`;
  const gaps = store.base.gaps;
  const chartTitle = gaps.count === 0 ? 'idle gaps: none in the inputs'
    : `idle gaps ≤ ${formatDuration(sel)}: ${(ecdfAt(gaps.ecdf, sel) * 100).toFixed(1)}% of ${gaps.count.toLocaleString('en-US')}`;
  const marks = [sel === cur ? 'current' : '', sel === rec ? 'recommended' : ''].filter((s) => s !== '').join(', ');
  const detailTitle = `${formatDuration(sel)} (${sel} s)${marks !== '' ? `, ${marks}` : ''}`;
  const m = ui.mode;
  const prompt = m.kind === 'add' ? { label: 'add timeout (3600, 90s, 2h30m, 1:00:00): ', text: m.text }
    : m.kind === 'export-format' ? { label: 'export format md|json|csv [md]: ', text: m.text }
    : m.kind === 'export-path' ? { label: `export ${m.format} to [${defaultExportPath(m.format)}]: `, text: m.text }
    : null;

  return (
    <Box flexDirection="column" width={columns}>
      <Header source={source} platform={platformLabel} keepAlive={keepAliveLabel} width={columns} color={color} busy={busy} />
      {m.kind === 'help' ? (
        <HelpPane width={columns} height={layout.bodyHeight} color={color} />
      ) : (
        <>
          <CandidateTable rows={view.rows} selectedIndex={view.selectedIndex} body={layout.tableBody} width={columns}
            focused={interactive && ui.focus === 'table'} color={color} legend={legend} />
          <Box flexDirection="row">
            <GapChart ecdf={gaps.ecdf} markers={markers} width={layout.chartWidth} height={layout.bottomHeight} title={chartTitle}
              focused={interactive && ui.focus === 'chart'} color={color} />
            <DetailPane timeoutSeconds={sel} candidate={view.rows[view.selectedIndex]?.result} title={detailTitle} width={layout.detailWidth}
              height={layout.bottomHeight} scroll={ui.detailScroll} windowSeconds={windowSeconds} scaleMax={view.scaleMax}
              focused={interactive && ui.focus === 'detail'} color={color} />
          </Box>
        </>
      )}
      {interactive ? <StatusLine prompt={prompt} message={ui.message} hint={keyHint(columns)} width={columns} color={color} /> : null}
    </Box>
  );
}

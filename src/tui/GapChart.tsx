/** The idle-gap distribution (ECDF, log time axis) with the candidates marked. */
import { Box, Text } from 'ink';
import type { GapSummary } from '../flows/types.js';
import { MARKER_GLYPH, renderEcdf, type ChartMarker, type SegmentKind } from './chart.js';
import { fit } from './format.js';

export interface GapChartProps {
  ecdf: GapSummary['ecdf'];
  markers: readonly ChartMarker[];
  /** Outer size (borders included). */
  width: number;
  height: number;
  title: string;
  focused: boolean;
  color: boolean;
}

const COLOURS: Record<SegmentKind, string | undefined> = {
  curve: 'green', axis: undefined, selected: 'yellow', candidate: 'gray', keepalive: 'magenta',
};

export function GapChart({ ecdf, markers, width, height, title, focused, color }: GapChartProps) {
  const inner = Math.max(1, width - 2);
  // Title, legend, then the plot with its axis row.
  const plotHeight = Math.max(2, height - 4);
  const lines = renderEcdf(ecdf, markers, inner, plotHeight);
  const legend = `${MARKER_GLYPH.selected} selected ${MARKER_GLYPH.candidate} others ${MARKER_GLYPH.keepalive} keep-alive idle`;
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle={focused ? 'double' : 'single'} {...(color && focused ? { borderColor: 'cyan' } : {})}>
      <Text wrap="truncate" bold>{fit(title, inner)}</Text>
      <Text wrap="truncate" dimColor={color}>{fit(legend, inner)}</Text>
      {lines.map((segs, r) => (
        <Text key={r} wrap="truncate">
          {segs.map((s, k) => (
            <Text key={k} {...(color && COLOURS[s.kind] !== undefined ? { color: COLOURS[s.kind] } : {})} bold={s.kind === 'selected'}>{s.text}</Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}

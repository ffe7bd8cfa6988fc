/** `?`: every key, in place of the table and the panes. */
import { Box, Text } from 'ink';
import { KEY_HELP } from './keys.js';
import { GRID_STEPS_PER_DECADE } from './grid.js';
import { fit } from './format.js';
import { wrapText } from './DetailPane.js';

export interface HelpPaneProps {
  width: number;
  height: number;
  color: boolean;
}

export function HelpPane({ width, height, color }: HelpPaneProps) {
  const inner = Math.max(1, width - 2);
  const keyWidth = Math.max(...KEY_HELP.map((k) => k.keys.length)) + 2;
  const notes = [
    'marks: > selected  C current setting  R recommended (smallest timeout with 0 broken sessions)  * extrapolated beyond the capture window',
    `← → grid: ${GRID_STEPS_PER_DECADE} steps per decade (x1.10), 2 significant digits; a typed value moves to its grid neighbour`,
  ];
  const lines = [
    ...KEY_HELP.map((k) => ({ key: k.keys, text: k.action })),
    ...notes.flatMap((n) => wrapText(n, inner)).map((t) => ({ key: '', text: t })),
  ];
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="double" {...(color ? { borderColor: 'cyan' } : {})}>
      <Text bold>{fit('fwtp compare: keys (any key closes this help)', inner)}</Text>
      {lines.slice(0, Math.max(0, height - 3)).map((l, i) => (
        <Text key={i} wrap="truncate">
          <Text bold {...(color ? { color: 'yellow' } : {})}>{l.key === '' ? '' : fit(l.key, keyWidth)}</Text>
          <Text>{fit(l.text, Math.max(1, inner - (l.key === '' ? 0 : keyWidth)))}</Text>
        </Text>
      ))}
    </Box>
  );
}

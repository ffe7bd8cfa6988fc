/** The top line: what was read, and the profiles the figures are for. */
import { Text } from 'ink';
import { fit } from './format.js';

export interface HeaderProps {
  /** Plain part (inputs, flows, window), already sanitised. */
  source: string;
  platform: string;
  keepAlive: string;
  width: number;
  color: boolean;
  /** Shown while candidates are being evaluated, e.g. "evaluating 3/14". */
  busy: string;
}

export function Header({ source, platform, keepAlive, width, color, busy }: HeaderProps) {
  const profiles = `platform ${platform} · keep-alive ${keepAlive}`;
  const right = busy === '' ? '' : ` ${busy}`;
  // The inputs give way first: the profiles say what the figures are for.
  const sourceWidth = Math.max(0, Math.min(source.length, width - right.length - profiles.length - 3));
  const left = sourceWidth > 0 ? `${fit(source, sourceWidth)} · ` : '';
  const rest = fit(profiles, Math.max(0, width - left.length - right.length));
  return (
    <Text wrap="truncate">
      <Text bold>{left}</Text>
      <Text {...(color ? { color: 'cyan' } : {})}>{rest}</Text>
      <Text {...(color ? { color: 'yellow' } : {})}>{right}</Text>
    </Text>
  );
}

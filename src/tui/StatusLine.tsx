/** The bottom line: a prompt being typed, the last message, or the key reminder. */
import { Text } from 'ink';
import { fit } from './format.js';

export interface StatusLineProps {
  /** A prompt and the text typed so far, or null. */
  prompt: { label: string; text: string } | null;
  message: { text: string; error: boolean } | null;
  hint: string;
  width: number;
  color: boolean;
}

export function StatusLine({ prompt, message, hint, width, color }: StatusLineProps) {
  if (prompt !== null) {
    // A complaint about what was typed replaces the reminder, the prompt stays open.
    const tail = message !== null ? `  ${message.text}` : '  enter ok · esc cancel';
    const typed = `${prompt.label}${prompt.text}▌`;
    return (
      <Text wrap="truncate">
        <Text bold {...(color ? { color: 'yellow' } : {})}>{fit(typed, Math.max(1, width - Math.min(tail.length, Math.floor(width / 2))))}</Text>
        <Text dimColor={color && message === null} bold={message?.error === true} {...(color && message?.error === true ? { color: 'red' } : {})}>{fit(tail, Math.min(tail.length, Math.floor(width / 2)))}</Text>
      </Text>
    );
  }
  if (message !== null) {
    return <Text wrap="truncate" bold={message.error} {...(color ? { color: message.error ? 'red' : 'green' } : {})}>{fit(message.text, width)}</Text>;
  }
  return <Text wrap="truncate" dimColor={color}>{fit(hint, width)}</Text>;
}

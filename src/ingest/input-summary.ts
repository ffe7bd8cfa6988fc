/** What reading one input gave, whatever its kind: the line `gaps` and the profiles keep per input. */
import type { CaptureSummary } from './captures.js';

/** What one input was and what reading it gave. Captures fill the packet fields; text inputs the record fields. */
export interface InputSummary extends Omit<CaptureSummary, 'format'> {
  format: string;
  /** Records (flow exports) or lines (conntrack) read, for text inputs. */
  records?: number;
  /** Lines that could not be read and were skipped (text inputs). */
  skipped?: number;
}

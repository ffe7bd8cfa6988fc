/**
 * Records read from firewall logs (issue 13): what a session-end, session-start or drop line
 * says, as logged. Times are microseconds since the epoch as numbers (never Date: STYLE.md
 * pitfall 5); addresses are the text the device wrote (an IP, or a name when the device
 * resolved it). docs/FIREWALL-LOGS.md: per vendor, which lines give which record.
 */

export type FwVendor = 'cisco-asa' | 'panos' | 'fortigate' | 'juniper-srx' | 'checkpoint' | 'linux-log' | 'pf-filterlog';

export const FW_VENDORS: readonly FwVendor[] = ['cisco-asa', 'panos', 'fortigate', 'juniper-srx', 'checkpoint', 'linux-log', 'pf-filterlog'];

/**
 * How a session ended, in a small vocabulary (session-logs.md "three end classes"):
 * idle-timeout = the firewall's idle timer fired (ASA Conn-timeout, PAN-OS aged-out, FortiGate
 * timeout, SRX idle Timeout); fin / rst-client / rst-server / rst = closed by the endpoints
 * (rst when the log does not say which side); policy = ended by a rule or threat verdict;
 * other = anything else (SYN timeout, admin clear, failover, inspection ...). `rawReason` keeps
 * the vendor's words.
 */
export type EndReason = 'idle-timeout' | 'fin' | 'rst-client' | 'rst-server' | 'rst' | 'policy' | 'other';

/** What kind of drop the line says it is, as logged (not a classification of why). */
export type DropKind =
  /** No session for a non-SYN packet: ASA 106015, FortiGate "no session matched", Check Point out of state. */
  | 'no-connection'
  /** Refused by an access list: ASA 106023 / 106100 denied. */
  | 'acl'
  /** Refused by a policy or a deny/drop action (PAN-OS deny/drop, SRX SESSION_DENY, FortiGate deny, pf block). */
  | 'policy'
  /** A packet logged by a rule whose verdict the line does not state (kernel LOG / nft log: the prefix tells). */
  | 'logged'
  | 'other';

/** One end of a session or packet, as logged. */
export interface Endpoint {
  /** IP address or host name as written (ASA may print a name). */
  address: string;
  /** Port (TCP/UDP), ICMP id where the vendor writes one there, or null. */
  port: number | null;
  /** Interface or zone the device names for this end, or null. */
  iface: string | null;
}

interface RecordBase {
  vendor: FwVendor;
  /** 1-based line number in the file. */
  line: number;
  /** Device or collector host name from the line, or null. */
  host: string | null;
  /** Time of the line in µs since the epoch (device field preferred over the collector's), or null when the line has none. */
  timeUs: number | null;
  /** True when the line's date had no year and the year was inferred (options.year, else the file's time). */
  yearInferred: boolean;
  /** Message kind as logged: ASA message id ('302014'), SRX tag, PAN-OS type/subtype, ... */
  messageKind: string;
  /** Lower-case protocol name (tcp, udp, icmp, ipv6-icmp, ...) or the number as text when unnamed; '' if not logged. */
  protocol: string;
  /** IANA protocol number when known, else null. */
  protocolNumber: number | null;
  /** First endpoint as logged (ASA: the `for`/`from`/`src` side; others: source). */
  src: Endpoint;
  /** Second endpoint as logged. */
  dst: Endpoint;
}

export interface SessionRecordBase extends RecordBase {
  /** Translated (mapped) form of src, where the line or an earlier Built line gives one; null otherwise. */
  natSrc: Endpoint | null;
  /** Translated (mapped) form of dst. */
  natDst: Endpoint | null;
  /** Which logged endpoint opened the session ('src' / 'dst'), when the log says (ASA inbound/outbound, others: src). */
  initiator: 'src' | 'dst' | null;
  /** ASA connection id, PAN-OS / SRX / FortiGate session id, or null. */
  connectionId: string | null;
}

export interface SessionStartRecord extends SessionRecordBase {
  type: 'session-start';
  /** ASA Built inbound/outbound, Check Point ifdir; null when not logged. */
  direction: 'inbound' | 'outbound' | null;
}

export interface SessionEndRecord extends SessionRecordBase {
  type: 'session-end';
  /** Duration as logged, in seconds, or null when the line has none (ASA 302021). */
  durationSeconds: number | null;
  /** Resolution of durationSeconds (1 for every vendor read here: whole seconds). */
  durationResolutionSeconds: number;
  /**
   * What the duration spans (session-logs.md): 'start-to-end' = start to the end record,
   * including the idle wait (ASA, FortiGate, SRX); 'start-to-last-packet' = PAN-OS Elapsed,
   * which excludes the timeout.
   */
  durationCovers: 'start-to-end' | 'start-to-last-packet';
  /** Session start in µs when the line gives it (PAN-OS Start Time), else null (derive it as timeUs - duration where durationCovers is start-to-end). */
  startUs: number | null;
  /** Bytes both ways, or null. */
  bytes: number | null;
  endReason: EndReason;
  /** The vendor's end reason or action as written ('' when the message has none, e.g. ASA 302016). */
  rawReason: string;
  /** True when the vendor's reason can mean either an idle end or a close (FortiGate `close`, session-logs.md). */
  reasonAmbiguous: boolean;
}

export interface DropRecord extends RecordBase {
  type: 'drop';
  kind: DropKind;
  /** The action or verdict as written (ASA 'Deny', 'denied'; PAN-OS 'deny'; pf 'block'; kernel prefix ...). */
  action: string;
  /** TCP flag words as logged, upper case (ACK, PSH, SYN, FIN, RST, URG, ECE, CWR), or null when the line has none. */
  tcpFlags: string[] | null;
  /** Transport payload length in bytes where the line gives it exactly (UDP length - 8, pf datalen), else null. */
  payloadBytes: number | null;
  /** IP total length as logged (kernel LOG `LEN=`, pf length); TCP payload <= this - 40 (IPv4, headers without options). */
  ipLengthBytes?: number;
  /** Interface the packet came in on / went out of, or null. */
  inInterface: string | null;
  outInterface: string | null;
  direction: 'inbound' | 'outbound' | null;
  /** ACL, rule or policy name / log prefix, or null. */
  rule: string | null;
}

export type FwRecord = SessionStartRecord | SessionEndRecord | DropRecord;

/** A line that could not be read, with where and why. */
export interface UnreadableLine {
  line: number;
  reason: string;
  excerpt: string;
}

/** Reader options, normalised once at the entry point (STYLE.md, csv-parse). */
export interface FwLogOptions {
  /** Year for dates written without one (syslog BSD headers). */
  year?: number;
  /** Time zone for times written without one: 'UTC' (default), 'Z', '+02:00', '-0500'. */
  tz?: string;
  /** Make the first unreadable line fatal (FwtpError FWLOG_UNREADABLE_LINE). */
  strict?: boolean;
  /** The file's time (e.g. its mtime) in µs: gives the year when `year` is not set. */
  fileTimeUs?: number;
  /** Called for each record; when given, records are not kept in the result (memory bounded by the caller). */
  onRecord?: (r: FwRecord) => void;
}

export interface FwLogResult {
  vendor: FwVendor;
  file: string;
  records: FwRecord[];
  /** Lines in the file (a last line without newline counts). */
  linesRead: number;
  /** Lines that gave at least one record (Check Point packet lists give several records per line). */
  linesWithRecords: number;
  recordCount: number;
  /** Lines read and not needed, by message kind ('302013' is needed; '305011', 'event/system', 'empty line' ...). */
  notNeeded: Record<string, number>;
  notNeededLines: number;
  /** First unreadable lines (at most 100 kept), and their count. */
  unreadable: UnreadableLine[];
  unreadableCount: number;
  /** Where the year of yearless dates came from, and which zone was used for zoneless times. */
  year: { value: number; source: 'option' | 'file-time' | 'clock' };
  tz: string;
  warnings: string[];
}

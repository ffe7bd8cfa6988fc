/**
 * How late a timer can fire: the margin a threshold from the data needs before it is a setting.
 *
 * Linux keeps timers in a wheel of 9 levels of 64 buckets (kernel/time/timer.c, since 4.8:
 * LVL_CLK_SHIFT 3, LVL_BITS 6). A timer `d` jiffies ahead goes to the level whose range holds d,
 * and its expiry is rounded up to that level's granularity, 8^level jiffies: it fires up to one
 * granularity late, never early. A keep-alive set for 7200 s at HZ=250 (Debian's CONFIG_HZ_250)
 * lands in level 5 (32768 jiffies = 131 s), so it may come up to 1.8 % after its nominal idle:
 * the next probe can be later than the one a capture shows. docs/MODEL.md, "Exact thresholds".
 */

/** Debian's kernels are built with CONFIG_HZ_250. */
export const LINUX_HZ = 250;
const LVL_CLK_SHIFT = 3;
const LVL_SIZE = 64;
const LVL_DEPTH = 9;

/** First delay (jiffies) held by `level`: LVL_START(n) = (LVL_SIZE - 1) << ((n - 1) * LVL_CLK_SHIFT). */
function levelStart(level: number): number {
  return level === 0 ? 0 : (LVL_SIZE - 1) * 2 ** ((level - 1) * LVL_CLK_SHIFT);
}

/**
 * The most a Linux timer set `delaySeconds` ahead fires late, in seconds.
 * @example linuxTimerSlackSeconds(7200) // 131.072 (level 5 at HZ=250)
 */
export function linuxTimerSlackSeconds(delaySeconds: number, hz = LINUX_HZ): number {
  const jiffies = Math.max(0, Math.ceil(delaySeconds * hz));
  let level = 0;
  while (level + 1 < LVL_DEPTH && jiffies >= levelStart(level + 1)) level++;
  return 2 ** (level * LVL_CLK_SHIFT) / hz;
}

export interface ThresholdMargin {
  seconds: number;
  /** What the margin covers, said in the output. */
  reason: string;
}

/**
 * The margin added to a threshold from the data before it is proposed as a setting: the
 * endpoints' timer slack (Linux keep-alive timers, above), and for firewalls that log and set
 * timeouts in whole seconds, one more second. Vendors do not publish when their aging sweep runs
 * (docs/FIREWALL-LOGS.md): that part is stated as an assumption.
 */
export function thresholdMargin(platformName: string, thresholdSeconds: number): ThresholdMargin {
  const slack = linuxTimerSlackSeconds(thresholdSeconds);
  const linux = platformName === 'linux' || platformName === 'kube-proxy';
  const parts = [`${round3(slack)} s for the endpoints' timer slack (a Linux timer ${round3(thresholdSeconds)} s ahead fires up to ${round3(slack)} s late at HZ=${LINUX_HZ})`];
  let seconds = slack;
  if (!linux) {
    seconds += 1;
    parts.push('1 s for whole-second timeouts and an unpublished aging sweep (assumed)');
  }
  return { seconds, reason: parts.join('; ') };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

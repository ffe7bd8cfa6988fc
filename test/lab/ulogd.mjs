// The firewall's own drop log in the lab (docs/LAB.md "Firewall logs"): ulogd2 reading an nflog
// group and writing LOGEMU lines (the kernel LOG format, "Dec  2 00:20:31 host PREFIX IN=... "),
// one ulogd process per run with its own configuration file in the run's directory.

/** Where Debian's ulogd2 package puts its plugins (ulogd2 2.0.8, amd64). */
export const ULOGD_PLUGIN_DIR = '/usr/lib/x86_64-linux-gnu/ulogd';
/** The nflog group ulogd reads; group 5 is tcpdump's (one listener per group and namespace). */
export const ULOG_GROUP = 6;
/** ulogd's own log says this once its stack is built and it reads the group. */
export const ULOGD_READY = 'entering main loop';

/**
 * ulogd.conf for one run: NFLOG -> BASE -> IFINDEX -> IP2STR -> PRINTPKT -> LOGEMU (the stack of
 * Debian's default configuration, ulogd.conf "stack=log1:NFLOG,base1:BASE,..."). `sync=1`
 * flushes every line, so the driver can count the lines as they come.
 */
export function ulogdConfig({ selfLog, emuFile, group = ULOG_GROUP }) {
  const plugins = ['inppkt_NFLOG', 'raw2packet_BASE', 'filter_IFINDEX', 'filter_IP2STR', 'filter_PRINTPKT', 'output_LOGEMU']
    .map((p) => `plugin="${ULOGD_PLUGIN_DIR}/ulogd_${p}.so"`);
  return [
    '[global]',
    `logfile="${selfLog}"`,
    'loglevel=3',
    ...plugins,
    'stack=log1:NFLOG,base1:BASE,ifi1:IFINDEX,ip2str1:IP2STR,print1:PRINTPKT,emu1:LOGEMU',
    '',
    '[log1]',
    `group=${group}`,
    '',
    '[emu1]',
    `file="${emuFile}"`,
    'sync=1',
    '',
  ].join('\n');
}

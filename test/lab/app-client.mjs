#!/usr/bin/env node
// The lab's application (docs/LAB.md): runs inside the app namespace and plays a schedule of
// sessions against the db at 198.51.100.24:1521.
//
//   node app-client.mjs --schedule schedule.json [--start EPOCH_MS]
//
// Without --start it prints {"ev":"ready"} and waits for a line "START <epoch ms>" on stdin, so
// the driver can pick the start instant once every process of every run is up.
//
// schedule.json: {"sessions": [{"id": 0, "events": [{"atMs": 300, "op": "open"},
//   {"atMs": 400, "op": "query"}, ..., {"atMs": 9000, "op": "close"}]}, ...]}; a session may name
//   its own "port" and "localPort", and "abort" destroys a socket that never connected (a
//   refused attempt).
// Every event fires at start + atMs (one timer per event, aimed at an absolute instant), so the
// baseline run and the candidate runs see the same gaps within timer jitter; lateness is
// reported per event. A session without "close" leaks: it stays open, idle, until the driver
// stops the lab. Output: JSON lines (ready, one per fired event, errors, stop).
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    schedule: { type: 'string' },
    start: { type: 'string' },
    host: { type: 'string', default: '198.51.100.24' },
    port: { type: 'string', default: '1521' },
  },
});
const schedule = JSON.parse(readFileSync(values.schedule, 'utf8'));
const port = Number(values.port);

const sockets = new Map();
let responses = 0;
let errors = 0;
let pendingEvents = 0;

function log(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

function fire(session, event, queryNumber) {
  const lateMs = Date.now() - (startMs + event.atMs);
  log({ ev: event.op, s: session.id, atMs: event.atMs, lateMs });
  if (event.op === 'open') {
    // A session's own port (two-service scenario), else --port.
    const socket = net.connect({ host: values.host, port: session.port ?? port, ...(session.localPort === undefined ? {} : { localPort: session.localPort }) });
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => {
      for (const ch of chunk) if (ch === '\n') responses++;
    });
    socket.on('error', (err) => {
      errors++;
      log({ ev: 'error', s: session.id, code: err.code ?? String(err) });
    });
    sockets.set(session.id, socket);
  } else if (event.op === 'query') {
    sockets.get(session.id)?.write(`Q${session.id}-${queryNumber}\n`);
  } else if (event.op === 'close') {
    sockets.get(session.id)?.end();
  } else if (event.op === 'abort') {
    // A connection attempt given up: the socket goes, nothing is sent (it never connected).
    sockets.get(session.id)?.destroy();
  }
  if (--pendingEvents === 0) log({ ev: 'done', t: Date.now() });
}

// Warm up the socket code paths (first use costs tens of ms on a busy machine) with a connection
// to the app namespace's own loopback, refused at once: nothing leaves the namespace.
const warmUp = net.connect({ host: '127.0.0.1', port: 9 });
warmUp.on('error', () => {});

let startMs = NaN;

function arm(start) {
  startMs = start;
  for (const session of schedule.sessions) {
    let queryNumber = 0;
    for (const event of session.events) {
      const n = event.op === 'query' ? ++queryNumber : 0;
      pendingEvents++;
      setTimeout(() => fire(session, event, n), Math.max(0, startMs + event.atMs - Date.now()));
    }
  }
  log({ ev: 'armed', startMs, events: pendingEvents });
}

if (values.start !== undefined) {
  arm(Number(values.start));
} else {
  let input = '';
  process.stdin.setEncoding('latin1');
  process.stdin.on('data', (chunk) => {
    input += chunk;
    const m = /START (\d+)\n/.exec(input);
    if (m && Number.isNaN(startMs)) arm(Number(m[1]));
  });
  log({ ev: 'ready', sessions: schedule.sessions.length });
}

function stop() {
  log({ ev: 'stop', responses, errors });
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Leaked sessions keep the process alive; this keeps it alive even when none leak.
setInterval(() => {}, 1 << 30);

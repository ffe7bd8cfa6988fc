#!/usr/bin/env node
// The lab's "database" (docs/LAB.md): runs inside the db namespace, listens on 198.51.100.24:1521,
// answers each request line "Q<n>" with "R<n> ..." and closes its side when the client closes.
//
//   node db-server.mjs --keepalive on     SO_KEEPALIVE on every accepted socket; the schedule is the db
//                                         namespace's net.ipv4.tcp_keepalive_{time,intvl,probes} (lab.sh)
//   node db-server.mjs --keepalive off    keep-alives off
//   --api-port 8443                       also listen there, keep-alives always off (the API of the
//                                         two-service scenario, services.mjs)
//
// Why setKeepAlive(true, 0) and not setKeepAlive(true, idleMs): with a non-zero delay, libuv (1.46 in
// Node 20) sets TCP_KEEPIDLE and also forces TCP_KEEPINTVL = 1 s and TCP_KEEPCNT = 10 on the socket
// (seen in the lab: ten probes 1 s apart, then a RST). A zero delay only turns SO_KEEPALIVE on
// (Node docs: "0 leaves the value unchanged"), so all three values come from the per-netns sysctls.
//
// Prints one JSON line {"event":"ready"} on stdout once listening; errors of single sockets
// (ECONNRESET, ETIMEDOUT when keep-alive gives up) are expected in candidate runs and only counted.
import net from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '198.51.100.24' },
    port: { type: 'string', default: '1521' },
    keepalive: { type: 'string', default: 'off' },
    'api-port': { type: 'string' },
  },
});
const keepAlive = values.keepalive === 'on';
const port = Number(values.port);
let connections = 0;
let socketErrors = 0;

const serve = (withKeepAlive) => (socket) => {
  connections++;
  if (withKeepAlive) socket.setKeepAlive(true, 0);
  socket.setNoDelay(true);
  let pending = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk) => {
    pending += chunk;
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      // A fixed-size answer keeps the packet pattern the same in every run.
      if (line.startsWith('Q')) socket.write(`R${line.slice(1)} ${'x'.repeat(64)}\n`);
    }
  });
  socket.on('error', () => {
    socketErrors++;
  });
};

const apiPort = values['api-port'] !== undefined ? Number(values['api-port']) : null;
const listening = [port, ...(apiPort !== null ? [apiPort] : [])].map((p) => new Promise((res) => {
  net.createServer({ allowHalfOpen: false }, serve(p === port && keepAlive)).listen({ host: values.host, port: p }, res);
}));
Promise.all(listening).then(() => {
  process.stdout.write(`${JSON.stringify({ event: 'ready', host: values.host, port, apiPort, keepAlive })}\n`);
});

function stop() {
  process.stdout.write(`${JSON.stringify({ event: 'stop', connections, socketErrors })}\n`);
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

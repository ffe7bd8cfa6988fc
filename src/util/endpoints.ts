/** How an endpoint is written in labels: IPv6 addresses in brackets before the port. */
export function hostPort(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

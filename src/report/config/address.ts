/** Addresses and prefixes as the vendor configuration lines write them. */

/** IPv4 prefix length -> dotted mask (24 -> 255.255.255.0). */
export function ipv4Mask(prefix: number): string {
  const bits = prefix <= 0 ? 0 : (0xffffffff << (32 - Math.min(32, prefix))) >>> 0;
  return [24, 16, 8, 0].map((sh) => (bits >>> sh) & 255).join('.');
}

export function splitPrefix(address: string): { addr: string; prefix: number | null } {
  const slash = address.indexOf('/');
  return slash < 0 ? { addr: address, prefix: null } : { addr: address.slice(0, slash), prefix: Number(address.slice(slash + 1)) };
}

export function isV6(address: string | null): boolean {
  return address !== null && address.includes(':');
}

export function withPrefix(address: string): string {
  const { prefix } = splitPrefix(address);
  return prefix !== null ? address : `${address}/${isV6(address) ? 128 : 32}`;
}

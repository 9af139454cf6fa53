// The viewer's DNS-rebinding guard. A page on evil.example can make the browser send requests to this
// machine by pointing evil.example at its address; such requests carry "Host: evil.example". The viewer
// answers only requests addressed to a loopback name, to one of this machine's own IP addresses (an IP
// literal cannot be rebound), or to a name the user allowed (--allow-host), whatever interface it binds.
import { networkInterfaces } from "node:os";

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The host part of a Host header, lower-cased, without port and IPv6 brackets. */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  const v6 = /^\[([^\]]+)\](:\d+)?$/.exec(h);
  if (v6) return v6[1]!;
  return h.replace(/:\d+$/, "").replace(/\.$/, "");
}

/** This machine's IP addresses (all interfaces). */
function ownAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .map((a) => a?.address.toLowerCase())
    .filter((a): a is string => a !== undefined);
}

/**
 * Whether a request's Host header names this server: a loopback name, one of this machine's addresses
 * (the bound one included), or one of `allowHosts` (names or addresses, case-insensitive).
 */
export function hostGuard(bound: string, allowHosts: readonly string[] = []): (header: string) => boolean {
  const allowed = new Set([...ownAddresses(), hostName(bound), ...allowHosts.map(hostName)]);
  allowed.delete("0.0.0.0");
  allowed.delete("::");
  return (header) => {
    const h = hostName(header);
    return h !== "" && (isLoopback(h) || allowed.has(h));
  };
}

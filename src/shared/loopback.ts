/** 127.0.0.0/8, ::1 and localhost (a bare host, or `[::1]`): names that reach this machine only. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** The host part of a `Host` header (`127.0.0.1:8080`, `[::1]:8080`, `localhost`). */
export function hostOfHostHeader(header: string): string {
  const bracketed = /^(\[[^\]]*\])(?::\d+)?$/.exec(header);
  if (bracketed) return bracketed[1] ?? header;
  return header.replace(/:\d+$/, '');
}

// Every route of a running app as [method, full path], for tests that must cover all of them.
/** Full paths of every route, from the tree `printRoutes({ commonPrefix: false })` draws (a child's
 * label continues its parent's path; every level indents by four characters). */
export function enumerateRoutes(printed: string): [string, string][] {
  const out: [string, string][] = [];
  const stack: string[] = [];
  for (const line of printed.split('\n')) {
    const m = /^(.*?)[├└]── (.+?) \(([^)]+)\)$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack[depth] = m[2]!;
    const path = stack.join('').replace(/^\/?/, '/').replace(/([^/])(?=\/)/g, '$1').replace(/\/\/+/g, '/');
    for (const method of m[3]!.split(',').map((x) => x.trim())) if (method !== 'HEAD') out.push([method, path]);
  }
  return out;
}

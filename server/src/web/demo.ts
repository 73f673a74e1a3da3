// The demo page: a fictitious centre's website with the widget embedded by its one script tag.
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function demoPage(centreName: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(centreName)} — demo site</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #f7f7f4; }
  header { background: #1f5fa8; color: #fff; padding: 1.5rem; }
  main { max-width: 46rem; margin: 0 auto; padding: 1.5rem; line-height: 1.5; }
  a { color: #124a85; }
</style>
</head>
<body>
<header><h1>${esc(centreName)}</h1><p>Helpline 124 123 · Hotline for illegal content</p></header>
<main>
  <h2>Talk to us</h2>
  <p>This is a demonstration page of a fictitious Safer Internet Centre. Use the chat button in the corner
  to talk anonymously with a counsellor. You don't have to tell us your name.</p>
  <p>Seen something illegal online? <a href="/report">Report it to the hotline</a>.</p>
</main>
<script async src="/widget.js"></script>
</body>
</html>`;
}

/** The page's HTML shell; the bundle (app.js) renders everything inside #app. */

/** The HTML of the dashboard page for a cluster. */
export function PAGE_HTML(cluster: string): string {
  const title = `kemu dashboard: ${cluster.replace(/[<>&"]/g, '')}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
body { font: 13px/1.4 system-ui, sans-serif; margin: 0; color: #1d2430; background: #f6f7f9; }
header { display: flex; gap: 12px; align-items: center; padding: 8px 14px; background: #1d2430; color: #fff; flex-wrap: wrap; }
header h1 { font-size: 15px; margin: 0 8px 0 0; }
header button, header select, header input { font: inherit; }
nav button { background: none; border: 0; color: #b9c3d3; padding: 4px 8px; cursor: pointer; }
nav button.on { color: #fff; border-bottom: 2px solid #6cb6ff; }
main { padding: 10px 14px; }
.badge { padding: 1px 7px; border-radius: 9px; font-weight: 600; font-size: 12px; }
.live { background: #2e9d57; color: #fff; } .paused { background: #c98a00; color: #fff; } .replay { background: #7d4cdb; color: #fff; }
table { border-collapse: collapse; width: 100%; background: #fff; margin: 6px 0 14px; }
.blocks { margin: 6px 0 14px; } .blocks table { table-layout: fixed; margin: 0; }
.blocks .block { content-visibility: auto; contain-intrinsic-size: auto 4100px; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #e3e6eb; vertical-align: top; }
th { background: #eef1f5; font-weight: 600; }
tr.click { cursor: pointer; } tr.click:hover { background: #eef6ff; } tr.sel { background: #dcecff; }
.ok { color: #2e9d57; } .bad { color: #c62828; } .warn { color: #c98a00; } .dim { color: #7a8494; }
code.kubectl { display: inline-block; background: #1d2430; color: #d8e1ee; padding: 1px 6px; border-radius: 4px; font-size: 11px; margin: 1px 0; }
#graph { height: 460px; background: #fff; border: 1px solid #d5dae2; }
.panel { background: #fff; border: 1px solid #d5dae2; padding: 8px 12px; margin: 8px 0; }
.filters { display: flex; gap: 8px; align-items: center; }
.scrubber { display: flex; gap: 6px; align-items: center; }
.scrubber input[type=range] { width: 260px; }
h2 { font-size: 14px; margin: 12px 0 4px; }
.bar { display: inline-block; height: 10px; background: #6cb6ff; vertical-align: middle; }
.even { display: inline-block; height: 10px; border-right: 2px solid #c62828; vertical-align: middle; margin-left: -2px; }
</style>
</head>
<body>
<div id="app">loading…</div>
<script>
// The first state is fetched while the bundle loads (store.js takes it from here).
(function () {
  var m = /^seq:(d+)$/.exec(new URLSearchParams(location.search).get('at') || '');
  var at = m ? Number(m[1]) : 0;
  window.__kemuState = { at: at, state: fetch(at ? '/api/state?at=' + at : '/api/state').then(function (r) { return r.json(); }) };
})();
</script>
<script src="/app.js"></script>
</body>
</html>
`;
}

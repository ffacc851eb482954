// The scaling chart: ns/op against table size, one polyline per system, in
// four panels (insert, lookup, 90/10 mix, counter), log-log axes, written as
// plain SVG (no dependencies).

const PANELS = [
  ['insert', 'insert'],
  ['lookup', 'lookup (random existing keys)'],
  ['mix', '90/10 read/write mix'],
  ['counter', 'counter increment (read-modify-write)'],
];
const COLORS = ['#1f77b4', '#2ca02c', '#17becf', '#9467bd', '#d62728', '#ff7f0e', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#393b79', '#637939', '#8c6d31', '#843c39', '#7b4173', '#3182bd', '#e6550d', '#31a354', '#756bb1', '#636363'];
const DASH = { termstore: '', 'js limit': '2 3', otp: '7 3', peer: '7 3 2 3' };

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const sizeName = (n) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));
const nsName = (v) => (v >= 1e6 ? `${v / 1e6} ms` : v >= 1e3 ? `${v / 1e3} µs` : `${v} ns`);

export function scalingSvg({ meta, systems, results }) {
  const W = 460;
  const H = 300;
  const pad = { l: 62, r: 14, t: 28, b: 40 };
  const cols = 2;
  const legendRowH = 18;
  const legendCols = 3;
  const legendH = Math.ceil(systems.length / legendCols) * legendRowH + 20;
  const top = 34;
  const width = cols * W;
  const height = top + Math.ceil(PANELS.length / cols) * H + legendH;
  const color = Object.fromEntries(systems.map((s, i) => [s.id, COLORS[i % COLORS.length]]));
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  const m = meta.machine;
  out.push(`<text x="10" y="20" font-size="13" font-weight="bold">${esc(`termstore bench (${meta.mode}) ${meta.date.slice(0, 10)}: ns/op against table size (log-log; lower is better)`)}</text>`);
  out.push(`<text x="${width - 10}" y="20" text-anchor="end" fill="#555">${esc(`${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.otp}`)}</text>`);

  PANELS.forEach(([metric, title], i) => {
    const ox = (i % cols) * W;
    const oy = top + Math.floor(i / cols) * H;
    const series = systems
      .map((s) => ({ s, pts: Object.entries(results[s.id] ?? {}).map(([n, r]) => [Number(n), r[metric]]).filter(([, v]) => typeof v === 'number' && v > 0).sort((a, b) => a[0] - b[0]) }))
      .filter((x) => x.pts.length > 0);
    const xs = series.flatMap((x) => x.pts.map((p) => p[0]));
    const ys = series.flatMap((x) => x.pts.map((p) => p[1]));
    out.push(`<g transform="translate(${ox},${oy})">`);
    out.push(`<text x="${pad.l}" y="${pad.t - 10}" font-weight="bold">${esc(title)}</text>`);
    if (xs.length === 0) {
      out.push(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle" fill="#999">no data</text></g>`);
      return;
    }
    const x0 = Math.floor(Math.log10(Math.min(...xs)));
    const x1 = Math.max(x0 + 1, Math.ceil(Math.log10(Math.max(...xs))));
    const y0 = Math.floor(Math.log10(Math.min(...ys)));
    const y1 = Math.max(y0 + 1, Math.ceil(Math.log10(Math.max(...ys))));
    const pw = W - pad.l - pad.r;
    const ph = H - pad.t - pad.b;
    const px = (n) => pad.l + ((Math.log10(n) - x0) / (x1 - x0)) * pw;
    const py = (v) => pad.t + ph - ((Math.log10(v) - y0) / (y1 - y0)) * ph;
    out.push(`<rect x="${pad.l}" y="${pad.t}" width="${pw}" height="${ph}" fill="none" stroke="#ccc"/>`);
    for (let e = x0; e <= x1; e++) {
      const X = px(10 ** e).toFixed(1);
      out.push(`<line x1="${X}" y1="${pad.t}" x2="${X}" y2="${pad.t + ph}" stroke="#eee"/>`);
      out.push(`<text x="${X}" y="${pad.t + ph + 14}" text-anchor="middle">${sizeName(10 ** e)}</text>`);
    }
    for (let e = y0; e <= y1; e++) {
      const Y = py(10 ** e).toFixed(1);
      out.push(`<line x1="${pad.l}" y1="${Y}" x2="${pad.l + pw}" y2="${Y}" stroke="#eee"/>`);
      out.push(`<text x="${pad.l - 5}" y="${Y}" text-anchor="end" dominant-baseline="middle">${nsName(10 ** e)}</text>`);
    }
    out.push(`<text x="${pad.l + pw / 2}" y="${H - 6}" text-anchor="middle" fill="#555">rows in the table</text>`);
    for (const { s, pts } of series) {
      const d = pts.map(([n, v]) => `${px(n).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
      const w = s.group === 'termstore' ? 2.2 : 1.4;
      out.push(`<polyline points="${d}" fill="none" stroke="${color[s.id]}" stroke-width="${w}" stroke-dasharray="${DASH[s.group] ?? ''}"><title>${esc(s.label)}</title></polyline>`);
      for (const [n, v] of pts) out.push(`<circle cx="${px(n).toFixed(1)}" cy="${py(v).toFixed(1)}" r="2.2" fill="${color[s.id]}"><title>${esc(`${s.label}, ${sizeName(n)} rows: ${v.toFixed(0)} ns/op`)}</title></circle>`);
    }
    out.push('</g>');
  });

  const ly = top + Math.ceil(PANELS.length / cols) * H + 6;
  out.push(`<g transform="translate(0,${ly})">`);
  systems.forEach((s, i) => {
    const lx = 14 + (i % legendCols) * (width / legendCols);
    const yy = 10 + Math.floor(i / legendCols) * legendRowH;
    out.push(`<line x1="${lx}" y1="${yy}" x2="${lx + 26}" y2="${yy}" stroke="${color[s.id]}" stroke-width="${s.group === 'termstore' ? 2.2 : 1.4}" stroke-dasharray="${DASH[s.group] ?? ''}"/>`);
    out.push(`<text x="${lx + 32}" y="${yy}" dominant-baseline="middle">${esc(s.label)}</text>`);
  });
  out.push('</g></svg>');
  return out.join('\n') + '\n';
}

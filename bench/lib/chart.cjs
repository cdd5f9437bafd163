// bench/chart.svg, hand-written SVG: CPU per request by config, lookup cost against rule count,
// and the targets.
"use strict";
const { TITLES, TARGETS } = require("./report.cjs");

const COLORS = { plain: "#8c8c8c", static: "#4c78a8", edgeblock: "#f58518", lua: "#54a24b" };
const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const text = (x, y, s, attrs = "") => `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(s)}</text>`;
const rect = (x, y, w, h, fill, extra = "") => `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(0, w).toFixed(1)}" height="${Math.max(0, h).toFixed(1)}" fill="${fill}" ${extra}/>`;
const line = (x1, y1, x2, y2, stroke, extra = "") => `<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" stroke="${stroke}" ${extra}/>`;
const niceMax = (v) => {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= v);
};
const rulesLabel = (n) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));

/** Panel: y axis with gridlines from 0 to max; returns the y mapping. */
function axis(parts, x, y, w, h, max, unit) {
  const ticks = 5;
  for (let i = 0; i <= ticks; i++) {
    const v = (max * i) / ticks;
    const yy = y + h - (h * i) / ticks;
    parts.push(line(x, yy, x + w, yy, "#e5e5e5"));
    parts.push(text(x - 6, yy + 4, Number.isInteger(v) ? v : v.toFixed(1), 'text-anchor="end" font-size="11" fill="#555"'));
  }
  parts.push(text(x - 34, y - 10, unit, 'font-size="11" fill="#555"'));
  return (v) => y + h - (h * Math.min(v, max)) / max;
}

function cpuPanel(parts, sum, x, y, w, h) {
  parts.push(text(x, y - 28, `Edge CPU per request, ${rulesLabel(sum.refN)} rules (median)`, 'font-size="14" font-weight="bold"'));
  const configs = Object.keys(TITLES);
  const vals = configs.flatMap((c) => [sum.passThrough[c].usPerReq.max, sum.blocked[c].usPerReq.max]);
  const Y = axis(parts, x, y, w, h, niceMax(Math.max(...vals)), "µs/req");
  const group = w / 2;
  ["pass-through", "blocked"].forEach((kind, g) => {
    const bw = (group - 30) / configs.length;
    configs.forEach((c, i) => {
      const s = kind === "blocked" ? sum.blocked[c] : sum.passThrough[c];
      const v = s.usPerReq.median;
      const bx = x + g * group + 15 + i * bw;
      parts.push(rect(bx + 2, Y(v), bw - 4, y + h - Y(v), COLORS[c]));
      parts.push(line(bx + bw / 2, Y(s.usPerReq.max), bx + bw / 2, Y(s.usPerReq.min), "#222", 'stroke-width="1"'));
      parts.push(text(bx + bw / 2, Y(v) - 4, v.toFixed(1), 'text-anchor="middle" font-size="10"'));
    });
    parts.push(text(x + g * group + group / 2, y + h + 16, kind === "blocked" ? "blocked (plain: backend 404)" : kind, 'text-anchor="middle" font-size="12"'));
  });
}

function lookupPanel(parts, sum, x, y, w, h) {
  parts.push(text(x, y - 28, "Lookup cost against rule count (median)", 'font-size="14" font-weight="bold"'));
  const configs = Object.keys(TITLES);
  const counts = sum.counts;
  const vals = configs.flatMap((c) => counts.flatMap((n) => [sum.lookupRows[c][n].pass.median, sum.lookupRows[c][n].blocked.median]));
  const Y = axis(parts, x, y, w, h, niceMax(Math.max(...vals)), "µs/req");
  const X = (i) => x + 20 + ((w - 40) * i) / Math.max(1, counts.length - 1);
  counts.forEach((n, i) => parts.push(text(X(i), y + h + 16, `${rulesLabel(n)} rules`, 'text-anchor="middle" font-size="11"')));
  for (const c of configs) {
    for (const kind of ["pass", "blocked"]) {
      const pts = counts.map((n, i) => `${X(i).toFixed(1)},${Y(sum.lookupRows[c][n][kind].median).toFixed(1)}`).join(" ");
      parts.push(`<polyline points="${pts}" fill="none" stroke="${COLORS[c]}" stroke-width="2" ${kind === "pass" ? "" : 'stroke-dasharray="5,3"'}/>`);
      counts.forEach((n, i) => parts.push(`<circle cx="${X(i).toFixed(1)}" cy="${Y(sum.lookupRows[c][n][kind].median).toFixed(1)}" r="2.5" fill="${COLORS[c]}"/>`));
    }
  }
  parts.push(line(x + w - 150, y + h + 32, x + w - 126, y + h + 32, "#333", 'stroke-width="2"'));
  parts.push(text(x + w - 122, y + h + 36, "pass", 'font-size="11"'));
  parts.push(line(x + w - 86, y + h + 32, x + w - 62, y + h + 32, "#333", 'stroke-width="2" stroke-dasharray="5,3"'));
  parts.push(text(x + w - 58, y + h + 36, "blocked", 'font-size="11"'));
}

function targetPanel(parts, sum, x, y, w, h) {
  parts.push(text(x, y - 28, "edgeblock against the targets (bar ≥ line = met)", 'font-size="14" font-weight="bold"'));
  const t = sum.targets;
  const rows = [
    ["pass-through vs plain", t.passThrough.value / TARGETS.passThrough.min, `${t.passThrough.value.toFixed(2)}× (≥ ${TARGETS.passThrough.min})`, t.passThrough.met],
    ["blocked vs static", t.blocked.value / TARGETS.blocked.min, `${t.blocked.value.toFixed(2)}× (≥ ${TARGETS.blocked.min})`, t.blocked.met],
    [`lookups ${rulesLabel(t.lookups.at)} vs ${rulesLabel(sum.counts[0])}`, t.lookups.value / TARGETS.lookups.min, `${t.lookups.value.toFixed(2)}× (≥ ${TARGETS.lookups.min})`, t.lookups.met],
    ["slowest request while learning", TARGETS.learning.maxMs / t.learning.value, `${t.learning.value.toFixed(1)} ms (≤ ${TARGETS.learning.maxMs})`, t.learning.met],
    ["RSS per rule", TARGETS.memory.maxBytes / t.memory.value, `${t.memory.value.toFixed(0)} B (≤ ${TARGETS.memory.maxBytes})`, t.memory.met],
  ];
  const labelW = 170;
  const bx = x + labelW;
  const bw = w - labelW - 10;
  const scaleMax = 1.5;
  const X = (v) => bx + (bw * Math.min(v, scaleMax)) / scaleMax;
  const rowH = h / rows.length;
  rows.forEach(([label, score, value, met], i) => {
    const ry = y + i * rowH;
    // the bar, and the measured value under it (a short bar has no room for text)
    parts.push(text(bx - 8, ry + rowH / 2, label, 'text-anchor="end" font-size="12"'));
    parts.push(rect(bx, ry + 4, X(score) - bx, rowH - 26, met ? "#54a24b" : "#e45756"));
    parts.push(text(bx, ry + rowH - 8, `${value}: ${met ? "met" : "missed"}`, 'font-size="11" fill="#333"'));
  });
  parts.push(line(X(1), y - 4, X(1), y + h + 4, "#222", 'stroke-width="1.5" stroke-dasharray="4,3"'));
  parts.push(text(X(1), y + h + 16, "target", 'text-anchor="middle" font-size="11"'));
}

function svg(results, sum) {
  const W = 1200;
  const H = 430;
  const parts = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif">`);
  parts.push(rect(0, 0, W, H, "#fff"));
  const m = results.machine;
  parts.push(text(20, 24, `edgeblock benchmark (${results.mode.name}): HAProxy ${m.haproxy}, ${m.nproc} cores (${m.cpu}), nbthread 1, wrk -t1 -c16, ${results.mode.reps} alternating rounds`, 'font-size="13" fill="#333"'));
  cpuPanel(parts, sum, 60, 90, 330, 260);
  lookupPanel(parts, sum, 460, 90, 330, 260);
  targetPanel(parts, sum, 850, 90, 330, 260);
  const configs = Object.keys(TITLES);
  configs.forEach((c, i) => {
    parts.push(rect(60 + i * 150, H - 30, 12, 12, COLORS[c]));
    parts.push(text(78 + i * 150, H - 20, TITLES[c], 'font-size="12"'));
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

module.exports = { svg };

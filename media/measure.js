// einsight measure results: a table and bar charts drawn from the report in #measure's
// data-report attribute. No inline code, no network: it runs under the panel's strict CSP.
(function () {
  'use strict';
  const root = document.getElementById('measure');
  const report = JSON.parse(root.dataset.report);
  const NAMES = { 'as-written': 'as written', einsum: 'optimized, Einsum', matmul: 'optimized, MatMul' };
  const SVG = 'http://www.w3.org/2000/svg';
  let logScale = false;

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    for (const child of [].concat(children || [])) node.append(child);
    return node;
  }
  function svgEl(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function ms(x) {
    return x >= 100 ? x.toFixed(1) + ' ms' : x >= 1 ? x.toFixed(3) + ' ms' : x.toFixed(4) + ' ms';
  }
  // Counts and speedups as everywhere in einsight (server/src/core/counts.ts: formatCount,
  // formatSpeedup): `786,432` below 10^6, `1.61e9` above, `51.9×`. measure-webview.test.ts checks
  // that both agree.
  function grouped(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }
  function count(x) {
    const n = Number(x);
    return n < 1e6 ? grouped(String(Math.round(n))) : n.toExponential(2).replace('e+', 'e');
  }
  function times(x) {
    if (!Number.isFinite(x)) return 'many times';
    const r = Number(x.toPrecision(3));
    if (r >= 1e6) return r.toExponential(2).replace('e+', 'e') + '×';
    return (r >= 100 ? grouped(String(Math.round(x))) : r >= 10 ? r.toFixed(1) : r >= 1 ? r.toFixed(2) : r.toPrecision(3)) + '×';
  }

  const variants = [report.asWritten].concat(report.candidates);

  function header() {
    const where = report.source
      ? report.source.file + ':' + report.source.line + ':' + report.source.column + ' (site ' + report.source.site + ')'
      : 'equation given on the command line';
    const sizes = Object.entries(report.sizes).map(([k, v]) => k + '=' + v).join(' ');
    const shapes = report.inputShapes.map((s) => s.join('x') || 'scalar').join(', ');
    const parts = [
      el('h1', {}, report.title),
      el('p', { class: 'meta' }, [el('code', {}, report.equation), ' — ' + where]),
      el('p', { class: 'meta' }, 'sizes ' + sizes + ' · inputs ' + shapes + ' (float32, seed ' + report.seed + ')'),
      el('p', { class: 'meta' }, 'provider ' + report.ep.used + ' · ' + report.warmup + ' warm-up + ' + report.runs + ' timed runs per model'),
      el('div', { class: report.agree ? 'verdict' : 'verdict warn' }, report.verdict),
    ];
    if (report.ep.message) parts.push(el('div', { class: 'note' }, report.ep.message));
    return parts;
  }

  function speedups() {
    const measured = report.measuredSpeedup === null ? 'none' : times(report.measuredSpeedup);
    const box = (value, label) => el('div', { class: 'speedup' }, [el('div', { class: 'value' }, value), el('div', { class: 'label' }, label)]);
    return el('div', { class: 'speedups' }, [
      box(measured, report.measuredSpeedup === null ? 'measured (outputs disagree)' : 'measured speedup (median)'),
      box(times(report.predictedSpeedup), 'predicted from FLOPs'),
    ]);
  }

  function table() {
    const head = el('tr', {}, ['model', 'median', 'min', 'p90', 'FLOPs', 'max |diff|', 'nodes'].map((h) => el('th', {}, h)));
    const rows = variants.map((v) =>
      el('tr', { class: v.kind !== 'as-written' && v.kind === report.optimized.kind ? 'chosen' : '' }, [
        el('td', {}, NAMES[v.kind] + (v.kind === report.optimized.kind && report.candidates.length > 1 ? ' (kept)' : '')),
        el('td', { class: 'mono' }, ms(v.timing.medianMs)),
        el('td', { class: 'mono' }, ms(v.timing.minMs)),
        el('td', { class: 'mono' }, ms(v.timing.p90Ms)),
        el('td', { class: 'mono' }, count(v.flops)),
        el('td', { class: 'mono' }, v.kind === 'as-written' ? '—' : v.maxAbsDiff.toExponential(2) + (v.agrees ? '' : ' ✗')),
        el('td', { class: 'description' }, v.description),
      ]),
    );
    return el('table', {}, [head].concat(rows));
  }

  /** Horizontal bars; `extent` draws a min–p90 whisker. */
  function barChart(items, format) {
    const width = 520, labelWidth = 150, barHeight = 22, gap = 8, valueWidth = 110;
    const plot = width - labelWidth - valueWidth;
    const max = Math.max.apply(null, items.map((i) => (i.extent ? i.extent[1] : i.value)));
    const min = Math.min.apply(null, items.map((i) => (i.extent ? i.extent[0] : i.value)).filter((x) => x > 0));
    const scale = (x) => {
      if (!logScale) return (x / max) * plot;
      const low = Math.log10(min) - 0.5;
      return ((Math.log10(Math.max(x, min)) - low) / (Math.log10(max) - low)) * plot;
    };
    const svg = svgEl('svg', { class: 'chart', width: width, height: items.length * (barHeight + gap), role: 'img' });
    items.forEach((item, i) => {
      const y = i * (barHeight + gap);
      svg.append(svgEl('text', { x: 0, y: y + barHeight * 0.7 }, item.label));
      svg.append(svgEl('rect', { class: 'bar-' + item.colour, x: labelWidth, y: y, height: barHeight, width: Math.max(1, scale(item.value)) }));
      if (item.extent) {
        const mid = y + barHeight / 2;
        svg.append(svgEl('line', { class: 'whisker', x1: labelWidth + scale(item.extent[0]), x2: labelWidth + scale(item.extent[1]), y1: mid, y2: mid }));
      }
      svg.append(svgEl('text', { x: width - valueWidth + 8, y: y + barHeight * 0.7 }, format(item.value)));
    });
    svg.append(svgEl('line', { class: 'axis', x1: labelWidth, x2: labelWidth, y1: 0, y2: items.length * (barHeight + gap) - gap }));
    return svg;
  }

  function charts() {
    const colour = (v) => (v.kind === 'as-written' ? 0 : v.kind === 'einsum' ? 1 : 2);
    const timeItems = variants.map((v) => ({ label: NAMES[v.kind], value: v.timing.medianMs, extent: [v.timing.minMs, v.timing.p90Ms], colour: colour(v) }));
    const flopItems = [report.asWritten, report.optimized].map((v) => ({ label: v.kind === 'as-written' ? 'as written' : 'optimized', value: Number(v.flops), colour: colour(v) }));
    const toggle = el('button', { type: 'button' }, logScale ? 'linear scale' : 'log scale');
    toggle.addEventListener('click', () => {
      logScale = !logScale;
      render();
    });
    return [
      el('div', { class: 'controls' }, toggle),
      el('h2', {}, 'Time per run (bar: median; line: min to p90)'),
      barChart(timeItems, ms),
      el('h2', {}, 'FLOPs'),
      barChart(flopItems, count),
    ];
  }

  function render() {
    root.replaceChildren(...header(), speedups(), el('h2', {}, 'Models'), table(), ...charts());
  }
  render();
})();

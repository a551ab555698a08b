// einsight measure panel: progress while a measurement runs, then its result (the headline, the
// measurement in the site's own library, onnxruntime's), or the error with "Open setting".
// The state comes in #measure's data-state attribute and then as messages from the extension.
// No inline code, no network: it runs under the panel's strict CSP.
(function () {
  'use strict';
  const root = document.getElementById('measure');
  const vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : null;
  const SVG = 'http://www.w3.org/2000/svg';
  const ONNX_NAMES = { 'as-written': 'as written (one Einsum node)', einsum: 'optimized, pairwise Einsum', matmul: 'optimized, matrix products' };
  let logScale = false;
  let state = JSON.parse(root.dataset.state);

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    for (const child of [].concat(children === undefined ? [] : children)) node.append(child);
    return node;
  }
  function svgEl(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  // Durations as the CLI's text report writes them (server/src/measure/summary.ts).
  function duration(ms) {
    if (ms >= 1000) return (ms / 1000).toFixed(ms >= 10000 ? 1 : 2) + ' s';
    if (ms >= 100) return ms.toFixed(0) + ' ms';
    if (ms >= 10) return ms.toFixed(1) + ' ms';
    if (ms >= 1) return ms.toFixed(2) + ' ms';
    const us = ms * 1000;
    return (us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us.toFixed(2)) + ' µs';
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
  function spread(t) {
    return duration(t.minMs) + ' – ' + duration(t.p90Ms);
  }
  function settingButton(setting) {
    const button = el('button', { type: 'button', class: 'primary' }, 'Open setting');
    button.addEventListener('click', () => vscode && vscode.postMessage({ type: 'openSetting', setting: setting }));
    return button;
  }
  function notice(text, setting, warn) {
    return el('div', { class: warn ? 'notice warn' : 'notice' }, [el('span', {}, text)].concat(setting ? [' ', settingButton(setting)] : []));
  }
  function table(head, rows, chosen) {
    const header = el('tr', {}, head.map((h, i) => el('th', { class: i === 0 || i === head.length - 1 ? 'text' : 'num' }, h)));
    const body = rows.map((cells, r) =>
      el('tr', { class: r === chosen ? 'chosen' : '' }, cells.map((c, i) => el('td', { class: i === 0 || i === cells.length - 1 ? 'text' : 'num' }, c))),
    );
    return el('table', {}, [header].concat(body));
  }

  function where(report) {
    const s = report.source;
    if (!s) return 'an equation given on the command line';
    const file = s.file.split(/[\\/]/).pop();
    return file + ', line ' + s.line + (s.chain === null ? '' : ' (the chain of calls it belongs to)');
  }

  function header(report) {
    const parts = [el('h1', {}, report.equation), el('p', { class: 'meta' }, where(report)), el('div', { class: 'headline' }, report.headline)];
    if (report.explanation) parts.push(el('p', { class: 'explanation' }, report.explanation));
    return parts;
  }

  function numpyHow(p) {
    if (!p) return '';
    if (p.searches === 0 && p.givenPaths === 0 && p.loops === 1) return 'one loop over all ' + p.mostOperandsInOneLoop + ' operands, no path';
    const search = p.searches > 0 ? 'searches a path each call; ' : p.givenPaths > 0 ? 'follows the given path; ' : '';
    return search + p.loops + ' loop' + (p.loops === 1 ? '' : 's') + ' of at most ' + p.mostOperandsInOneLoop + ' operands';
  }

  function nativeSection(n) {
    if (n.status !== 'measured') {
      const what = n.status === 'skipped' ? 'Not measured in the library' : 'Not measured in the library: ';
      return [el('h2', {}, 'In your library'), notice(n.status === 'skipped' ? what : what + n.reason, n.setting, n.status !== 'skipped')];
    }
    const lib = n.library.name + ' ' + n.library.version;
    const device = n.device.kind === 'cpu' ? 'CPU' : n.device.kind.toUpperCase() + ' (' + n.device.name + ')';
    const oe = n.library.optEinsum ? (n.library.optEinsum.enabled ? ', opt_einsum in use' : n.library.optEinsum.available ? ', opt_einsum disabled' : ', without opt_einsum') : '';
    const forms = [['as written', n.asWritten]].concat(n.rewritten ? [['optimized', n.rewritten]] : []);
    const rows = forms.map(([name, f]) =>
      f.timing
        ? [name, duration(f.timing.medianMs), spread(f.timing), String(f.timing.samplesMs.length), numpyHow(f.numpy) || f.outputDtype + ' [' + f.outputShape.join(', ') + ']']
        : [name, '—', '—', '0', 'cannot run: ' + f.error],
    );
    const parts = [
      el('h2', {}, 'In your library: ' + lib),
      el('p', { class: 'meta' }, (n.language === 'python' ? 'Python ' : 'Node ') + n.runtimeVersion + ' · ' + device + (n.library.backend ? ', ' + n.library.backend + ' backend' : '') + oe + ' · ' + n.dtype + (n.dtypeSource === 'requested' ? '' : ' (the library’s default)') + ' · ' + n.warmup + ' warm-up, then at least ' + n.minRuns + ' runs each, in turns'),
      table(['', 'median', 'fastest – slowest 10%', 'runs', 'how it ran'], rows, n.rewritten ? 1 : -1),
    ];
    if (n.device.message) parts.push(notice(n.device.message, null, false));
    if (n.rewritten) parts.push(el('p', { class: 'meta' }, 'Optimized is the code of the quick fix: ' + n.rewritten.fixes.map((f) => f.title).join('; ') + '.'));
    else parts.push(el('p', { class: 'meta' }, 'Not rewritten: ' + n.withheld + '.'));
    if (n.agreement && !n.agreement.agree) parts.push(notice('The results differ, so no speedup is claimed: ' + n.agreement.why + '.', null, true));
    return parts;
  }

  function onnxSection(o) {
    if (o.status !== 'measured') return [el('h2', {}, 'On onnxruntime'), notice('Not measured on onnxruntime: ' + o.reason, o.setting, o.status !== 'skipped')];
    const variants = [o.asWritten].concat(o.candidates);
    const rows = variants.map((v) => [ONNX_NAMES[v.kind], duration(v.timing.medianMs), spread(v.timing), count(v.flops), v.kind === 'as-written' ? '' : v.agrees ? (v === o.optimized || v.kind === o.optimized.kind ? 'fastest' : '') : 'differs']);
    const chosen = variants.findIndex((v) => v.kind !== 'as-written' && v.kind === o.optimized.kind);
    const parts = [
      el('h2', {}, 'On onnxruntime (the reference runtime)'),
      el('p', { class: 'meta' }, o.ep.used.toUpperCase() + ' · float32 · ' + o.warmup + ' warm-up + ' + o.runs + ' timed runs each · ' + (o.measuredSpeedup === null ? 'no speedup claimed' : times(o.measuredSpeedup) + ' measured, ' + times(o.predictedSpeedup) + ' predicted from its FLOPs')),
      table(['', 'median', 'fastest – slowest 10%', 'FLOPs', ''], rows, chosen),
    ];
    if (o.ep.message) parts.push(notice(o.ep.message, null, true));
    return parts;
  }

  /** Horizontal bars on a scalable SVG (it shrinks with the panel); `extent` draws a min–p90 whisker. */
  function barChart(items, format) {
    const width = 520, labelWidth = 170, barHeight = 20, gap = 8, valueWidth = 90;
    const plot = width - labelWidth - valueWidth;
    const height = items.length * (barHeight + gap);
    const max = Math.max.apply(null, items.map((i) => (i.extent ? i.extent[1] : i.value)));
    const min = Math.min.apply(null, items.map((i) => (i.extent ? i.extent[0] : i.value)).filter((x) => x > 0));
    const scale = (x) => {
      if (!logScale) return (x / max) * plot;
      const low = Math.log10(min) - 0.5;
      return ((Math.log10(Math.max(x, min)) - low) / (Math.log10(max) - low)) * plot;
    };
    const svg = svgEl('svg', { class: 'chart', viewBox: '0 0 ' + width + ' ' + height, role: 'img' });
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
    svg.append(svgEl('line', { class: 'axis', x1: labelWidth, x2: labelWidth, y1: 0, y2: height - gap }));
    return svg;
  }

  function charts(report) {
    const items = [];
    const bar = (label, t, colour) => items.push({ label: label, value: t.medianMs, extent: [t.minMs, t.p90Ms], colour: colour });
    const n = report.native;
    if (n.status === 'measured') {
      if (n.asWritten.timing) bar(n.library.name + ', as written', n.asWritten.timing, 0);
      if (n.rewritten && n.rewritten.timing) bar(n.library.name + ', optimized', n.rewritten.timing, 1);
    }
    const o = report.onnxruntime;
    if (o.status === 'measured') {
      bar('onnxruntime, as written', o.asWritten.timing, 0);
      bar('onnxruntime, optimized', o.optimized.timing, 2);
    }
    if (items.length === 0) return [];
    const toggle = el('button', { type: 'button' }, logScale ? 'linear scale' : 'log scale');
    toggle.addEventListener('click', () => {
      logScale = !logScale;
      render();
    });
    return [el('h2', {}, 'Time per run'), el('p', { class: 'meta' }, 'Bar: median; line: fastest to slowest 10%.'), el('div', { class: 'controls' }, toggle), barChart(items, duration)];
  }

  function progress(p) {
    const bar = el('progress', { max: '100', value: String(Math.round(100 * (p.fraction || 0))) });
    return [el('h1', {}, p.title), el('p', { class: 'meta' }, p.message || 'starting…'), bar];
  }

  function render() {
    if (state.kind === 'progress') root.replaceChildren(...progress(state));
    else if (state.kind === 'error') root.replaceChildren(el('h1', {}, state.title), notice(state.message, state.setting, true));
    else {
      const r = state.report;
      root.replaceChildren(...header(r), ...nativeSection(r.native), ...onnxSection(r.onnxruntime), ...charts(r));
    }
  }

  if (typeof window !== 'undefined') {
    window.addEventListener('message', (event) => {
      state = event.data;
      render();
    });
  }
  render();
})();

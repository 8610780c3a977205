// factledger report: filters, search, link targets and, for a large corpus, the tables kept in
// the compressed data block. Vanilla JS, no network, never parses HTML: every text written here
// goes through textContent, so data can never become markup.
(function () {
  "use strict";
  var doc = document;
  var root = doc.documentElement;
  var dataEl = doc.getElementById("report-data");
  var data = dataEl ? JSON.parse(dataEl.textContent) : {};
  var rows = Array.prototype.slice.call(doc.querySelectorAll("[data-finding-id]"));
  var form = doc.getElementById("filters");
  var count = doc.getElementById("visible-count");
  var none = doc.getElementById("no-match");
  var folded = {};
  // Control characters (terminal controls, invisible direction marks like U+202E): shown as a
  // tag, as the server does; the pattern is formatting.CONTROLS, passed in the page's data.
  var CONTROLS = new RegExp(data.controls || "[\\u202a-\\u202e\\u2066-\\u2069]", "g");

  // ------------------------------------------------------------------ filters and search

  // The folding the server applies to what it compares: NFKC (full-width → half-width), lower
  // case, whitespace collapsed, plus a copy without spaces (a CJK quote split by a space).
  function fold(s) {
    return (s || "").normalize("NFKC").toLowerCase().replace(/\s+/g, " ");
  }

  function textOf(row) {
    var id = row.dataset.findingId;
    if (!(id in folded)) {
      var t = fold(row.textContent);
      folded[id] = t + " " + t.replace(/ /g, "");
    }
    return folded[id];
  }

  function has(list, value) {
    return (list || "").split(" ").indexOf(value) >= 0;
  }

  function apply() {
    if (!form) return;
    var sev = form.elements.severity.value;
    var status = form.elements.status.value;
    var kind = form.elements.kind.value;
    var entity = form.elements.entity.value;
    var source = form.elements.source.value;
    var terms = fold(form.elements.q.value).split(" ").filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var d = row.dataset;
      var ok =
        (!sev || d.severity === sev) &&
        (!status || d.status === status) &&
        (!kind || d.kind === kind) &&
        (!entity || has(d.entities, entity)) &&
        (!source || has(d.sources, source)) &&
        (!terms.length || terms.every(function (t) { return textOf(row).indexOf(t) >= 0; }));
      row.hidden = !ok;
      if (ok) shown += 1;
    });
    if (count) count.textContent = shown + " of " + rows.length + " findings shown";
    if (none) none.hidden = shown !== 0 || rows.length === 0;
  }

  if (form) {
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    // the reset event fires before the fields are cleared
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    var toggle = doc.getElementById("toggle-all");
    if (toggle) {
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-pressed") !== "true";
        rows.forEach(function (row) {
          if (row.hidden) return;
          row.querySelectorAll("details.more, details.more-facts").forEach(function (d) {
            d.open = open;
          });
        });
        toggle.setAttribute("aria-pressed", open ? "true" : "false");
        toggle.textContent = open ? "Collapse all" : "Expand all";
      });
    }
  }

  // The sticky bar's real height: anchors land below it (CSS scroll-padding-top reads it).
  function measure() {
    if (form) root.style.setProperty("--bar-h", form.offsetHeight + "px");
  }
  window.addEventListener("resize", measure);

  // ------------------------------------------------------------------ building elements

  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) put(e, String(text));
    return e;
  }

  // Text into an element, invisible direction controls made visible as a red U+XXXX tag.
  function put(parent, text) {
    var last = 0;
    text.replace(CONTROLS, function (ch, at) {
      if (at > last) parent.appendChild(doc.createTextNode(text.slice(last, at)));
      var tag = el("span", "ctl");
      tag.title = "invisible control character";
      tag.textContent = "U+" + ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
      parent.appendChild(tag);
      last = at + ch.length;
      return ch;
    });
    if (last < text.length) parent.appendChild(doc.createTextNode(text.slice(last)));
    return parent;
  }

  function cell(tr, text, cls) {
    var td = el("td", cls ? cls + " data" : "data", text);
    tr.appendChild(td);
    return td;
  }

  function table(headers, cls) {
    var t = el("table", cls);
    var tr = el("tr");
    headers.forEach(function (h) { tr.appendChild(el("th", null, h)); });
    t.appendChild(el("thead")).appendChild(tr);
    t.appendChild(el("tbody"));
    return t;
  }

  // A table a page at a time: draw(row) → <tr>; the pager says where the reader is.
  function paged(container, list, size, headers, cls, draw) {
    var page = 0;
    var pages = Math.max(1, Math.ceil(list.length / size));
    var t = table(headers, cls);
    var nav = el("div", "pager");
    var prev = el("button", null, "← previous");
    var next = el("button", null, "next →");
    var where = el("span");
    prev.type = next.type = "button";
    nav.appendChild(prev);
    nav.appendChild(where);
    nav.appendChild(next);
    function show() {
      var body = t.tBodies[0];
      while (body.firstChild) body.removeChild(body.firstChild);
      list.slice(page * size, (page + 1) * size).forEach(function (row) { body.appendChild(draw(row)); });
      where.textContent = "rows " + (list.length ? page * size + 1 : 0) + "–" +
        Math.min(list.length, (page + 1) * size) + " of " + list.length;
      prev.disabled = page === 0;
      next.disabled = page >= pages - 1;
    }
    prev.addEventListener("click", function () { page -= 1; show(); });
    next.addEventListener("click", function () { page += 1; show(); });
    while (container.firstChild) container.removeChild(container.firstChild);
    if (pages > 1) container.appendChild(nav);
    container.appendChild(t);
    show();
  }

  // ------------------------------------------------------------------ the data block

  var FACT_COLUMNS = ["id", "entity", "metric", "period", "range", "value", "hedge", "read",
    "kind", "where", "anchor"];
  var RESULT_COLUMNS = ["ok", "severity", "verdict", "id", "message", "where", "facts"];
  var AGREEMENT_COLUMNS = ["subject", "period", "agreed", "sources", "said"];

  function rowsOf(cols, names) {
    var n = cols[names[0]].length, out = new Array(n);
    for (var i = 0; i < n; i += 1) {
      var r = new Array(names.length);
      for (var k = 0; k < names.length; k += 1) r[k] = cols[names[k]][i];
      out[i] = r;
    }
    return out;
  }

  var packed = null;
  function archive() {
    if (packed) return packed;
    var node = doc.getElementById("report-archive");
    var text = node ? node.textContent.trim() : "";
    if (!text) {
      packed = Promise.resolve(null);
    } else if (typeof DecompressionStream === "undefined") {
      packed = Promise.reject(new Error("this browser cannot unpack the report's data block"));
    } else {
      var bin = atob(text);
      var bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i += 1) bytes[i] = bin.charCodeAt(i);
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      packed = new Response(stream).text().then(JSON.parse).then(function (A) {
        // the block is stored column by column (archive.py): back to rows
        A.facts = rowsOf(A.facts, FACT_COLUMNS);
        Object.keys(A.results).forEach(function (kind) {
          A.results[kind] = rowsOf(A.results[kind], RESULT_COLUMNS).map(function (r) {
            var first = typeof r[6][0] === "number" ? A.facts[r[6][0]] : null;
            if (r[3] === 0) r[3] = kind + ":" + (first ? first[0] : "");
            else if (Array.isArray(r[3])) r[3] = r[3][0];
            else r[3] = kind + ":" + r[3];
            return r;
          });
        });
        A.agreements = rowsOf(A.agreements, AGREEMENT_COLUMNS);
        A.sourceOf = [];
        A.byAnchor = {};
        A.sources.forEach(function (s, si) {
          s.facts.forEach(function (fi) {
            A.sourceOf[fi] = si;
            // a fact in its source's own file is stored with its line alone
            if (s.file && typeof A.facts[fi][9] === "number") A.facts[fi][9] = s.file + ":" + A.facts[fi][9];
          });
          // spans are stored as flat [start − previous start, length, bits] triples
          var spans = [], at = 0;
          for (var k = 0; k < s.spans.length; k += 3) {
            at += s.spans[k];
            spans.push([at, at + s.spans[k + 1], s.spans[k + 2]]);
          }
          s.spans = spans;
        });
        Object.keys(A.results).forEach(function (kind) {
          A.results[kind].forEach(function (r) {
            if (r[5] === 0) r[5] = typeof r[6][0] === "number" ? A.facts[r[6][0]][9] : "";
          });
        });
        A.facts.forEach(function (f, fi) { A.byAnchor[f[10] || "fact-" + f[0]] = fi; });
        return A;
      });
    }
    return packed;
  }

  function failed(container) {
    return function (err) {
      while (container.firstChild) container.removeChild(container.firstChild);
      container.appendChild(el("p", "warn-text", "Cannot show this part: " + err.message +
        ". Every fact and result is in discrepancies.json."));
    };
  }

  function factLink(A, ref) {
    if (typeof ref !== "number" || ref < 0 || !A.facts[ref]) return el("span", "data", ref);
    var f = A.facts[ref];
    var a = el("a", null, f[0]);
    a.href = "#" + encodeURIComponent(f[10] || "fact-" + f[0]);
    return a;
  }

  var QUOTE = 1, VALUE = 2, UNCOVERED = 4;

  function article(text, spans) {
    var bits = new Uint8Array(text.length);
    spans.forEach(function (s) {
      for (var i = s[0]; i < s[1] && i < text.length; i += 1) bits[i] |= s[2];
    });
    var box = el("div", "article data");
    var start = 0;
    for (var i = 1; i <= text.length; i += 1) {
      if (i < text.length && bits[i] === bits[start]) continue;
      var piece = text.slice(start, i), b = bits[start], node;
      if (b & (VALUE | UNCOVERED)) {
        node = el("mark", ((b & VALUE) ? "v" : "") + ((b & UNCOVERED) ? " u" : "") + ((b & QUOTE) ? " q" : ""), piece);
      } else if (b & QUOTE) {
        node = el("span", "q", piece);
      } else {
        node = put(doc.createDocumentFragment(), piece);
      }
      box.appendChild(node);
      start = i;
    }
    return box;
  }

  function renderSource(details, A) {
    var body = details.querySelector(".source-body");
    if (!body || body.dataset.done) return;
    body.dataset.done = "1";
    var s = A.sources[+details.dataset.sourceIndex];
    while (body.firstChild) body.removeChild(body.firstChild);
    var dl = el("dl", "fields");
    ["Source id", "File", "Published", "Basis", "Language", "Curation", "Address"].forEach(function (label, k) {
      if (!s.fields[k]) return;
      dl.appendChild(el("dt", null, label));
      dl.appendChild(el("dd", "data", s.fields[k]));
    });
    body.appendChild(dl);
    var c = s.coverage;
    body.appendChild(c
      ? el("p", null, "Coverage: " + c[0] + " numeric mentions, " + c[1] + " covered by facts, " +
          c[2] + " ignored, " + c[3] + " uncovered.")
      : el("p", "empty", "Coverage not measured."));
    if (!s.facts.length) body.appendChild(el("p", "empty", "No facts recorded for this source."));
    else {
      var t = table(["Fact", "Entity", "Metric", "Period", "Value", "Read as", "Kind", "File"], "facts");
      s.facts.forEach(function (fi) {
        var f = A.facts[fi];
        var tr = el("tr");
        tr.id = f[10] || "fact-" + f[0];
        tr.appendChild(el("td")).appendChild(el("code", "data", f[0]));
        cell(tr, f[1]);
        cell(tr, f[2]);
        cell(tr, f[3]).title = f[4];
        var v = cell(tr, "");
        v.appendChild(el("span", "value", f[5]));
        if (f[6]) put(v, " (hedge " + f[6] + ")");
        cell(tr, f[7]);
        cell(tr, f[8], "nowrap");
        cell(tr, f[9], "mono");
        t.tBodies[0].appendChild(tr);
      });
      body.appendChild(t);
    }
    var d = el("details", "group");
    var sum = el("summary", null, "Article text (quotes underlined, values marked, uncovered mentions red)");
    d.appendChild(sum);
    d.appendChild(article(s.text, s.spans));
    body.appendChild(d);
  }

  function renderResults(container, A) {
    if (container.dataset.done) return;
    container.dataset.done = "1";
    var list = A.results[container.dataset.kind] || [];
    paged(container, list, 100, ["", "Severity", "Verdict", "Result", "Message", "File", "Facts"], "results", function (r) {
      var tr = el("tr");
      tr.appendChild(el("td", r[0] ? "pass" : "fail", r[0] ? "✓" : "✗"));
      tr.appendChild(el("td", null, r[1]));
      tr.appendChild(el("td", null, r[2]));
      tr.appendChild(el("td")).appendChild(el("code", "data", r[3]));
      cell(tr, r[4]);
      cell(tr, r[5], "mono");
      var facts = cell(tr, "");
      r[6].forEach(function (ref, k) {
        if (k) facts.appendChild(doc.createTextNode(", "));
        facts.appendChild(factLink(A, ref));
      });
      return tr;
    });
  }

  function renderAgreements(container, A) {
    if (container.dataset.done) return;
    container.dataset.done = "1";
    paged(container, A.agreements, 50, ["Figure", "Period", "Agreed value", "Sources", "What each says"], "agreements", function (a) {
      var tr = el("tr");
      cell(tr, a[0]);
      cell(tr, a[1], "nowrap");
      cell(tr, a[2], "agreed");
      tr.appendChild(el("td", "num", a[3]));
      var said = cell(tr, "");
      a[4].forEach(function (s, k) {
        if (k) said.appendChild(doc.createTextNode(" · "));
        var link = factLink(A, s[2]);
        while (link.firstChild) link.removeChild(link.firstChild);
        link.appendChild(el("span", "outlet", s[0]));
        put(link, " " + s[1]);
        said.appendChild(link);
      });
      return tr;
    });
  }

  function whenOpened(details) {
    var body = details.querySelector(":scope > .source-body, :scope > .paged");
    if (!body || body.dataset.done) return Promise.resolve();
    return archive().then(function (A) {
      if (!A) return;
      if (details.matches("details.source")) renderSource(details, A);
      else renderResults(body, A);
    }, failed(body));
  }

  // details do not bubble "toggle"; a capturing listener sees every one
  doc.addEventListener("toggle", function (e) {
    var d = e.target;
    if (d.tagName === "DETAILS" && d.open) whenOpened(d);
  }, true);

  // ------------------------------------------------------------------ link targets

  function openAncestors(node) {
    for (var p = node.parentElement; p; p = p.parentElement) {
      if (p.tagName === "DETAILS") p.open = true;
    }
  }

  // A link to a fact or finding inside a collapsed <details> opens its ancestors first; a fact
  // of a large corpus is drawn from the data block first.
  function reveal() {
    var id;
    try {
      id = decodeURIComponent(window.location.hash.slice(1));
    } catch (e) {
      return;
    }
    if (!id) return;
    var node = doc.getElementById(id);
    if (!node && data.paged && id.indexOf("fact-") === 0) {
      archive().then(function (A) {
        var fi = A ? A.byAnchor[id] : undefined;
        if (fi === undefined) return;
        var details = doc.querySelector('details.source[data-source-index="' + A.sourceOf[fi] + '"]');
        if (!details) return;
        renderSource(details, A);
        details.open = true;
        var row = doc.getElementById(id);
        if (row) row.scrollIntoView();
      });
      return;
    }
    if (!node) return;
    openAncestors(node);
    if (node.hidden && form) {
      form.reset();
      window.setTimeout(function () { node.scrollIntoView(); }, 0);
      return;
    }
    node.scrollIntoView();
  }
  window.addEventListener("hashchange", reveal);

  measure();
  apply();
  reveal();
  // the findings, their facts and the charts are in place: tests and tools wait for this (its
  // value: milliseconds since the navigation started, which benchmarks/report_size.py reads)
  root.setAttribute("data-ready", String(Math.round(performance.now())));
  var agreed = doc.querySelector('[data-paged="agreements"]');
  if (agreed) archive().then(function (A) { if (A) renderAgreements(agreed, A); }, failed(agreed));
})();

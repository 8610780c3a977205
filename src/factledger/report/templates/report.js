// factledger report: filters, search and link targets. Vanilla JS, no network, never parses HTML:
// every text written here goes through textContent, so data can never become markup.
(function () {
  "use strict";
  var dataEl = document.getElementById("report-data");
  var data = dataEl ? JSON.parse(dataEl.textContent) : { search: {} };
  var index = data.search || {};
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-finding-id]"));
  var form = document.getElementById("filters");
  var count = document.getElementById("visible-count");
  var none = document.getElementById("no-match");

  // The same folding the server applied to the index: NFKC (full-width → half-width), lower case.
  function fold(s) {
    return (s || "").normalize("NFKC").toLowerCase();
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
    var terms = fold(form.elements.q.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var d = row.dataset;
      var text = index[d.findingId] || fold(row.textContent);
      var ok =
        (!sev || d.severity === sev) &&
        (!status || d.status === status) &&
        (!kind || d.kind === kind) &&
        (!entity || has(d.entities, entity)) &&
        (!source || has(d.sources, source)) &&
        terms.every(function (t) { return text.indexOf(t) >= 0; });
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
    var toggle = document.getElementById("toggle-all");
    if (toggle) {
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-pressed") !== "true";
        rows.forEach(function (row) {
          if (row.hidden) return;
          var d = row.querySelector("details.more");
          if (d) d.open = open;
        });
        toggle.setAttribute("aria-pressed", open ? "true" : "false");
        toggle.textContent = open ? "Collapse all" : "Expand all";
      });
    }
  }

  // A link to a fact or finding inside a collapsed <details> opens its ancestors first.
  function reveal() {
    var id;
    try {
      id = decodeURIComponent(window.location.hash.slice(1));
    } catch (e) {
      return;
    }
    if (!id) return;
    var el = document.getElementById(id);
    if (!el) return;
    for (var p = el.parentElement; p; p = p.parentElement) {
      if (p.tagName === "DETAILS") p.open = true;
    }
    if (el.hidden && form) {
      form.reset();
      window.setTimeout(function () { el.scrollIntoView(); }, 0);
      return;
    }
    el.scrollIntoView();
  }
  window.addEventListener("hashchange", reveal);
  apply();
  reveal();
})();

// The reports explorer (/reports): builds the GDS URL of the chosen report, key and query, fetches it
// with the session cookie (same origin, oDesk JSON envelope), and shows the answer as a sortable table,
// a Chart.js chart and download links. The page's URL holds the form (report, key, hours, dates, query,
// chart), so a bookmark or a shared link runs the same query again.
"use strict";

(() => {
  const catalog = JSON.parse(document.getElementById("report-catalog").textContent);
  const reports = new Map(catalog.reports.map((report) => [report.id, report]));
  const $ = (id) => document.getElementById(id);
  const form = $("report-form");
  const reportSelect = $("report");
  const keySelect = $("key");
  const hours = $("hours");
  const fromInput = $("from");
  const toInput = $("to");
  const exampleSelect = $("example");
  const tq = $("tq");
  const chartSelect = $("chart");
  const errorBox = $("query-error");
  const results = $("results");
  const status = $("result-status");
  const table = $("result-table");
  const gdsUrl = $("gds-url");
  // Colours that stay apart for colour-blind readers (Okabe and Ito), all dark enough on white.
  const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8C6D31"];
  let chart = null;
  let answer = null; // {cols, rows} of the last successful run
  let sort = { column: -1, descending: false };

  const currentReport = () => reports.get(reportSelect.value);

  // --- the form --------------------------------------------------------------------------------

  function fillKeys(report, wanted) {
    keySelect.replaceChildren();
    for (const key of report.keys) keySelect.add(new Option(key.label, key.path));
    if (wanted && !report.keys.some((key) => key.path === wanted)) {
      // A key from a link that is not among those the person may read: it runs, and the report answers.
      keySelect.add(new Option(`${wanted} (from the link)`, wanted));
    }
    if (!keySelect.options.length) keySelect.add(new Option("None you may read", ""));
    if (wanted) keySelect.value = wanted;
    $("hours-field").hidden = !report.hoursFields.length;
  }

  function fillFields(report) {
    const fields = hours.checked && report.hoursFields.length ? report.hoursFields : report.fields;
    const list = $("fields");
    list.replaceChildren();
    for (const field of fields) {
      const item = document.createElement("li");
      const name = document.createElement("code");
      name.textContent = field.name;
      const type = document.createElement("span");
      type.className = "field-type";
      type.textContent = ` ${field.type}`;
      item.append(name, type, field.description ? `: ${field.description}` : "");
      list.append(item);
    }
    $("report-note").textContent = report.note || "";
  }

  function fillExamples(report) {
    exampleSelect.replaceChildren(new Option("Choose an example…", ""));
    report.examples.forEach((example, index) => exampleSelect.add(new Option(example.name, String(index))));
  }

  function chooseReport(keepQuery, wantedKey) {
    const report = currentReport();
    fillKeys(report, wantedKey);
    fillExamples(report);
    fillFields(report);
    if (!keepQuery && report.examples.length) useExample(report.examples[0]);
  }

  function useExample(example) {
    tq.value = withDates(example.tq, currentReport().dateField);
    chartSelect.value = example.chart;
  }

  // --- the date range, written into the query ---------------------------------------------------

  const CLAUSES = ["where", "group by", "pivot", "order by", "limit", "offset", "label", "format", "options"];

  // The top-level clause keywords of a query (outside quotes and parentheses), with their offsets.
  function clauses(query) {
    const found = [];
    let depth = 0;
    for (let i = 0; i < query.length; i += 1) {
      const char = query[i];
      if (char === "'" || char === '"' || char === "`") {
        const end = query.indexOf(char, i + 1);
        i = end < 0 ? query.length : end;
      } else if (char === "(") depth += 1;
      else if (char === ")") depth -= 1;
      else if (depth === 0 && /[a-z]/i.test(char) && (i === 0 || !/[\w]/.test(query[i - 1]))) {
        const rest = query.slice(i).toLowerCase();
        for (const clause of CLAUSES) {
          const pattern = new RegExp(`^${clause.replace(" ", "\\s+")}(?![\\w])`);
          const match = rest.match(pattern);
          if (match) {
            found.push({ clause, start: i, end: i + match[0].length });
            break;
          }
        }
      }
    }
    return found;
  }

  function withDates(query, field) {
    const from = fromInput.value;
    const to = toInput.value;
    const escaped = field.replace(/[^\w]/g, "\\$&");
    const low = new RegExp(`(\\b${escaped}\\s*>=\\s*')(\\d{4}-\\d{2}-\\d{2})(')`, "i");
    const high = new RegExp(`(\\b${escaped}\\s*<=\\s*')(\\d{4}-\\d{2}-\\d{2})(')`, "i");
    if (low.test(query) || high.test(query)) {
      let changed = query;
      if (from) changed = changed.replace(low, `$1${from}$3`);
      if (to) changed = changed.replace(high, `$1${to}$3`);
      return changed;
    }
    const condition = [from && `${field} >= '${from}'`, to && `${field} <= '${to}'`].filter(Boolean).join(" AND ");
    if (!condition) return query;
    const found = clauses(query);
    const where = found.find((item) => item.clause === "where");
    if (where) {
      const next = found.find((item) => item.start > where.start);
      const end = next ? next.start : query.length;
      const existing = query.slice(where.end, end).trim();
      return `${query.slice(0, where.end)} ${condition} AND (${existing})${next ? " " : ""}${query.slice(end)}`;
    }
    const next = found[0];
    if (!next) return `${query.trimEnd()} WHERE ${condition}`;
    return `${query.slice(0, next.start)}WHERE ${condition} ${query.slice(next.start)}`;
  }

  // --- the GDS URL -----------------------------------------------------------------------------

  function reportPath() {
    const report = currentReport();
    const key = keySelect.value;
    // The key must have the report's shape: segments of the pattern, each one a single path segment.
    const shape = new RegExp(
      `^${report.pattern.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[a-z_]+\}/g, "[^/?#]+")}$`,
    );
    if (!key || !shape.test(key) || key.split("/").some((part) => part === "." || part === "..")) return null;
    // Colons stay as typed (acme:engineering): they are allowed in a path and easier to read.
    const encoded = key
      .split("/")
      .map((part) => encodeURIComponent(part).replace(/%3A/gi, ":"))
      .join("/");
    return `${report.base}/${encoded}${hours.checked && report.hoursFields.length ? "/hours" : ""}`;
  }

  function gdsUrlFor(out) {
    const path = reportPath();
    if (!path) return null;
    const params = new URLSearchParams({ tq: tq.value });
    if (out) params.set("tqx", `out:${out}`);
    return `${path}?${params}`;
  }

  // --- running ---------------------------------------------------------------------------------

  function pageParams() {
    const params = new URLSearchParams();
    params.set("report", reportSelect.value);
    if (keySelect.value) params.set("key", keySelect.value);
    if (hours.checked) params.set("hours", "1");
    if (fromInput.value) params.set("from", fromInput.value);
    if (toInput.value) params.set("to", toInput.value);
    params.set("tq", tq.value);
    params.set("chart", chartSelect.value);
    return params;
  }

  function showError(message) {
    errorBox.replaceChildren();
    const text = document.createElement("p");
    text.textContent = message;
    errorBox.append(text);
    const position = /at position (\d+)/.exec(message);
    if (position) {
      const offset = Math.min(Number(position[1]), tq.value.length);
      const before = tq.value.slice(0, offset);
      const lineStart = before.lastIndexOf("\n") + 1;
      const lineEnd = tq.value.indexOf("\n", offset);
      const line = tq.value.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
      const lineNumber = before.split("\n").length;
      const column = offset - lineStart;
      const where = document.createElement("p");
      where.textContent = `Line ${lineNumber}, column ${column + 1} of the query:`;
      const caret = document.createElement("pre");
      caret.className = "query-caret";
      caret.id = "query-caret";
      caret.textContent = `${line}\n${" ".repeat(column)}^`;
      errorBox.append(where, caret);
      tq.setSelectionRange(offset, Math.min(offset + 1, tq.value.length));
    }
    errorBox.hidden = false;
    tq.setAttribute("aria-invalid", "true");
    tq.setAttribute("aria-describedby", "tq-help query-error");
  }

  function clearError() {
    errorBox.hidden = true;
    errorBox.replaceChildren();
    tq.removeAttribute("aria-invalid");
    tq.setAttribute("aria-describedby", "tq-help");
  }

  async function run() {
    clearError();
    const url = gdsUrlFor("json");
    if (!url) {
      results.hidden = true;
      showError("Choose what the report is about: you may read none of this kind.");
      return;
    }
    status.textContent = "Running…";
    $("run").disabled = true;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      let body = null;
      try {
        body = await response.json();
      } catch (_error) {
        body = null;
      }
      if (!response.ok || !body || !body.table) {
        const message =
          (body && body.errors && body.errors[0] && body.errors[0].message) ||
          (body && body.error && body.error.message) ||
          `The server answered ${response.status}`;
        results.hidden = true;
        if (response.status === 401) {
          showError(`${message}. Reload the page to sign in again.`);
        } else {
          showError(message);
        }
        status.textContent = "";
        return;
      }
      answer = readTable(body.table);
      sort = { column: -1, descending: false };
      showResults();
    } catch (_error) {
      results.hidden = true;
      showError("The server could not be reached.");
      status.textContent = "";
    } finally {
      $("run").disabled = false;
    }
  }

  // The oDesk envelope's table: every value is text (dates YYYYMMDD, numbers in decimal notation).
  function readTable(table) {
    const cols = table.cols.map((col) => ({ label: col.label, type: col.type }));
    const rows = (table.rows || []).map((row) =>
      row.c.map((cell, index) => {
        const raw = cell && cell.v !== undefined ? cell.v : null;
        if (raw === null || raw === "") return { raw, shown: "", value: null };
        if (cols[index].type === "number") return { raw, shown: raw, value: Number(raw) };
        if (cols[index].type === "date" && /^\d{8}$/.test(raw)) {
          const shown = `${raw.slice(0, 4)}-${raw.slice(4, 6)}-${raw.slice(6, 8)}`;
          return { raw, shown, value: shown };
        }
        return { raw, shown: String(raw), value: String(raw) };
      }),
    );
    return { cols, rows };
  }

  function showResults() {
    results.hidden = false;
    const count = answer.rows.length;
    status.textContent = `${count} row${count === 1 ? "" : "s"}.`;
    $("download-csv").href = gdsUrlFor("csv");
    $("download-tsv").href = gdsUrlFor("tsv-excel");
    $("download-json").href = gdsUrlFor("json");
    gdsUrl.value = new URL(gdsUrlFor(null), window.location.href).href;
    drawTable();
    drawChart();
  }

  function drawTable() {
    const head = table.tHead;
    const body = table.tBodies[0];
    head.replaceChildren();
    body.replaceChildren();
    const headRow = head.insertRow();
    answer.cols.forEach((col, index) => {
      const th = document.createElement("th");
      th.scope = "col";
      if (sort.column === index) th.setAttribute("aria-sort", sort.descending ? "descending" : "ascending");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = col.label;
      button.setAttribute("aria-label", `${col.label}: sort`);
      button.addEventListener("click", () => {
        sort = { column: index, descending: sort.column === index ? !sort.descending : false };
        drawTable();
        head.querySelectorAll("button")[index].focus();
      });
      th.append(button);
      headRow.append(th);
    });
    const rows = sortedRows();
    for (const row of rows) {
      const tr = body.insertRow();
      row.forEach((cell, index) => {
        const td = tr.insertCell();
        td.textContent = cell.shown;
        if (answer.cols[index].type === "number") td.className = "number";
      });
    }
  }

  function sortedRows() {
    if (sort.column < 0) return answer.rows;
    const index = sort.column;
    const direction = sort.descending ? -1 : 1;
    return [...answer.rows].sort((a, b) => {
      const x = a[index].value;
      const y = b[index].value;
      if (x === null && y === null) return 0;
      if (x === null) return 1; // empty cells last, either way
      if (y === null) return -1;
      if (typeof x === "number" && typeof y === "number") return (x - y) * direction;
      return String(x).localeCompare(String(y)) * direction;
    });
  }

  function drawChart() {
    const kind = chartSelect.value;
    const box = $("chart-box");
    if (chart) {
      chart.destroy();
      chart = null;
    }
    const numbers = answer.cols.map((col, index) => index).filter((index) => answer.cols[index].type === "number");
    const labelColumn = answer.cols.findIndex((col) => col.type !== "number");
    if (kind === "table" || !numbers.length || typeof Chart === "undefined") {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    const labels = answer.rows.map((row) => (labelColumn >= 0 ? row[labelColumn].shown : ""));
    const series = kind === "pie" ? numbers.slice(0, 1) : numbers;
    const datasets = series.map((index, n) => ({
      label: answer.cols[index].label,
      data: answer.rows.map((row) => row[index].value),
      borderColor: kind === "pie" ? "#fff" : PALETTE[n % PALETTE.length],
      backgroundColor: kind === "pie" ? labels.map((_, i) => PALETTE[i % PALETTE.length]) : PALETTE[n % PALETTE.length],
      tension: 0.2,
      pointRadius: answer.rows.length > 60 ? 0 : 3,
    }));
    const stacked = kind === "stacked";
    chart = new Chart($("chart-canvas"), {
      type: kind === "stacked" ? "bar" : kind,
      data: { labels, datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: kind === "pie" || datasets.length > 1 } },
        scales:
          kind === "pie" ? {} : { x: { stacked }, y: { stacked, beginAtZero: true } },
      },
    });
    const what = series.map((index) => answer.cols[index].label).join(", ");
    const by = labelColumn >= 0 ? answer.cols[labelColumn].label : "row";
    const caption = `${chartSelect.options[chartSelect.selectedIndex].text}: ${what} by ${by}, ${answer.rows.length} points. The table below holds the same numbers.`;
    $("chart-canvas").setAttribute("aria-label", caption);
    $("chart-caption").textContent = caption;
  }

  // --- events ----------------------------------------------------------------------------------

  reportSelect.addEventListener("change", () => chooseReport(false));
  hours.addEventListener("change", () => fillFields(currentReport()));
  exampleSelect.addEventListener("change", () => {
    const example = currentReport().examples[Number(exampleSelect.value)];
    if (exampleSelect.value !== "" && example) useExample(example);
  });
  for (const input of [fromInput, toInput]) {
    input.addEventListener("change", () => {
      tq.value = withDates(tq.value, currentReport().dateField);
    });
  }
  chartSelect.addEventListener("change", () => {
    if (answer) {
      drawChart();
      history.replaceState(null, "", `?${pageParams()}`);
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    history.pushState(null, "", `?${pageParams()}`);
    run();
  });
  $("copy-url").addEventListener("click", async () => {
    gdsUrl.select();
    try {
      await navigator.clipboard.writeText(gdsUrl.value);
      $("copy-url").textContent = "Copied";
    } catch (_error) {
      $("copy-url").textContent = "Selected: press Ctrl+C";
    }
  });
  window.addEventListener("popstate", () => load());

  // --- the page's URL --------------------------------------------------------------------------

  function load() {
    const params = new URLSearchParams(window.location.search);
    const wanted = params.get("report");
    const first = catalog.reports.find((report) => report.keys.length) || catalog.reports[0];
    reportSelect.value = reports.has(wanted) ? wanted : first.id;
    hours.checked = params.get("hours") === "1";
    if (params.get("from")) fromInput.value = params.get("from");
    if (params.get("to")) toInput.value = params.get("to");
    const query = params.get("tq");
    chooseReport(query !== null, params.get("key"));
    if (query !== null) {
      tq.value = query;
      const chartKind = params.get("chart");
      if ([...chartSelect.options].some((option) => option.value === chartKind)) chartSelect.value = chartKind;
      run();
    }
  }

  load();
})();

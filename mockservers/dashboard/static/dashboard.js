// The dashboard reads and writes only /__admin; every call carries the chosen namespace, and the admin token
// when the page was opened with one (/?token=...: the address keeps it, so a reload works).
"use strict";
const $ = (id) => document.getElementById(id);
const pageQuery = new URLSearchParams(location.search);
const token = pageQuery.get("token");
let namespace = pageQuery.get("namespace") || "default";
const STUDIES_PER_PAGE = 12;
const PALETTE = ["#ff4d4f", "#faad14", "#52c41a", "#1890ff", "#eb2f96", "#13c2c2"];  // thumbnails.py's

function withAuth(headers) {
  return token ? Object.assign({Authorization: `Bearer ${token}`}, headers) : headers;
}

function api(path, options = {}) {
  const headers = withAuth(Object.assign({"X-Mock-Namespace": namespace}, options.headers || {}));
  return fetch(path, Object.assign({}, options, {headers})).then(async (r) => {
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.error || r.statusText);
    return body;
  });
}

function element(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== null && text !== undefined) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

const cell = (text, cls) => element("td", text, cls);

function fill(tableId, rows, toCells) {
  $(tableId).querySelector("tbody").replaceChildren(...rows.map((row) => {
    const tr = document.createElement("tr");
    tr.append(...toCells(row));
    return tr;
  }));
}

// Each panel is drawn again only when what it shows has changed: an expanded row, a selection or a focused
// button survive the live refresh.
const drawn = new Map();

function changed(key, data) {
  const text = JSON.stringify(data);
  if (drawn.get(key) === text) return false;
  drawn.set(key, text);
  return true;
}

const when = (t) => (t ? new Date(t * 1000).toISOString().replace("T", " ").slice(0, 19) : "");

// ---- tabs (WAI-ARIA tabs: arrow keys move between them; the address's #name keeps the one shown)

const tabs = [...document.querySelectorAll("[role=tab]")];
const tabName = (tab) => tab.id.slice("tab-".length);

function selectTab(name, focus = false) {
  const chosen = tabs.find((t) => tabName(t) === name) || tabs[0];
  for (const tab of tabs) {
    const selected = tab === chosen;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(tab.getAttribute("aria-controls")).hidden = !selected;
  }
  if (focus) chosen.focus();
  if (location.hash !== `#${tabName(chosen)}`) history.replaceState(null, "", `#${tabName(chosen)}`);
  return loadPanel(tabName(chosen));
}

const shownTab = () => tabName(tabs.find((t) => t.getAttribute("aria-selected") === "true") || tabs[0]);

tabs.forEach((tab, index) => {
  tab.onclick = () => selectTab(tabName(tab));
  tab.onkeydown = (e) => {
    const step = {ArrowRight: 1, ArrowLeft: -1}[e.key];
    if (step) selectTab(tabName(tabs[(index + step + tabs.length) % tabs.length]), true);
  };
});

// ---- header

async function loadHeader() {
  const [spaces, clock] = await Promise.all([api("/__admin/namespaces"), api("/__admin/clock")]);
  const select = $("namespace");
  if (!spaces.namespaces.includes(namespace)) spaces.namespaces.push(namespace);
  if (changed("namespaces", spaces.namespaces))
    select.replaceChildren(...spaces.namespaces.map((n) => new Option(n, n, false, n === namespace)));
  $("clock").textContent = `${clock.mode} clock: ${clock.iso}`;
  $("advance-form").hidden = clock.mode !== "virtual";
}

let vendorsListed = null;

function vendors() {
  vendorsListed = vendorsListed || api("/__admin/vendors").then((listing) => listing.vendors)
    .catch((e) => { vendorsListed = null; throw e; });
  return vendorsListed;
}

async function loadVendors() {
  const listed = await vendors();
  fill("vendors", listed, (v) => {
    const docs = document.createElement("td");
    if (v.openapi) {
      const link = element("a", "OpenAPI");
      link.href = `/${v.key}/docs`;
      docs.append(link);
    } else {
      docs.textContent = "DICOMweb";
    }
    return [cell(v.key), cell(`${location.origin}${v.base_path}`, "path"), docs];
  });
}

// ---- studies

let studiesPage = 0;

// An <img src> cannot send the token: thumbnails are fetched, once per URL, and shown from the blob.
const thumbnails = new Map();

function thumbnail(url) {
  if (!thumbnails.has(url)) {
    thumbnails.set(url, fetch(url, {headers: withAuth({})})
      .then((r) => (r.ok ? r.blob() : Promise.reject(new Error(r.statusText))))
      .then((blob) => URL.createObjectURL(blob))
      .catch((e) => { thumbnails.delete(url); throw e; }));
  }
  return thumbnails.get(url);
}

// The OHIF Viewer at /viewer/ (make viewer): msdicom's studies through msdicom's own DICOMweb, every other vendor's
// through the read-only view over all of them (its data source "all-vendors"). It reads the default namespace.
function viewerLink(s) {
  if (!s.study_uid || namespace !== "default") return null;
  const params = new URLSearchParams({StudyInstanceUIDs: s.study_uid,
    datasources: s.vendor === "msdicom" ? "msdicom" : "all-vendors"});
  if (token) params.set("token", token);  // OHIF sends it as a Bearer token (the /__admin view needs it)
  const link = element("a", "open in the viewer", "viewer-link");
  link.href = `/viewer/viewer?${params}`;
  link.target = "_blank";
  return link;
}

function studyCard(s) {
  const card = element("figure", null, "study");
  card.dataset.test = "study";
  const frame = element("div", null, "thumb");  // a square before (and without) its picture
  if (s.thumbnail) {
    const img = document.createElement("img");
    img.alt = `${s.vendor} study ${s.id}`;
    thumbnail(`${s.thumbnail}?namespace=${encodeURIComponent(namespace)}&findings=${s.findings.length}`)
      .then((src) => { img.src = src; }).catch((e) => console.error(e));
    frame.append(img);
  }
  card.append(frame);
  const caption = element("figcaption");
  caption.append(element("strong", s.vendor), ` ${s.patient} · ${s.description}`);
  if (s.findings.length) {
    // The labels are written here, in the page's fonts (Chinese ones included), in their boxes' colours.
    const list = element("ol", null, "findings");
    s.findings.forEach((f, i) => {
      const item = element("li", f.score === null || f.score === undefined ? f.label
        : `${f.label} ${Number(f.score).toFixed(2)}`);
      item.style.borderColor = PALETTE[i % PALETTE.length];
      list.append(item);
    });
    caption.append(list);
  } else {
    caption.append(element("div", "no findings", "hint"));
  }
  const link = viewerLink(s);
  if (link) caption.append(link);
  card.append(caption);
  return card;
}

async function loadStudies() {
  const params = new URLSearchParams({limit: STUDIES_PER_PAGE, offset: studiesPage * STUDIES_PER_PAGE});
  const {studies, total} = await api(`/__admin/studies?${params}`);
  const pages = Math.max(1, Math.ceil(total / STUDIES_PER_PAGE));
  if (studiesPage >= pages) {  // studies went away (a reset): show the last page there is
    studiesPage = pages - 1;
    return loadStudies();
  }
  $("studies-page").textContent = `page ${studiesPage + 1} of ${pages} (${total} studies)`;
  $("studies-previous").disabled = studiesPage === 0;
  $("studies-next").disabled = studiesPage >= pages - 1;
  $("studies-none").hidden = total > 0;
  if (changed("studies", studies)) $("studies").replaceChildren(...studies.map(studyCard));
}

$("studies-previous").onclick = () => { studiesPage = Math.max(0, studiesPage - 1); loadStudies(); };
$("studies-next").onclick = () => { studiesPage += 1; loadStudies(); };

// ---- the journal: a row opens to its request and response, as recorded (credentials masked by the server)

const expanded = new Set();
const COLUMNS = 8;
const NOT_SENT_AGAIN = new Set(["host", "content-length", "transfer-encoding", "connection"]);  // curl's own
const BINARY = /^<\d+ bytes [^>]*>$/;  // how the journal records a body it does not keep (core/journal.py)
const CUT = "…";  // the journal's mark of a body cut at its size limit

const shellQuote = (text) => `'${String(text).replace(/'/g, "'\\''")}'`;

function requestUrl(e) {
  return `${location.origin}${encodeURI(e.path)}${e.query ? "?" + e.query : ""}`;
}

// The request as a curl command, as the journal recorded it: masked values stay masked.
function curlOf(e) {
  const words = ["curl"];
  if (e.method === "HEAD") words.push("--head");
  else if (e.method !== "GET" || (e.body && !BINARY.test(e.body))) words.push("-X", e.method);
  words.push(shellQuote(requestUrl(e)));
  for (const [name, value] of Object.entries(e.headers || {})) {
    if (!NOT_SENT_AGAIN.has(name.toLowerCase())) words.push("-H", shellQuote(`${name}: ${value}`));
  }
  if (e.body && !BINARY.test(e.body))
    words.push("--data-binary", shellQuote(e.body.endsWith(CUT) ? e.body.slice(0, -CUT.length) : e.body));
  return words.join(" ");
}

function bodyNote(body) {
  if (BINARY.test(body)) return "the journal keeps no binary body: the command sends none";
  if (body.endsWith(CUT)) return "the journal keeps the first 4096 bytes: the command sends those";
  return "";
}

function pretty(body) {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch (err) {
    return body;
  }
}

async function copyText(text, pre) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (err) {  // no Clipboard API outside a secure context (plain HTTP to another host): copy the selection
    const range = document.createRange();
    range.selectNodeContents(pre);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    document.execCommand("copy");
  }
}

function journalDetail(e) {
  const tr = element("tr", null, "journal-detail");
  tr.dataset.test = "journal-detail";
  tr.id = `journal-detail-${e.id}`;
  const td = element("td");
  td.colSpan = COLUMNS;
  const headerLines = (h) => Object.entries(h || {}).map(([k, v]) => `${k}: ${v}`).join("\n");
  const headers = headerLines(e.headers);
  const requestPart = element("div", null, "exchange");
  requestPart.append(element("h3", "Request"), element("pre", `${e.method} ${requestUrl(e)}`, "start"),
    element("pre", headers || "(no headers)", "headers"), element("pre", e.body ? pretty(e.body) : "(no body)", "body"));
  const responsePart = element("div", null, "exchange");
  const outcome = [`${e.status}`, `${e.duration_ms} ms`];
  if (e.fault_id) outcome.push(`fault rule #${e.fault_id}`);
  responsePart.append(element("h3", "Response"), element("pre", outcome.join(" · "), "start"));
  const responseHeaders = headerLines(e.response_headers);
  responsePart.append(element("pre", responseHeaders || "(no headers)", "headers"));
  if (e.explain) responsePart.append(element("pre", `X-Mock-Explain: ${e.explain}`, "headers"));
  responsePart.append(element("pre", e.response_body ? pretty(e.response_body) : "(no body)", "body"));
  const curl = element("div", null, "curl");
  const text = element("pre", curlOf(e));
  text.dataset.test = "curl-text";
  const button = element("button", "Copy as curl");
  button.type = "button";
  button.dataset.test = "copy-curl";
  button.onclick = () => copyText(text.textContent, text).then(() => {
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = "Copy as curl"; }, 1500);
  });
  curl.append(button, text);
  const note = e.body ? bodyNote(e.body) : "";
  if (note) curl.append(element("p", note, "hint"));
  const parts = element("div", null, "exchanges");
  parts.append(requestPart, responsePart);
  td.append(parts, curl);
  tr.append(td);
  return tr;
}

function journalRows(e) {
  const tr = element("tr", null, "journal-row");
  tr.dataset.test = "journal-row";
  tr.dataset.id = e.id;
  tr.tabIndex = 0;
  const open = expanded.has(e.id);
  tr.setAttribute("aria-expanded", String(open));
  tr.setAttribute("aria-controls", `journal-detail-${e.id}`);
  tr.append(cell(when(e.time)), cell(e.vendor), cell(e.method), cell(e.path + (e.query ? "?" + e.query : ""), "path"),
    cell(e.status, e.status >= 400 || e.status === 0 ? "state-failed" : ""), cell(e.duration_ms),
    cell(e.fault_id ? `#${e.fault_id}` : ""), cell(e.explain || ""));
  const toggle = () => {
    if (expanded.has(e.id)) {
      expanded.delete(e.id);
      tr.nextElementSibling.remove();
    } else {
      expanded.add(e.id);
      tr.after(journalDetail(e));
    }
    tr.setAttribute("aria-expanded", String(expanded.has(e.id)));
  };
  tr.onclick = toggle;
  tr.onkeydown = (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); toggle(); } };
  return open ? [tr, journalDetail(e)] : [tr];
}

async function loadJournal() {
  const params = new URLSearchParams({limit: "100"});
  if ($("journal-vendor").value) params.set("vendor", $("journal-vendor").value);
  if ($("journal-status").value.trim()) params.set("status", $("journal-status").value.trim());
  const [{requests}, listed] = await Promise.all([api(`/__admin/requests?${params}`), vendors()]);
  const filter = $("journal-vendor");
  if (filter.options.length === 1) listed.forEach((v) => filter.append(new Option(v.key, v.key)));
  if (changed("journal", requests))
    $("journal").querySelector("tbody").replaceChildren(...requests.flatMap(journalRows));
}

// ---- jobs, callbacks

async function loadJobs() {
  const {jobs} = await api("/__admin/jobs");
  if (changed("jobs", jobs)) fill("jobs", jobs, (j) => [cell(j.vendor), cell(j.id, "path"), cell(j.kind),
    cell(j.state, `state-${j.state}`), cell(when(j.updated_at)), cell(j.detail)]);
}

function attempted(a) {
  if (a.state === "sending") return "sending";
  return a.status === null ? a.error : a.status;
}

async function loadCallbacks() {
  const {callbacks} = await api("/__admin/callbacks");
  if (changed("callbacks", callbacks)) fill("callbacks", callbacks, (c) => [cell(c.vendor), cell(c.url, "path"),
    cell(c.state, `state-${c.state}`), cell(c.attempts.map((a) => `${when(a.time)} → ${attempted(a)}`).join("\n"), "attempts")]);
}

// ---- faults: the list, and the form that builds a rule from the vendor's own catalog (/__admin/vendors/KEY)

async function loadFaults() {
  const [{faults}] = await Promise.all([api("/__admin/faults"), faultForm.ready()]);
  if (!changed("faults", faults)) return;
  fill("faults", faults, (f) => {
    const remove = element("button", "remove", "fault-remove");
    remove.type = "button";
    remove.setAttribute("aria-label", `remove rule ${f.id}`);
    remove.onclick = () => api(`/__admin/faults/${f.id}`, {method: "DELETE"}).then(loadFaults)
      .catch((err) => { $("fault-error").textContent = err.message; });
    const td = document.createElement("td");
    td.append(remove);
    return [cell(f.id), cell(f.vendor || "*"), cell(f.method || "*"), cell(f.path || "*", "path"),
      cell(JSON.stringify(f.action)), cell(f.times ?? "every time"), cell(f.fired), td];
  });
  $("faults").querySelectorAll("tbody tr").forEach((tr) => { tr.dataset.test = "fault-row"; });
}

const faultForm = (() => {
  const form = $("fault-form");
  const fields = form.elements;
  const catalogs = new Map();
  const ANY_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];
  let filled = null;

  const catalog = (key) => {
    if (!catalogs.has(key)) {
      catalogs.set(key, api(`/__admin/vendors/${encodeURIComponent(key)}`)
        .catch((e) => { catalogs.delete(key); throw e; }));
    }
    return catalogs.get(key);
  };

  const options = (select, first, items) => {
    select.replaceChildren(...(first ? [new Option(first, "")] : []), ...items.map(([text, value]) => new Option(text, value)));
  };

  // Each action named as the rule writes it: "status", or "callback.fail" for {"callback": {"fail": ...}}.
  function chosenAction(vendor) {
    const name = fields.action.value;
    if (name.startsWith("callback.")) return vendor.callback_actions.find((a) => `callback.${a.name}` === name);
    return vendor.actions.find((a) => a.name === name);
  }

  async function showVendor() {
    const vendor = await catalog(fields.vendor.value);
    options(fields.path, "any path", vendor.routes.map((r) => [r.path, r.path]));
    options(fields.action, null, [...vendor.actions.map((a) => [a.vendor ? `${a.name} (${vendor.key}'s own)` : a.name,
      a.name]), ...vendor.callback_actions.map((a) => [`callback: ${a.name}`, `callback.${a.name}`])]);
    $("fault-codes").replaceChildren(...vendor.errors.map((e) => new Option(`${e.status}`, e.code)));
    showPath(vendor);
    showAction(vendor);
  }

  function showPath(vendor) {
    const route = vendor.routes.find((r) => r.path === fields.path.value);
    const chosen = fields.method.value;
    options(fields.method, "any method", (route ? route.methods : ANY_METHODS).map((m) => [m, m]));
    fields.method.value = [...fields.method.options].some((o) => o.value === chosen) ? chosen : "";
  }

  function showAction(vendor) {
    const action = chosenAction(vendor);
    const isError = fields.action.value === "error";
    fields.value.setAttribute("list", isError ? "fault-codes" : "");
    fields.value.placeholder = isError ? "a code, e.g. " + (vendor.errors[0] || {code: ""}).code : "empty: true";
    $("fault-takes").textContent = action ? `${fields.action.value} takes ${action.takes}` : "";
  }

  // The value as typed: JSON when it reads as JSON (200, {"min": 1, "max": 5}), else text; empty means true.
  // An error code stays text ("100001" is aliyun's code, not a number).
  function value() {
    const text = fields.value.value.trim();
    if (!text) return true;
    if (fields.action.value === "error") return text;
    try {
      return JSON.parse(text);
    } catch (err) {
      return text;
    }
  }

  function rule() {
    const name = fields.action.value;
    const action = name.startsWith("callback.") ? {callback: {[name.slice("callback.".length)]: value()}}
      : {[name]: value()};
    const built = {vendor: fields.vendor.value, action};
    if (fields.path.value) built.path = fields.path.value;
    if (fields.method.value) built.method = fields.method.value;
    if (fields.times.value.trim()) built.times = Number(fields.times.value);
    return built;
  }

  fields.vendor.onchange = () => showVendor().catch((e) => { $("fault-error").textContent = e.message; });
  fields.path.onchange = () => catalog(fields.vendor.value).then(showPath);
  fields.action.onchange = () => catalog(fields.vendor.value).then(showAction);
  form.onsubmit = (e) => {
    e.preventDefault();
    $("fault-error").textContent = "";
    api("/__admin/faults", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify(rule())})
      .then(() => { form.dataset.added = String(Number(form.dataset.added || 0) + 1); return loadFaults(); })
      .catch((err) => { $("fault-error").textContent = err.message; });
  };

  return {
    ready() {  // the vendors' options, once
      filled = filled || vendors().then((listed) => {
        options(fields.vendor, null, listed.map((v) => [v.key, v.key]));
        return showVendor();
      }).catch((e) => { filled = null; throw e; });
      return filled;
    },
  };
})();

// ---- refreshing

const PANELS = {studies: loadStudies, journal: loadJournal, jobs: loadJobs, callbacks: loadCallbacks,
  faults: loadFaults, vendors: loadVendors};

function loadPanel(name) {
  return PANELS[name]().catch((e) => console.error(e));
}

async function refresh() {
  await Promise.all([loadHeader().catch((e) => console.error(e)), loadPanel(shownTab())]);
}

$("namespace").onchange = (e) => {
  namespace = e.target.value;
  studiesPage = 0;
  expanded.clear();
  drawn.clear();
  refresh();
};
$("journal-vendor").onchange = loadJournal;
$("journal-status").oninput = loadJournal;
$("advance-form").onsubmit = (e) => {
  e.preventDefault();
  api("/__admin/clock/advance", {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({seconds: Number($("advance-seconds").value)})}).then(refresh);
};
setInterval(() => { if ($("live").checked) refresh(); }, 2000);
loadHeader().catch((e) => console.error(e));
selectTab(location.hash.slice(1) || "studies");

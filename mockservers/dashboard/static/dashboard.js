// The dashboard reads and writes only /__admin; every call carries the chosen namespace, and the admin token
// when the page was opened with one (/?token=...: the address keeps it, so a reload works).
"use strict";
const $ = (id) => document.getElementById(id);
const pageQuery = new URLSearchParams(location.search);
const token = pageQuery.get("token");
let namespace = pageQuery.get("namespace") || "default";

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

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "" : String(text);
  if (cls) td.className = cls;
  return td;
}

function fill(tableId, rows, toCells) {
  const body = $(tableId).querySelector("tbody");
  body.replaceChildren(...rows.map((row) => {
    const tr = document.createElement("tr");
    tr.append(...toCells(row));
    return tr;
  }));
}

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

const when = (t) => (t ? new Date(t * 1000).toISOString().replace("T", " ").slice(0, 19) : "");

async function loadHeader() {
  const [listing, spaces, clock] = await Promise.all([api("/__admin/vendors"), api("/__admin/namespaces"),
    api("/__admin/clock")]);
  const select = $("namespace");
  if (!spaces.namespaces.includes(namespace)) spaces.namespaces.push(namespace);
  select.replaceChildren(...spaces.namespaces.map((n) => new Option(n, n, false, n === namespace)));
  fill("vendors", listing.vendors, (v) => {
    const docs = document.createElement("td");
    if (v.openapi) {
      const link = document.createElement("a");
      link.href = `/${v.key}/docs`;
      link.textContent = "OpenAPI";
      docs.append(link);
    } else {
      docs.textContent = "DICOMweb";
    }
    return [cell(v.key), cell(`${location.origin}${v.base_path}`, "path"), docs];
  });
  const vendorFilter = $("journal-vendor");
  if (vendorFilter.options.length === 1)
    listing.vendors.forEach((v) => vendorFilter.append(new Option(v.key, v.key)));
  $("clock").textContent = `${clock.mode} clock: ${clock.iso}`;
  $("advance-form").hidden = clock.mode !== "virtual";
}

async function loadJournal() {
  const params = new URLSearchParams({limit: "100"});
  if ($("journal-vendor").value) params.set("vendor", $("journal-vendor").value);
  if ($("journal-status").value.trim()) params.set("status", $("journal-status").value.trim());
  const {requests} = await api(`/__admin/requests?${params}`);
  fill("journal", requests, (e) => [cell(when(e.time)), cell(e.vendor), cell(e.method),
    cell(e.path + (e.query ? "?" + e.query : ""), "path"), cell(e.status), cell(e.duration_ms),
    cell(e.fault_id ? `#${e.fault_id}` : ""), cell(e.explain || "")]);
}

async function loadJobs() {
  const {jobs} = await api("/__admin/jobs");
  fill("jobs", jobs, (j) => [cell(j.vendor), cell(j.id, "path"), cell(j.kind),
    cell(j.state, `state-${j.state}`), cell(when(j.updated_at)), cell(j.detail)]);
}

async function loadCallbacks() {
  const {callbacks} = await api("/__admin/callbacks");
  fill("callbacks", callbacks, (c) => [cell(c.vendor), cell(c.url, "path"), cell(c.state, `state-${c.state}`),
    cell(c.attempts.map((a) => `${when(a.time)} → ${attempted(a)}`).join("\n"))]);
}

function attempted(a) {
  if (a.state === "sending") return "sending";
  return a.status === null ? a.error : a.status;
}

async function loadFaults() {
  const {faults} = await api("/__admin/faults");
  fill("faults", faults, (f) => {
    const remove = document.createElement("button");
    remove.textContent = "remove";
    remove.className = "fault-remove";
    remove.onclick = () => api(`/__admin/faults/${f.id}`, {method: "DELETE"}).then(refresh);
    const td = document.createElement("td");
    td.append(remove);
    return [cell(f.id), cell(f.vendor || "*"), cell(f.method || "*"), cell(f.path || "*", "path"),
      cell(JSON.stringify(f.action)), cell(f.times ?? "∞"), cell(f.fired), td];
  });
}

// The OHIF Viewer at /viewer/ (make viewer): msdicom's studies through msdicom's own DICOMweb, every other vendor's
// through the read-only view over all of them (its data source "all-vendors"). It reads the default namespace.
function viewerLink(s) {
  if (!s.study_uid || namespace !== "default") return null;
  const params = new URLSearchParams({StudyInstanceUIDs: s.study_uid,
    datasources: s.vendor === "msdicom" ? "msdicom" : "all-vendors"});
  if (token) params.set("token", token);  // OHIF sends it as a Bearer token (the /__admin view needs it)
  const link = document.createElement("a");
  link.href = `/viewer/viewer?${params}`;
  link.target = "_blank";
  link.className = "viewer-link";
  link.textContent = "open in the viewer";
  return link;
}

async function loadStudies() {
  const {studies} = await api("/__admin/studies");
  $("studies").replaceChildren(...studies.map((s) => {
    const card = document.createElement("figure");
    card.className = "study";
    if (s.thumbnail) {
      const img = document.createElement("img");
      img.alt = `${s.vendor} study ${s.id}`;
      thumbnail(`${s.thumbnail}?namespace=${encodeURIComponent(namespace)}&findings=${s.findings.length}`)
        .then((src) => { img.src = src; }).catch((e) => console.error(e));
      card.append(img);
    }
    const caption = document.createElement("figcaption");
    caption.textContent = `${s.vendor}: ${s.patient} · ${s.description} · ${s.findings.length} finding(s) `;
    const link = viewerLink(s);
    if (link) caption.append(link);
    card.append(caption);
    return card;
  }));
}

async function refresh() {
  await Promise.all([loadHeader(), loadJournal(), loadJobs(), loadCallbacks(), loadFaults(), loadStudies()])
    .catch((e) => console.error(e));
}

$("namespace").onchange = (e) => { namespace = e.target.value; refresh(); };
$("journal-vendor").onchange = loadJournal;
$("journal-status").oninput = loadJournal;
$("advance-form").onsubmit = (e) => {
  e.preventDefault();
  api("/__admin/clock/advance", {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({seconds: Number($("advance-seconds").value)})}).then(refresh);
};
$("fault-form").onsubmit = (e) => {
  e.preventDefault();
  $("fault-error").textContent = "";
  let rule;
  try {
    rule = {action: JSON.parse($("fault-action").value || "{}")};
  } catch (err) {
    $("fault-error").textContent = "the action must be JSON";
    return;
  }
  if ($("fault-vendor").value) rule.vendor = $("fault-vendor").value;
  if ($("fault-method").value) rule.method = $("fault-method").value;
  if ($("fault-path").value) rule.path = $("fault-path").value;
  if ($("fault-times").value) rule.times = Number($("fault-times").value);
  api("/__admin/faults", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(rule)})
    .then(refresh).catch((err) => { $("fault-error").textContent = err.message; });
};
setInterval(() => { if ($("live").checked) refresh(); }, 2000);
refresh();

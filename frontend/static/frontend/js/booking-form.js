// "Book an interpreter": a search field that narrows the language list, on-site or remote fields
// shown as the modality needs, and a live dry run of the rules (POST /api/v1/bookings/check/)
// that shows how many qualified interpreters are free and any rule problem, while filling in.
const form = document.querySelector("[data-booking-form]");
const texts = JSON.parse(document.getElementById("check-texts").textContent);
const result = form.querySelector("[data-check-result]");
const select = form.querySelector("select[name=language]");
const search = form.querySelector("[data-language-search]");

// --- searchable language list -------------------------------------------------------------
// Each option carries what people type for it (data-terms: names, common names and spellings,
// codes); the best matches come first, as in GET /api/v1/languages/?q=.
const noMatch = form.querySelector("[data-language-no-match]");
const fold = (text) => text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
const allOptions = Array.from(select.options).map((o) => ({
  value: o.value,
  text: o.text,
  terms: [o.text, ...(o.dataset.terms || "").split("|")].map(fold).filter(Boolean),
}));
function rank(option, q) {
  let best = null;
  for (const term of option.terms) {
    if (term === q) return 0;
    const words = term.split(/[\s()\-'/,–]+/);
    if (term.startsWith(q) || words.some((w) => w.startsWith(q))) best = 1;
    else if (best === null && term.includes(q)) best = 2;
  }
  return best;
}
search.hidden = false;
form.querySelector("[data-language-search-help]").hidden = false;
search.addEventListener("input", () => {
  const q = fold(search.value);
  const current = select.value;
  const ranked = allOptions.filter((o) => o.value)
    .map((o, i) => ({ o, i, r: q ? rank(o, q) : 0 }))
    .filter((m) => m.r !== null)
    .sort((a, b) => a.r - b.r || a.i - b.i);
  const matches = [allOptions[0], ...ranked.map((m) => m.o)];
  select.replaceChildren(...matches.map((o) => {
    const node = new Option(o.text, o.value, false, o.value === current);
    return node;
  }));
  noMatch.hidden = ranked.length > 0;
  noMatch.textContent = ranked.length ? "" : noMatch.dataset.template.replace("{query}", search.value.trim());
  // One hit, or one exact hit ("farsi", "sorani"): choose it, so typing "tigr" is enough.
  const exact = ranked.filter((m) => m.r === 0);
  const chosen = ranked.length === 1 ? ranked[0] : (exact.length === 1 ? exact[0] : null);
  if (chosen) { select.value = chosen.o.value; scheduleCheck(); }
});

// --- on-site or remote -----------------------------------------------------------------------
const onsite = form.querySelector("[data-onsite]");
const remote = form.querySelector("[data-remote]");
function modality() {
  const checked = form.querySelector("input[name=modality]:checked");
  return checked ? checked.value : "";
}
function toggleModality() {
  const isOnsite = modality() === "onsite";
  onsite.hidden = !isOnsite;
  remote.hidden = isOnsite || !modality();
}
toggleModality();

// --- live check ------------------------------------------------------------------------------
function csrfToken() {
  return form.querySelector("input[name=csrfmiddlewaretoken]").value;
}

function localIso(date, time) {
  // Oslo wall time, as the form means it (whatever the browser's own zone): the server reads a
  // time without offset as Europe/Oslo and, like the form, refuses one that does not exist or
  // exists twice on a clock change day.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}(:\d{2})?$/.test(time)) return null;
  return time.length === 5 ? `${date}T${time}:00` : `${date}T${time}`;
}

function payload() {
  const value = (name) => (form.elements[name] ? form.elements[name].value.trim() : "");
  const checked = (name) => {
    const node = form.querySelector(`input[name=${name}]:checked`);
    return node ? node.value : "";
  };
  const date = value("date");
  const start = localIso(date, value("start_time"));
  const end = localIso(date, value("end_time"));
  const body = {
    language: value("language"), modality: checked("modality"), start, end,
    duty_basis: checked("duty_basis"), assessment_note: value("assessment_note"),
    dialect: value("dialect"), topic_notes: value("topic_notes"),
    terminology_notes: value("terminology_notes"), case_reference: value("case_reference"),
    preferred_gender: value("preferred_gender"), min_category: value("min_category"),
  };
  if (body.modality === "onsite") {
    body.municipality = value("municipality");
    body.address = value("address");
  } else {
    body.platform = value("platform");
  }
  return body;
}

function show(nodes) {
  result.replaceChildren(...nodes);
}

function para(text, className) {
  const p = document.createElement("p");
  if (className) p.className = className;
  p.textContent = text;
  return p;
}

let timer = null;
let sequence = 0;

function scheduleCheck() {
  window.clearTimeout(timer);
  timer = window.setTimeout(runCheck, 350);
}

async function runCheck() {
  const body = payload();
  if (!body.language || !body.modality || !body.start || !body.end || !body.duty_basis) {
    show([para(texts.incomplete, "muted")]);
    return;
  }
  const mine = ++sequence;
  show([para(texts.checking, "muted")]);
  let response;
  let data;
  try {
    response = await fetch(form.dataset.checkUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    });
    data = await response.json();
  } catch (error) {
    if (mine === sequence) show([para(texts.failed, "notice notice--warning")]);
    return;
  }
  if (mine !== sequence) return; // a newer check is on its way
  if (response.ok) {
    const n = Number(data.free_qualified_interpreters || 0);
    const text = n === 0 ? texts.free_none
      : (n === 1 ? texts.free_one : texts.free_many.replace("%(n)s", n));
    const nodes = [para(text, n === 0 ? "notice notice--warning" : "notice notice--success")];
    nodes[0].dataset.freeCount = String(n);
    if (n > 0 && data.by_category) {
      const parts = Object.entries(data.by_category).filter(([, c]) => c > 0)
        .map(([cat, c]) => `${cat}: ${c}`);
      nodes.push(para(`${texts.by_category}: ${parts.join(", ")}`, "muted"));
    }
    if (data.remote_suggestion) {
      const counts = data.remote_suggestion;
      const remote = para(texts.remote_suggestion.replace("%(onsite)s", counts.onsite)
        .replace("%(video)s", counts.video).replace("%(phone)s", counts.phone),
        "notice notice--warning");
      remote.dataset.remoteSuggestion = "true";
      nodes.push(remote);
    }
    if (data.late_cancellation_on_acceptance) {
      const late = para(texts.late_on_acceptance.replace("%(hours)s", data.late_cancellation_hours),
        "notice notice--warning");
      late.dataset.lateOnAcceptance = "true";
      nodes.push(late);
    }
    show(nodes);
  } else {
    const box = document.createElement("div");
    box.className = "notice notice--error";
    box.dataset.problemCode = data.code || "";
    const title = document.createElement("p");
    const strong = document.createElement("strong");
    strong.textContent = `${texts.problem}${data.section ? ` (${data.section})` : ""}: `;
    title.append(strong, document.createTextNode(data.detail || ""));
    box.append(title);
    show([box]);
  }
}

form.addEventListener("change", (event) => {
  if (event.target.name === "modality") toggleModality();
  scheduleCheck();
});
form.addEventListener("input", (event) => {
  if (event.target === search) return;
  if (event.target.matches("textarea, input[type=text]")) scheduleCheck();
});
scheduleCheck();

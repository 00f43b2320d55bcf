// The stackgraph explorer: hash routes (#/entity/cowos-l, #/scenario/cowos-l=0, ...) drawn from
// this server's /graphql only. Plain DOM, no framework, no build step; text is never parsed as HTML.

const LAYERS = JSON.parse(document.getElementById("layers").textContent);
const view = document.getElementById("view");
const errorBox = document.getElementById("error");
const statusLine = document.getElementById("status");
const STATUS_TEXT = {
  BLOCKED: "Blocked",
  CONSTRAINED: "Constrained",
  POSSIBLY_CONSTRAINED: "Possibly constrained",
  OK: "OK",
};
const PROVENANCE = "fragment P on Provenance { sourceUrl tier asOf confidence estimated weak }";

// ---- DOM helpers ----------------------------------------------------------------------------

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  return fill(el, attrs, children);
}

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  return fill(el, attrs, children);
}

function fill(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

const link = (id, text) => h("a", { href: `#/entity/${encodeURIComponent(id)}` }, text ?? id);
const layerTag = (layer) => h("span", { class: `tag layer l-${layer || "none"}` }, layer || "no layer");
const pct = (x) => `${Math.round(x * 1000) / 10}%`;
const range = (low, high) => (low === high ? pct(low) : `${pct(low)} to ${pct(high)}`);
const table = (caption, head, rows) =>
  h("div", { class: "scroll" }, h("table", {}, h("caption", {}, caption),
    h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col", class: /^(Days|Score|Amount|Cumulative|End products)/.test(c) ? "num" : null }, c)))),
    h("tbody", {}, rows)));

function source(p) {
  if (!p || !p.sourceUrl) return h("span", { class: "src" }, "not sourced");
  let host = p.sourceUrl;
  try { host = new URL(p.sourceUrl).hostname.replace(/^www\./, ""); } catch { /* shown whole */ }
  return h("span", { class: "src" },
    h("a", { href: p.sourceUrl, rel: "noreferrer", title: p.sourceUrl }, host), " ",
    h("span", { class: "tag", title: "source tier" }, p.tier), " ",
    p.asOf ? `as of ${p.asOf}` : "no as-of date",
    p.confidence ? `, ${p.confidence} confidence` : "",
    p.estimated ? ", estimated" : "",
    p.weak ? h("strong", {}, " (weak)") : "");
}

// ---- the API -------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join("; "));
    this.errors = errors;
  }
}

async function gql(query, variables = {}) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
  } catch (e) {
    throw new ApiError([{ message: `the server did not answer (${e.message})` }]);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError([{ message: `HTTP ${response.status} ${response.statusText}: not a GraphQL answer` }]);
  }
  if (body.errors && body.errors.length) throw new ApiError(body.errors);
  if (!response.ok) throw new ApiError([{ message: `HTTP ${response.status} ${response.statusText}` }]);
  return body.data;
}

function showError(error) {
  const errors = error instanceof ApiError ? error.errors : [{ message: String(error) }];
  const heading = error instanceof ApiError ? "The API answered with an error." : "This cannot be shown or run:";
  errorBox.replaceChildren(h("p", {}, h("strong", {}, heading)),
    ...errors.map((e) => {
      const ext = e.extensions || {};
      const hints = ext.suggestions || [];
      return h("p", {}, ext.code ? h("span", { class: "tag" }, ext.code) : null, " ", e.message,
        hints.length ? h("span", {}, " Did you mean: ", hints.map((id, i) => [i ? ", " : "", link(id)]), "?") : null);
    }));
  errorBox.hidden = false;
}

// ---- a combobox of entities (ARIA 1.2 pattern: the input keeps focus) ------------------------

const SEARCH = "query Search($text: String!) { search(text: $text, first: 8) { edges { node { id name layer category } } } }";

function combobox(input, list, onPick) {
  let items = [];
  let active = -1;
  let timer = 0;
  let asked = 0;
  const close = () => {
    list.hidden = true;
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  };
  const pick = (i) => {
    const item = items[i];
    close();
    if (item) onPick(item);
  };
  const mark = () => {
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === active)));
    if (active < 0) return input.removeAttribute("aria-activedescendant");
    input.setAttribute("aria-activedescendant", list.children[active].id);
    list.children[active].scrollIntoView({ block: "nearest" });
  };
  const suggest = async () => {
    const text = input.value.trim();
    const mine = ++asked;
    if (!text) return close();
    let data;
    try {
      data = await gql(SEARCH, { text });
    } catch (e) {
      return showError(e);
    }
    if (mine !== asked || document.activeElement !== input) return;
    items = data.search.edges.map((e) => e.node);
    active = -1;
    list.replaceChildren(...items.map((n, i) =>
      h("li", { id: `${list.id}-${i}`, role: "option", "aria-selected": "false",
        onmousedown: (ev) => { ev.preventDefault(); pick(i); } },
      h("span", {}, n.name), h("small", {}, [n.id, n.layer].filter(Boolean).join(" · ")))));
    if (!items.length) list.replaceChildren(h("li", { role: "option", "aria-disabled": "true" }, `No entity matches “${text}”`));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 150);
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      if (list.hidden) return void suggest();
      if (!items.length) return;
      const step = ev.key === "ArrowDown" ? 1 : -1;
      active = (active + step + items.length + (active < 0 && step < 0 ? 1 : 0)) % items.length;
      mark();
    } else if (ev.key === "Enter" && !list.hidden && items.length) {
      ev.preventDefault();
      pick(Math.max(active, 0));
    } else if (ev.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
  if (input.value.trim() && document.activeElement === input) suggest(); // typed before the script ran
}

// ---- views: each returns the nodes of the page, after its answer came -----------------------

async function home() {
  const data = await gql("{ graphInfo { version entities requirements supplies sources { graph } } }");
  const info = data.graphInfo;
  const card = (href, title, text) => h("li", {}, h("a", { href }, title), h("p", {}, text));
  return [
    h("h1", { tabindex: "-1" }, "The AI-infrastructure supply chain, explained"),
    h("p", { class: "lede" }, `${info.entities} entities, ${info.requirements} requirements and `,
      `${info.supplies} supplies from ${info.sources.length} sources (version ${info.version.slice(0, 12)}). `,
      "Search above, or start from a question:"),
    h("ul", { class: "cards" },
      card("#/scenario/cowos-l=0", "What breaks if CoWoS-L stops?", "Blocked, constrained and possibly constrained items, each with its chain and sources."),
      card("#/dependencies/gb200-nvl72", "What a GB200 NVL72 rack depends on", "Its inputs by layer, from die to grid."),
      card("#/critical-path/gb200-nvl72", "How long a GB200 NVL72 takes", "The lead-time path as a timeline."),
      card("#/chokepoints", "Chokepoints", "The items whose loss alone blocks the most end products."),
      card("#/entity/cowos-l", "CoWoS-L", "Attributes, claims, capacities and their sources.")),
  ];
}

async function entityPage(id) {
  const data = await gql(`query Entity($id: ID!) { entity(id: $id) {
    id name aliases types layer category leadTimeDays stageTimeDays
    provenance { ...P } leadTimeProvenance { ...P }
    attributes { name value }
    claims { property status value unit provenance { ...P } }
    requirements { id quantity leadTimeDays input { id name layer } provenance { ...P }
                   sources { share supplier { id name } } }
    sources { supplier { id name } consumer { id name } share qualification leadTimeDays provenance { ...P } }
    capacities { of { id name } holder { id name } year kind amount amountMax unit period note provenance { ...P } }
  } } ${PROVENANCE}`, { id });
  const e = data.entity;
  const cited = new Map();
  const cite = (p) => { if (p && p.sourceUrl) cited.set(p.sourceUrl, { ...p, n: (cited.get(p.sourceUrl)?.n || 0) + 1 }); };
  [e.provenance, e.leadTimeProvenance, ...e.claims.map((c) => c.provenance), ...e.requirements.map((r) => r.provenance),
    ...e.sources.map((x) => x.provenance), ...e.capacities.map((c) => c.provenance)].forEach(cite);
  const enc = encodeURIComponent(e.id);
  const out = [
    h("h1", { tabindex: "-1" }, e.name),
    h("p", { class: "lede" }, layerTag(e.layer), " ", e.category ? h("span", { class: "tag" }, e.category) : null, " ",
      e.types.join(", "), ` · id ${e.id}`, e.aliases.length ? ` · also ${e.aliases.join(", ")}` : ""),
    h("ul", { class: "actions" },
      h("li", {}, h("a", { href: `#/dependencies/${enc}` }, "Dependencies by layer")),
      h("li", {}, h("a", { href: `#/critical-path/${enc}` }, "Critical path")),
      h("li", {}, h("a", { href: `#/scenario/${enc}=0` }, "What if it stops?"))),
    h("p", {}, "Record: ", source(e.provenance)),
    h("p", {}, "Lead time: ", e.leadTimeDays === null ? "unknown" : `${e.leadTimeDays} days `,
      e.leadTimeDays === null ? "" : source(e.leadTimeProvenance),
      " · stage time: ", e.stageTimeDays === null ? "unknown" : `${e.stageTimeDays} days`),
  ];
  if (e.attributes.length) {
    out.push(h("h2", {}, "Attributes"), table("Every attribute value, by name", ["Attribute", "Value"],
      e.attributes.map((a) => h("tr", {}, h("th", { scope: "row" }, a.name), h("td", {}, a.value)))));
  }
  if (e.claims.length) {
    out.push(h("h2", {}, "Claims"), table("Sourced claims by property: the current value first, then those beside it",
      ["Property", "Value", "Status", "Source"],
      e.claims.map((c) => h("tr", { class: `claim-${c.status.toLowerCase()}` }, h("td", {}, c.property),
        h("td", {}, c.value, c.unit ? ` ${c.unit}` : ""), h("td", {}, h("span", { class: "tag" }, c.status.toLowerCase())),
        h("td", {}, source(c.provenance))))));
  }
  if (e.capacities.length) {
    out.push(h("h2", {}, "Capacities"), table("Sourced figures by year and holder; sources that disagree are separate rows",
      ["Year", "Kind", "Amount", "Unit", "Period", "Holder", "Estimated", "Source"],
      e.capacities.map((c) => h("tr", {}, h("td", {}, c.year ?? "—"), h("td", {}, c.kind),
        h("td", { class: "num" }, c.amount.toLocaleString("en"), c.amountMax === null ? "" : ` to ${c.amountMax.toLocaleString("en")}`),
        h("td", {}, c.unit), h("td", {}, c.period ? `per ${c.period}` : "—"),
        h("td", {}, c.holder ? link(c.holder.id, c.holder.name) : "whole market", c.of.id === e.id ? "" : [" (of ", link(c.of.id, c.of.name), ")"]),
        h("td", {}, c.provenance && c.provenance.estimated ? "estimated" : "no"), h("td", {}, source(c.provenance))))));
  }
  if (e.requirements.length) {
    out.push(h("h2", {}, "Requirements"), table("What it needs (every requirement must be met), each input with its qualified sources",
      ["Input", "Quantity", "Sources (any of them)", "Source"],
      e.requirements.map((r) => h("tr", {}, h("td", {}, link(r.input.id, r.input.name), " ", layerTag(r.input.layer)),
        h("td", { class: "num" }, r.quantity ?? "—"),
        h("td", {}, r.sources.map((x, i) => [i ? ", " : "", link(x.supplier.id, x.supplier.name), x.share === null ? "" : ` (${pct(x.share)})`])),
        h("td", {}, source(r.provenance))))));
  }
  if (e.sources.length) {
    out.push(h("h2", {}, "Suppliers"), table("Every supply record of it", ["Supplier", "For", "Share", "Qualification", "Source"],
      e.sources.map((x) => h("tr", {}, h("td", {}, link(x.supplier.id, x.supplier.name)),
        h("td", {}, x.consumer ? link(x.consumer.id, x.consumer.name) : "the market"),
        h("td", { class: "num" }, x.share === null ? "not sourced" : pct(x.share)), h("td", {}, x.qualification),
        h("td", {}, source(x.provenance))))));
  }
  out.push(h("h2", {}, "Sources"), h("ul", {}, [...cited.values()].map((p) =>
    h("li", {}, source(p), ` · cited by ${p.n} fact${p.n === 1 ? "" : "s"}`))));
  return out;
}

// ---- dependencies: one column per layer, in the schema's order (die to grid) ----------------

async function dependencyPage(id, depthText) {
  const depth = Number(depthText || 2);
  const data = await gql(`query Deps($id: ID!, $depth: Int) { entity(id: $id) { id name layer
    dependencies(depth: $depth, first: 100) { totalCount edges { depth path node { id name layer } } } } }`, { id, depth });
  const e = data.entity;
  const deps = e.dependencies;
  const nodes = new Map([[e.id, { id: e.id, name: e.name, layer: e.layer, depth: 0 }]]);
  const edges = [];
  for (const edge of deps.edges) {
    nodes.set(edge.node.id, { ...edge.node, depth: edge.depth });
    edges.push([edge.path[edge.path.length - 2], edge.node.id]);
  }
  const columns = [...LAYERS, null].filter((l) => [...nodes.values()].some((n) => (n.layer || null) === l));
  const col = (n) => columns.indexOf(LAYERS.includes(n.layer) ? n.layer : null);
  const W = 200, BOX = 172, H = 26, GAP = 8, TOP = 34;
  const place = new Map();
  const rows = columns.map(() => 0);
  for (const n of [...nodes.values()].sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name))) {
    const c = col(n);
    place.set(n.id, { x: 8 + c * W, y: TOP + rows[c]++ * (H + GAP) });
  }
  const height = TOP + Math.max(...rows) * (H + GAP) + 8;
  const width = 16 + columns.length * W - (W - BOX);
  const curve = ([from, to]) => {
    const a = place.get(from), b = place.get(to);
    if (!a || !b) return null;
    const right = b.x >= a.x;
    const x1 = a.x + (right ? BOX : 0), x2 = b.x + (right ? 0 : BOX);
    const bend = a.x === b.x ? (right ? 24 : -24) : (x2 - x1) / 2;
    const [y1, y2] = [a.y + H / 2, b.y + H / 2];
    const x2end = a.x === b.x ? a.x + BOX : x2;
    return s("path", { class: "edge", d: `M${x1},${y1} C${x1 + bend},${y1} ${x2end + bend},${y2} ${x2end},${y2}` });
  };
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "group", "aria-label": `What ${e.name} depends on, by layer` },
    columns.map((l, c) => s("text", { x: 8 + c * W, y: 18, class: "colhead" }, l || "no layer")),
    edges.map(curve),
    [...nodes.values()].map((n) => {
      const p = place.get(n.id);
      const label = n.name.length > 25 ? `${n.name.slice(0, 24)}…` : n.name;
      return s("a", { href: `#/entity/${encodeURIComponent(n.id)}`, class: `node l-${n.layer || "none"}${n.id === e.id ? " root" : ""}` },
        s("title", {}, `${n.name} (${n.layer || "no layer"}, ${n.depth} hop${n.depth === 1 ? "" : "s"})`),
        s("rect", { x: p.x, y: p.y, width: BOX, height: H, rx: 4 }), s("text", { x: p.x + 6, y: p.y + 17 }, label));
    }));
  const depthPicker = h("select", { id: "depth", onchange: (ev) => { location.hash = `#/dependencies/${encodeURIComponent(e.id)}?depth=${ev.target.value}`; } },
    [1, 2, 3, 4, 6].map((d) => h("option", { value: d, selected: d === depth }, `${d} hop${d === 1 ? "" : "s"}`)));
  const byLayer = columns.map((l) => h("li", {}, h("strong", {}, l || "no layer"), ": ",
    [...nodes.values()].filter((n) => (LAYERS.includes(n.layer) ? n.layer : null) === l).map((n, i) => [i ? ", " : "", link(n.id, n.name)])));
  return [
    h("h1", { tabindex: "-1" }, `What ${e.name} depends on, by layer`),
    h("p", { class: "lede" }, `${deps.totalCount} items within ${depth} hop${depth === 1 ? "" : "s"}`,
      deps.totalCount > deps.edges.length ? `, the nearest ${deps.edges.length} drawn (fewer hops draw all)` : "",
      ". Columns run from die to grid; a line joins an item to what it needs. Select an item to open it."),
    h("p", { class: "row" }, h("label", { for: "depth" }, "Depth "), depthPicker, link(e.id, `About ${e.name}`)),
    h("div", { class: "scroll figure" }, svg),
    h("details", {}, h("summary", {}, "The same items as a list"), h("ul", {}, byLayer)),
  ];
}

// ---- the scenario panel -------------------------------------------------------------------

function parseScenario(text) {
  const [list, flag] = (text || "").split("/");
  const shortages = (list || "").split(",").filter(Boolean).map((part) => {
    const at = part.lastIndexOf("=");
    const id = decodeURIComponent(at < 0 ? part : part.slice(0, at));
    return { id, availability: at < 0 ? 0 : Number(part.slice(at + 1)) };
  });
  return { shortages, substitution: flag === "substitution" };
}

function shortageRow(rows, shortage, n) {
  const input = h("input", { type: "text", id: `pick-${n}`, role: "combobox", autocomplete: "off", "aria-autocomplete": "list",
    "aria-expanded": "false", "aria-controls": `pick-${n}-options`, value: shortage.id, "data-id": shortage.id, required: true });
  const list = h("ul", { id: `pick-${n}-options`, role: "listbox", "aria-label": "Suggestions", hidden: true });
  combobox(input, list, (item) => { input.value = item.name; input.dataset.id = item.id; });
  input.addEventListener("input", () => { input.dataset.id = ""; });
  const row = h("div", { class: "shortage" },
    h("div", { class: "pick" }, h("label", { for: input.id }, "Item that runs short"), input, list),
    h("label", {}, "Available (0 to 1)", h("input", { type: "number", min: 0, max: 1, step: 0.05, value: shortage.availability, required: true, name: "availability" })),
    h("button", { type: "button", "aria-label": "Remove this shortage", onclick: () => { if (rows.children.length > 1) row.remove(); } }, "Remove"));
  rows.append(row);
  return row;
}

async function scenarioPage(text) {
  const scenario = parseScenario(text);
  const rows = h("div", {});
  let n = 0;
  (scenario.shortages.length ? scenario.shortages : [{ id: "", availability: 0 }]).forEach((x) => shortageRow(rows, x, n++));
  const substitution = h("input", { type: "checkbox", id: "substitution", checked: scenario.substitution });
  const form = h("form", { "aria-label": "Scenario", novalidate: true, onsubmit: (ev) => {
    ev.preventDefault();
    const parts = [];
    for (const row of rows.children) {
      const pick = row.querySelector("input[role=combobox]");
      const share = row.querySelector("input[name=availability]");
      const value = Number(share.value);
      if (!pick.value.trim()) return showError(`Each shortage needs an item: row ${parts.length + 1} has none.`);
      share.setAttribute("aria-invalid", String(share.value === "" || !(value >= 0 && value <= 1)));
      if (share.getAttribute("aria-invalid") === "true") {
        share.focus();
        return showError(`Availability of “${pick.value}” is “${share.value}”; expected a number from 0 (none) to 1 (all).`);
      }
      parts.push(`${encodeURIComponent(pick.dataset.id || pick.value.trim())}=${value}`);
    }
    const hash = `#/scenario/${parts.join(",")}${substitution.checked ? "/substitution" : ""}`;
    if (location.hash === hash) route(); else location.hash = hash;
  } },
  h("fieldset", {}, h("legend", {}, "Shortages: what runs short, and how much of it is still available"), rows,
    h("button", { type: "button", onclick: () => shortageRow(rows, { id: "", availability: 0 }, n++).querySelector("input").focus() }, "Add a shortage")),
  h("p", { class: "row" }, h("label", {}, substitution, " Substitution: any mix of a requirement's sources"),
    h("button", { type: "submit", class: "primary" }, "Run the scenario")));
  const head = [h("h1", { tabindex: "-1" }, "Scenario: what breaks, for whom, and why"),
    h("p", { class: "lede" }, "Availability 0 means none is left, 0.5 half, 1 all of it.")];
  const out = [...head, h("div", { class: "scenario" }, h("section", { "aria-label": "Shortages" }, form))];
  if (!scenario.shortages.length) return out;
  const [results, named] = await impactResults(scenario);
  named.forEach((x, i) => { // the names the API resolved, in place of what the link said
    const input = rows.children[i] && rows.children[i].querySelector("input[role=combobox]");
    if (input) { input.value = x.entity.name; input.dataset.id = x.entity.id; }
  });
  return [...head, h("div", { class: "scenario" }, h("section", { "aria-label": "Shortages" }, form),
    h("section", { "aria-label": "Affected items" }, results))];
}

const IMPACT = `query Impact($shortages: [ShortageInput!]!, $substitution: Boolean!, $after: String) {
  impact(shortages: $shortages, substitution: $substitution, first: 50, after: $after) {
    totalCount summary { blocked constrained possiblyConstrained ok }
    shortages { entity { id name } availability } pageInfo { hasNextPage endCursor }
    edges { node { entity { id name layer } status availabilityLow availabilityHigh chain rootCause { id name }
      explanation { entity { id name } availabilityLow availabilityHigh requirement via cause facts { ...P }
        shares { supplier { id name } share availabilityLow availabilityHigh provenance { ...P } } } } } } } ${PROVENANCE}`;

function affected(item) {
  const names = new Map(item.explanation.map((x) => [x.entity.id, x.entity.name]));
  if (item.rootCause) names.set(item.rootCause.id, item.rootCause.name);
  return h("li", { class: `s-${item.status}` },
    h("span", { class: "badge" }, STATUS_TEXT[item.status]), " ", link(item.entity.id, item.entity.name), " ", layerTag(item.entity.layer),
    ` · available ${range(item.availabilityLow, item.availabilityHigh)}`,
    item.availabilityLow === item.availabilityHigh ? "" : " (a range: shares no source gives)",
    h("div", { class: "chain" }, "Why: ", item.chain.map((id, i) => [i ? " → " : "", link(id, names.get(id) || id)])),
    h("details", {}, h("summary", {}, "Explanation and sources"), h("ol", { class: "steps" }, item.explanation.map((x) =>
      h("li", {}, link(x.entity.id, x.entity.name), ` (available ${range(x.availabilityLow, x.availabilityHigh)}) `,
        x.cause ? ["needs ", link(x.cause, names.get(x.cause) || x.cause)] : "is the shortage itself", x.via ? ` as its ${x.via}` : "",
        h("ul", {}, x.facts.map((p) => h("li", {}, "fact: ", source(p))),
          x.shares.map((sh) => h("li", {}, "from ", link(sh.supplier.id, sh.supplier.name), ": share ",
            sh.share === null ? "not sourced" : pct(sh.share), `, available ${range(sh.availabilityLow, sh.availabilityHigh)} · `, source(sh.provenance)))))))));
}

async function impactResults(scenario) {
  const variables = { shortages: scenario.shortages, substitution: scenario.substitution, after: null };
  const data = await gql(IMPACT, variables);
  const impact = data.impact;
  const sum = impact.summary;
  const list = h("ul", { class: "affected", "aria-label": "Affected items" });
  const more = h("button", { type: "button", hidden: !impact.pageInfo.hasNextPage });
  let page = impact;
  const append = (p) => {
    list.append(...p.edges.map((e) => affected(e.node)));
    more.hidden = !p.pageInfo.hasNextPage;
    more.textContent = `Show more (${list.children.length} of ${impact.totalCount} shown)`;
  };
  more.addEventListener("click", async () => {
    try {
      page = (await gql(IMPACT, { ...variables, after: page.pageInfo.endCursor })).impact;
      append(page);
    } catch (e) {
      showError(e);
    }
  });
  append(impact);
  const count = (status, n) => h("li", { class: `s-${status}` }, h("span", { class: "badge" }, STATUS_TEXT[status]), ` ${n}`);
  return [[
    h("h2", {}, "If ", impact.shortages.map((x, i) => [i ? " and " : "", link(x.entity.id, x.entity.name), ` is at ${pct(x.availability)}`])),
    h("ul", { class: "counts", "aria-label": "Items by status" }, count("BLOCKED", sum.blocked), count("CONSTRAINED", sum.constrained),
      count("POSSIBLY_CONSTRAINED", sum.possiblyConstrained), h("li", {}, `${sum.ok} not affected`)),
    impact.totalCount ? list : h("p", {}, "Nothing is affected."), more,
  ], impact.shortages];
}

// ---- the critical path as a timeline -------------------------------------------------------

async function criticalPathPage(id) {
  const data = await gql(`query Path($id: ID!) { criticalPath(id: $id) { entity { id name } totalDays missingInClosureCount
    missingLeadTimes { kind node } steps { kind node entity { id name layer } requirement days cumulative leadTimeKnown weak provenance { ...P } } } } ${PROVENANCE}`, { id });
  const path = data.criticalPath;
  const label = (st) => (st.entity ? `${st.entity.name} (${st.kind})` : `${st.node.replace("/", " needs ")} (${st.kind})`);
  const total = Math.max(path.totalDays, 1);
  const LEFT = 260, BAR = 520, H = 24, TOP = 26;
  const x = (days) => LEFT + (days / total) * BAR;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * total));
  const svg = s("svg", { viewBox: `0 0 ${LEFT + BAR + 70} ${TOP + path.steps.length * H + 6}`, width: LEFT + BAR + 70,
    height: TOP + path.steps.length * H + 6, role: "img", "aria-label": `Critical path of ${path.entity.name}: ${path.totalDays} days` },
  ticks.map((t) => [s("line", { class: "axis", x1: x(t), x2: x(t), y1: TOP - 6, y2: TOP + path.steps.length * H }),
    s("text", { x: x(t) - 8, y: 14 }, `${t} d`)]),
  path.steps.map((st, i) => {
    const y = TOP + i * H;
    const text = label(st);
    return s("g", { class: `l-${(st.entity && st.entity.layer) || "none"}` },
      s("text", { x: 4, y: y + 16 }, text.length > 38 ? `${text.slice(0, 37)}…` : text),
      s("rect", { class: `bar${st.leadTimeKnown ? "" : " unknown"}`, x: x(st.cumulative - st.days), y: y + 4,
        width: Math.max(x(st.cumulative) - x(st.cumulative - st.days), 3), height: H - 8 }),
      s("text", { x: x(st.cumulative) + 6, y: y + 16 }, st.leadTimeKnown ? `${st.days} d` : "unknown"));
  }));
  return [
    h("h1", { tabindex: "-1" }, `Critical path of ${path.entity.name}: ${path.totalDays} days`),
    h("p", { class: "lede" }, "The lead-time path that decides how long it takes, first step on top. ",
      path.missingLeadTimes.length ? `${path.missingLeadTimes.length} steps on it have no known lead time (dashed), so the total is a lower bound. ` : "",
      `${path.missingInClosureCount} items, requirements and sources below it have no lead time.`),
    h("div", { class: "scroll figure" }, svg),
    h("h2", {}, "Steps"),
    table("Each step with its days, the running total and its source", ["#", "Step", "Kind", "Days", "Cumulative", "Source"],
      path.steps.map((st, i) => h("tr", {}, h("td", {}, i + 1),
        h("td", {}, st.entity ? link(st.entity.id, st.entity.name) : st.node.replace("/", " needs ")),
        h("td", {}, st.kind), h("td", { class: "num" }, st.leadTimeKnown ? st.days : "unknown"), h("td", { class: "num" }, st.cumulative),
        h("td", {}, source(st.provenance), st.weak ? h("strong", {}, " rests on a weak fact") : "")))),
  ];
}

async function chokepointsPage(firstText) {
  const first = Number(firstText || 10);
  const data = await gql(`query Choke($first: Int) { chokepoints(first: $first) { entity { id name layer category }
    endProductsBlocked score endProducts { id name } } }`, { first });
  const picker = h("select", { id: "top", onchange: (ev) => { location.hash = `#/chokepoints/${ev.target.value}`; } },
    [10, 20, 50].map((n) => h("option", { value: n, selected: n === first }, `top ${n}`)));
  return [
    h("h1", { tabindex: "-1" }, "Chokepoints"),
    h("p", { class: "lede" }, "Items ranked by how many end products their loss alone blocks."),
    h("p", { class: "row" }, h("label", { for: "top" }, "Show "), picker),
    table("The items whose loss alone blocks the most end products", ["Rank", "Item", "Layer", "End products blocked", "Score", "Which"],
      data.chokepoints.map((c, i) => h("tr", {}, h("td", {}, i + 1), h("td", {}, link(c.entity.id, c.entity.name)),
        h("td", {}, layerTag(c.entity.layer)), h("td", { class: "num" }, c.endProductsBlocked), h("td", { class: "num" }, c.score.toFixed(1)),
        h("td", {}, h("details", {}, h("summary", {}, `${c.endProducts.length} end products`),
          c.endProducts.map((p, j) => [j ? ", " : "", link(p.id, p.name)])))))),
  ];
}

// ---- routing --------------------------------------------------------------------------------

const ROUTES = [
  [/^#?\/?$/, home],
  [/^#\/entity\/(.+)$/, entityPage],
  [/^#\/dependencies\/([^?]+)(?:\?depth=(\d+))?$/, dependencyPage],
  [/^#\/scenario(?:\/(.*))?$/, scenarioPage],
  [/^#\/critical-path\/(.+)$/, criticalPathPage],
  [/^#\/chokepoints(?:\/(\d+))?$/, chokepointsPage],
];
let shown = 0;

async function route(event) {
  const mine = ++shown;
  errorBox.hidden = true;
  statusLine.textContent = "Loading…";
  const found = ROUTES.map(([pattern, draw]) => [location.hash.match(pattern), draw]).find(([m]) => m);
  let nodes;
  try {
    if (!found) throw new Error(`there is no view at “${location.hash}”`);
    const [match, draw] = found;
    const args = match.slice(1).map((a) => (a === undefined || draw === scenarioPage ? a : decodeURIComponent(a)));
    nodes = await draw(...args);
  } catch (e) {
    if (mine !== shown) return;
    nodes = [h("h1", { tabindex: "-1" }, "Nothing to show"), h("p", {}, h("a", { href: "#/" }, "Back to the start"))];
    showError(e);
  }
  if (mine !== shown) return;
  view.replaceChildren(...nodes.flat(Infinity).filter(Boolean));
  statusLine.textContent = "";
  const title = view.querySelector("h1");
  document.title = `${title ? title.textContent : "stackgraph"} · stackgraph explorer`;
  if (event && title) title.focus();
}

const search = document.getElementById("search");
combobox(search, document.getElementById("search-options"), (item) => {
  search.value = "";
  location.hash = `#/entity/${encodeURIComponent(item.id)}`;
});
document.getElementById("search-form").addEventListener("submit", (ev) => ev.preventDefault());
window.addEventListener("hashchange", route);
route();

// Shared plumbing for the live pages: one websocket per page through realtime.js (reconnects and
// asks for missed events with `since`), a visible connection status, and screen-reader
// announcements. Texts come from the page (json_script "live-texts") so they are translated.
import { connect } from "./realtime.js";

export function texts() {
  const node = document.getElementById("live-texts");
  return node ? JSON.parse(node.textContent) : {};
}

export function socketUrl(path) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}${path}`;
}

export function announce(message) {
  const region = document.querySelector("[data-announce]");
  if (!region) return;
  region.textContent = "";
  window.setTimeout(() => { region.textContent = message; }, 50);
}

export function startLive({ path, since, onEvent, onResync }) {
  const t = texts();
  const status = document.querySelector("[data-live-status]");
  const onStatus = (state) => {
    if (!status) return;
    const known = ["open", "connecting", "closed", "denied"];
    const key = known.includes(state) ? state : "closed";
    status.dataset.state = key;
    status.textContent = t[`status_${key}`] || key;
  };
  const options = { since: Number(since) || 0, onEvent, onStatus };
  // Too much was missed to replay: the page fetches its current state (default: reload).
  if (onResync) options.onResync = onResync;
  return connect(socketUrl(path), options);
}

// Fetch a server-rendered fragment (same templates and translations as the full page).
export async function fragment(url) {
  const response = await fetch(url, {
    credentials: "same-origin",
    headers: { "X-Requested-With": "fetch" },
  });
  if (!response.ok) return null;
  const html = (await response.text()).trim();
  const template = document.createElement("template");
  template.innerHTML = html;
  return template.content;
}

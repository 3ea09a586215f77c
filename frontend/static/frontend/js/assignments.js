// "My assignments": when an assignment is added, cancelled, reopened or otherwise changed, the
// list is fetched again from the server (same template and translations) and the change is
// announced, as "My bookings" does for bookings.
import { announce, fragment, startLive, texts } from "./live.js";

const root = document.querySelector("[data-live-assignments]");
const list = root.querySelector("[data-assignment-list]");
const t = texts();
let pending = null;

async function refresh() {
  const content = await fragment(root.dataset.listUrl);
  if (content) list.replaceChildren(content);
}

startLive({
  path: root.dataset.socketPath,
  since: root.dataset.since,
  onResync: refresh,
  onEvent(event) {
    if (event.type !== "assignment.changed") return;
    const payload = event.payload || {};
    // A burst (several events replayed after a reconnect) is fetched once.
    window.clearTimeout(pending);
    pending = window.setTimeout(refresh, 150);
    announce(t[`changed_${payload.change}`] || t.changed || "");
  },
});

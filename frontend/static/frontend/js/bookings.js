// "My bookings" (and the coordinator's board uses the same idea): when a booking of the
// organisation changes, the rows are fetched again from the server and the change is announced.
import { announce, fragment, startLive, texts } from "./live.js";

const root = document.querySelector("[data-live-bookings]");
const rows = root.querySelector("[data-rows]");
const t = texts();
let pending = null;

async function refresh() {
  const content = await fragment(root.dataset.rowsUrl);
  if (content) rows.replaceChildren(content);
}

startLive({
  path: root.dataset.socketPath,
  since: root.dataset.since,
  onResync: refresh,
  onEvent(event) {
    if (event.type !== "booking.changed") return;
    const payload = event.payload || {};
    const status = t[`booking_${payload.status}`] || payload.status;
    // Several events often arrive together (offers sent, accepted): fetch once for the burst.
    window.clearTimeout(pending);
    pending = window.setTimeout(refresh, 150);
    if (t.changed) announce(t.changed.replace("%(id)s", payload.booking_id).replace("%(status)s", status));
  },
});

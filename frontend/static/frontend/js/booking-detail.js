// Booking detail: when this booking changes, the status, interpreter and audit trail are fetched
// again from the server.
import { announce, fragment, startLive, texts } from "./live.js";

const root = document.querySelector("[data-live-booking]");
const bookingId = Number(root.dataset.liveBooking);
const t = texts();
let pending = null;

async function refresh() {
  // Keep what the user is typing in the cancel form.
  const active = document.activeElement;
  if (active && root.contains(active) && active.matches("input, textarea")) return;
  const content = await fragment(root.dataset.liveUrl);
  if (content) root.replaceChildren(content);
}

startLive({
  path: root.dataset.socketPath,
  since: root.dataset.since,
  onResync: refresh,
  onEvent(event) {
    const payload = event.payload || {};
    if (event.type !== "booking.changed" || Number(payload.booking_id) !== bookingId) return;
    window.clearTimeout(pending);
    pending = window.setTimeout(refresh, 150);
    const status = t[`booking_${payload.status}`] || payload.status;
    if (t.changed) announce(t.changed.replace("%(id)s", payload.booking_id).replace("%(status)s", status));
  },
});

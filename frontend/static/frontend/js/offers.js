// Interpreter's offers page: an offer.created event brings its card in without a reload; an
// offer.withdrawn event closes the card with the reason (taken, cancelled, blocked, rules, expired).
import { announce, fragment, startLive, texts } from "./live.js";

const root = document.querySelector("[data-live-offers]");
const list = root.querySelector("[data-offer-list]");
const empty = root.querySelector("[data-empty]");
const t = texts();

function refreshEmpty() {
  empty.hidden = list.querySelector("[data-offer-id]:not([data-closed])") !== null;
}

async function showOffer(offerId) {
  if (list.querySelector(`[data-offer-id="${offerId}"]`)) return;
  const url = root.dataset.cardUrl.replace(/\/0\/card\/$/, `/${offerId}/card/`);
  const content = await fragment(url);
  if (!content || list.querySelector(`[data-offer-id="${offerId}"]`)) return;
  list.prepend(content);
  refreshEmpty();
  const title = list.querySelector(`[data-offer-id="${offerId}"] h2`);
  announce(`${t.new_offer || "New offer"}: ${title ? title.textContent : ""}`);
}

function closeOffer(offerId, reason) {
  const card = list.querySelector(`[data-offer-id="${offerId}"]`);
  if (!card) return;
  card.dataset.closed = "true";
  const actions = card.querySelector("[data-offer-actions]");
  const note = document.createElement("p");
  note.className = "notice notice--warning";
  note.textContent = t[`withdrawn_${reason}`] || t.withdrawn || reason;
  if (actions) actions.replaceWith(note);
  announce(note.textContent);
  refreshEmpty();
}

startLive({
  path: root.dataset.socketPath,
  since: root.dataset.since,
  onEvent(event) {
    const payload = event.payload || {};
    if (event.type === "offer.created") showOffer(payload.offer_id);
    else if (event.type === "offer.withdrawn") closeOffer(payload.offer_id, payload.reason);
    else if (event.type === "assignment.changed") announce(t.assignment_changed || "");
  },
});

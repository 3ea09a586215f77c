// Tolk's websocket client: one live connection to ws/interpreter/ or ws/bookings/ that reconnects
// by itself and never loses an event.
//
//   import { connect } from "./realtime.js";
//   const live = connect("wss://tolk.example/ws/bookings/", {
//     since: 1234,                       // last event id the page already shows (0: live only)
//     onEvent: (event) => {},            // {id, type, payload, created_at}, each id once, in order
//     onStatus: (state) => {},           // "connecting" | "open" | "closed" | "denied"
//     onMessage: (message) => {},        // replies and errors that are not events (optional)
//     onResync: () => {},                // too much was missed: reload the data (default: reload)
//   });
//   const reply = await live.request({ type: "offer.accept", offer_id: 12,
//                                      impartial: true, confidentiality: true });
//   // reply.status === "accepted", or "error" with reply.code / reply.detail / reply.fields
//   live.close();
//
// Reconnects with exponential backoff (1 s doubling to 30 s, with jitter), at once when the
// browser comes back online or the tab becomes visible, and each time asks for `since` = the
// highest event id seen, so the server replays exactly what was missed. Close codes 4400 (bad
// request), 4401 (not logged in) and 4403 (wrong role) are final: state "denied", no retry; the
// server closes long-lived sockets with 4000, which simply reconnects.
// A browser sends its session cookie; other clients add `?ticket=` from POST
// /api/v1/auth/ws-ticket/ to the URL through `ticket: async () => "..."` (a new one each time).

const FINAL_CLOSE_CODES = new Set([4400, 4401, 4403]);
const SEEN_LIMIT = 2000;
const REQUEST_TIMEOUT_MS = 15000;

export function backoffDelay(attempt, { minDelay = 1000, maxDelay = 30000, random = Math.random } = {}) {
  const ceiling = Math.min(maxDelay, minDelay * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export function withQuery(url, params) {
  const parsed = new URL(url, typeof window !== "undefined" ? window.location.href : undefined);
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") parsed.searchParams.delete(key);
    else parsed.searchParams.set(key, String(value));
  }
  return parsed.toString();
}

export function connect(url, options = {}) {
  const {
    since = 0,
    onEvent = () => {},
    onStatus = () => {},
    onMessage = () => {},
    onResync = () => { if (typeof window !== "undefined") window.location.reload(); },
    ticket = null,
    minDelay = 1000,
    maxDelay = 30000,
    WebSocketImpl = globalThis.WebSocket,
    timers = globalThis,
  } = options;

  let lastId = Number(since) > 0 ? Math.floor(Number(since)) : 0;
  const seen = new Set();
  const seenOrder = [];
  const pending = new Map();
  let socket = null;
  let attempt = 0;
  let retryTimer = null;
  let stopped = false;
  let state = "closed";
  let nextRequest = 1;

  function setState(next) {
    if (state === next) return;
    state = next;
    onStatus(next);
  }

  function remember(id) {
    seen.add(id);
    seenOrder.push(id);
    if (seenOrder.length > SEEN_LIMIT) seen.delete(seenOrder.shift());
  }

  function failPending(reason) {
    for (const { reject, timer } of pending.values()) {
      timers.clearTimeout(timer);
      reject(new Error(reason));
    }
    pending.clear();
  }

  function handle(message) {
    if (message && typeof message.id === "number" && typeof message.type === "string") {
      if (seen.has(message.id)) return;
      remember(message.id);
      if (message.id > lastId) lastId = message.id;
      attempt = 0;
      onEvent(message);
      return;
    }
    if (message && message.type === "resync") {
      onResync(message);
      return;
    }
    if (message && message.request_id !== undefined && pending.has(message.request_id)) {
      const { resolve, timer } = pending.get(message.request_id);
      pending.delete(message.request_id);
      timers.clearTimeout(timer);
      resolve(message);
      return;
    }
    onMessage(message);
  }

  async function open() {
    if (stopped) return;
    setState("connecting");
    let target = withQuery(url, { since: lastId > 0 ? lastId : undefined });
    if (ticket) {
      try {
        target = withQuery(target, { ticket: await ticket() });
      } catch (error) {
        scheduleRetry();
        return;
      }
      if (stopped) return;
    }
    let ws;
    try {
      ws = new WebSocketImpl(target);
    } catch (error) {
      scheduleRetry();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      setState("open");
      // A connection that stays up for a while resets the backoff even without events.
      ws.stableTimer = timers.setTimeout(() => { attempt = 0; }, 5000);
    };
    ws.onmessage = (message) => {
      if (socket !== ws) return;
      let data;
      try {
        data = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      handle(data);
    };
    ws.onclose = (event) => {
      timers.clearTimeout(ws.stableTimer);
      if (socket !== ws) return;
      socket = null;
      failPending("connection closed");
      if (stopped) {
        setState("closed");
      } else if (FINAL_CLOSE_CODES.has(event.code)) {
        stopped = true;
        setState("denied");
      } else {
        if (event.code === 4000) attempt = 0;
        scheduleRetry();
      }
    };
    ws.onerror = () => {
      // onclose follows and decides what happens next.
    };
  }

  function scheduleRetry() {
    if (stopped || retryTimer !== null) return;
    setState("closed");
    const delay = backoffDelay(attempt, { minDelay, maxDelay });
    attempt += 1;
    retryTimer = timers.setTimeout(() => {
      retryTimer = null;
      open();
    }, delay);
  }

  function retryNow() {
    if (stopped || socket !== null) return;
    if (retryTimer !== null) {
      timers.clearTimeout(retryTimer);
      retryTimer = null;
    }
    attempt = 0;
    open();
  }

  const onOnline = () => retryNow();
  const onVisible = () => {
    if (typeof document !== "undefined" && document.visibilityState === "visible") retryNow();
  };
  if (typeof window !== "undefined" && window.addEventListener) {
    window.addEventListener("online", onOnline);
  }
  if (typeof document !== "undefined" && document.addEventListener) {
    document.addEventListener("visibilitychange", onVisible);
  }

  open();

  return {
    get state() { return state; },
    get lastId() { return lastId; },
    // Send a message; false if the socket is not open (nothing is queued).
    send(message) {
      if (!socket || socket.readyState !== 1) return false;
      socket.send(JSON.stringify(message));
      return true;
    },
    // Send a message and wait for the reply with the same request_id.
    request(message, { timeout = REQUEST_TIMEOUT_MS } = {}) {
      const requestId = `r${nextRequest++}`;
      return new Promise((resolve, reject) => {
        if (!socket || socket.readyState !== 1) {
          reject(new Error("not connected"));
          return;
        }
        const timer = timers.setTimeout(() => {
          pending.delete(requestId);
          reject(new Error("no reply"));
        }, timeout);
        pending.set(requestId, { resolve, reject, timer });
        socket.send(JSON.stringify({ ...message, request_id: requestId }));
      });
    },
    close() {
      stopped = true;
      if (retryTimer !== null) timers.clearTimeout(retryTimer);
      retryTimer = null;
      if (typeof window !== "undefined" && window.removeEventListener) {
        window.removeEventListener("online", onOnline);
      }
      if (typeof document !== "undefined" && document.removeEventListener) {
        document.removeEventListener("visibilitychange", onVisible);
      }
      const ws = socket;
      socket = null;
      failPending("closed");
      if (ws) ws.close(1000);
      setState("closed");
    },
  };
}

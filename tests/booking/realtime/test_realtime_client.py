"""The browser client `frontend/static/frontend/js/realtime.js`, run under Node with a fake
WebSocket and fake timers: reconnect with backoff and `since`, each event once, final close codes,
request/reply."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

CLIENT = Path(__file__).resolve().parents[3] / "frontend/static/frontend/js/realtime.js"

SCENARIO = r"""
import { connect, backoffDelay } from "CLIENT_URL";

const sockets = [];
class FakeSocket {
  constructor(url) { this.url = url; this.readyState = 0; this.sent = []; sockets.push(this); }
  send(text) { this.sent.push(JSON.parse(text)); }
  close(code) { this.readyState = 3; this.closedWith = code; }
  open() { this.readyState = 1; this.onopen && this.onopen(); }
  deliver(message) { this.onmessage({ data: JSON.stringify(message) }); }
  drop(code) { this.readyState = 3; this.onclose({ code }); }
}
const timers = {
  queue: [], next: 1,
  setTimeout(fn, ms) { const id = this.next++; this.queue.push({ id, fn, ms }); return id; },
  clearTimeout(id) { this.queue = this.queue.filter((t) => t.id !== id); },
  fire(ms) {
    const due = this.queue.filter((t) => t.ms === ms);
    this.queue = this.queue.filter((t) => t.ms !== ms);
    due.forEach((t) => t.fn());
  },
  retries() { return this.queue.filter((t) => t.ms !== 5000 && t.ms !== 15000); },
};
const out = { events: [], states: [], messages: [], resyncs: 0 };
const live = connect("ws://tolk.test/ws/interpreter/", {
  since: 5, WebSocketImpl: FakeSocket, timers,
  onEvent: (e) => out.events.push(e.id),
  onStatus: (s) => out.states.push(s),
  onMessage: (m) => out.messages.push(m),
  onResync: () => { out.resyncs += 1; },
});
const ev = (id) => ({ id, type: "offer.created", payload: {}, created_at: "" });
out.urls = [sockets[0].url];
sockets[0].open();
sockets[0].deliver(ev(6));
sockets[0].deliver(ev(7));
sockets[0].deliver(ev(7));
sockets[0].deliver({ type: "error", code: "invalid" });
sockets[0].drop(1006);
out.retry = timers.retries().map((t) => t.ms);
timers.fire(out.retry[0]);
out.urls.push(sockets[1].url);
sockets[1].open();
sockets[1].deliver(ev(4));     // a late commit with a smaller id: new, delivered
sockets[1].deliver(ev(6));     // replayed again: dropped
sockets[1].deliver(ev(8));
sockets[1].deliver({ type: "resync", limit: 1000 });
const reply = live.request({ type: "offer.accept", offer_id: 3 });
const sent = sockets[1].sent[0];
sockets[1].deliver({ type: "offer.accept.result", request_id: sent.request_id,
                     status: "accepted" });
out.reply = await reply;
out.sent = sent;
out.lastId = live.lastId;
sockets[1].drop(4401);
out.afterDenied = timers.retries().length;
out.finalState = live.state;
out.socketCount = sockets.length;
out.backoff = [0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, { random: () => 1 }));
out.backoffLow = backoffDelay(3, { random: () => 0 });
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def run_client():
    node = shutil.which("node")
    if node is None:
        pytest.skip("needs Node.js to run the browser client")
    script = SCENARIO.replace("CLIENT_URL", CLIENT.as_uri())
    result = subprocess.run(
        [node, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_first_connect_asks_for_since_and_reconnect_for_the_last_seen_id(run_client):
    first, second = run_client["urls"]
    assert first == "ws://tolk.test/ws/interpreter/?since=5"
    assert second == "ws://tolk.test/ws/interpreter/?since=7"


def test_each_event_once_including_a_late_smaller_id(run_client):
    assert run_client["events"] == [6, 7, 4, 8]
    assert run_client["lastId"] == 8


def test_non_events_go_to_on_message_and_resync_is_signalled(run_client):
    assert run_client["messages"] == [{"type": "error", "code": "invalid"}]
    assert run_client["resyncs"] == 1


def test_request_gets_its_reply(run_client):
    assert run_client["sent"]["type"] == "offer.accept"
    assert run_client["sent"]["request_id"]
    assert run_client["reply"]["status"] == "accepted"


def test_backoff_after_a_drop_and_no_retry_after_4401(run_client):
    assert len(run_client["retry"]) == 1 and 500 <= run_client["retry"][0] <= 1000
    assert run_client["states"][:3] == ["connecting", "open", "closed"]
    assert run_client["afterDenied"] == 0
    assert run_client["finalState"] == "denied"
    assert run_client["socketCount"] == 2


def test_backoff_doubles_up_to_thirty_seconds(run_client):
    assert run_client["backoff"] == [1000, 2000, 4000, 8000, 16000, 30000, 30000]
    assert run_client["backoffLow"] == 4000

/**
 * The page's state: object summaries by key, flow records, the log position and the
 * mode (live, paused, replay). Fed by two event streams whose ids are sequences, so the
 * browser's reconnect resumes where it stopped. While paused, incoming changes wait in a
 * queue and are applied on resume; in replay the state is the log at one sequence.
 */

const MAX_FLOWS = 5000;
/** One frame at 60 Hz: renders closer together than this are coalesced. */
const FRAME_MS = 16;

/** Creates the store; `listeners` are called after changes (at most about once per frame). */
export function createStore() {
  const s = {
    summaries: new Map(),
    flows: [],
    seq: 0,
    head: 0,
    time: 0,
    mode: 'live',
    paused: false,
    connected: false,
    pending: [],
    version: 0,
  };
  const listeners = new Set();
  let scheduled = false;
  let events;
  let flowEvents;

  let lastFlush = Number.NEGATIVE_INFINITY;
  function flush() {
    scheduled = false;
    lastFlush = performance.now();
    s.version++;
    for (const fn of listeners) fn();
  }

  function notify() {
    if (scheduled) return;
    scheduled = true;
    // The first change after a quiet frame is rendered at once, so the next frame shows it;
    // changes that follow within a frame are coalesced into one render per animation frame.
    if (performance.now() - lastFlush > FRAME_MS) queueMicrotask(flush);
    else requestAnimationFrame(flush);
  }

  function applyChange(c) {
    if (c.summary) s.summaries.set(c.key, c.summary);
    else s.summaries.delete(c.key);
    s.seq = Math.max(s.seq, c.seq);
    s.time = c.time;
  }

  function addFlows(batch) {
    for (const r of batch.records) s.flows.push({ seq: batch.seq, ...r });
    if (s.flows.length > MAX_FLOWS) s.flows.splice(0, s.flows.length - MAX_FLOWS);
  }

  function onChange(c) {
    s.head = Math.max(s.head, c.seq);
    if (s.mode !== 'live') return;
    if (s.paused) s.pending.push({ change: c });
    else applyChange(c);
    notify();
  }

  function onFlows(b) {
    if (s.paused) s.pending.push({ flows: b });
    else addFlows(b);
    notify();
  }

  async function loadState(at) {
    // The page's HTML asked for the first state already, while this bundle loaded.
    const early = window.__kemuState;
    window.__kemuState = undefined;
    const state =
      early && early.at === (at ?? 0)
        ? await early.state
        : await (await fetch(at ? `/api/state?at=${at}` : '/api/state')).json();
    s.summaries = new Map(state.summaries.map((x) => [x.key, x]));
    s.seq = state.seq;
    s.head = Math.max(s.head, state.head);
    s.time = state.time;
    s.mode = state.live ? 'live' : 'replay';
    notify();
    return state;
  }

  function follow() {
    events?.close();
    events = new EventSource(`/api/events?after=${s.seq}`);
    events.addEventListener('change', (e) => onChange(JSON.parse(e.data)));
    events.addEventListener('reset', () => {
      events.close();
      void loadState().then(follow);
    });
    events.onopen = () => {
      s.connected = true;
      notify();
    };
    events.onerror = () => {
      s.connected = false;
      notify();
    };
  }

  return {
    get: () => s,
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    /** Starts live, or at `at` (a sequence) in replay. */
    async start(at) {
      flowEvents = new EventSource('/api/flows');
      flowEvents.addEventListener('flows', (e) => onFlows(JSON.parse(e.data)));
      if (at) await this.travel(at);
      else {
        await loadState();
        follow();
      }
    },
    async travel(at) {
      events?.close();
      events = undefined;
      s.pending = [];
      s.paused = false;
      await loadState(at);
      if (s.mode === 'live') follow();
      else {
        // Keep the head moving while replaying, to show how far behind the scrubber is.
        events = new EventSource(`/api/events?after=${s.head}`);
        events.addEventListener('change', (e) => onChange(JSON.parse(e.data)));
      }
      history.replaceState(null, '', s.mode === 'live' ? location.pathname : `?at=seq:${s.seq}`);
    },
    async goLive() {
      await this.travel(undefined);
    },
    setPaused(p) {
      s.paused = p;
      if (!p) {
        for (const item of s.pending) {
          if (item.change) applyChange(item.change);
          else addFlows(item.flows);
        }
        s.pending = [];
      }
      notify();
    },
  };
}

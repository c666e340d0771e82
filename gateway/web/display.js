// The projector page: a large QR of the session's current slot code, swapped at each slot
// boundary, with a countdown. It holds the next few slots, so a short network loss does not
// blank the screen, and it keeps time by the server's clock (measured on every fetch), so a
// projector laptop with a wrong clock still shows the right code.
import {
  ApiError, KeyStore, apiGet, applyStrings, askForKey, clockTime, onLanguageChange,
  setupLanguageSwitch, t,
} from './venue.js';

const REFRESH_MS = 5000; // fetch again after a success (cheap; also re-measures the clock)
const RETRY_MS = 3000; // after a failure
const CLOCK_WARNING_MS = 5000; // show the clock warning beyond this difference
const TICK_MS = 200;

const $ = (id) => document.getElementById(id);
const keys = new KeyStore('display');
const sessionId = decodeURIComponent(location.pathname.split('/').pop());
const state = {
  info: null, // the last answer, less its slots
  slots: [], // {from, until, svg, text}, in time order
  offsetMs: 0, // server clock − this device's clock
  online: true,
  stopped: false, // 401/404: waiting for a key, no more fetches
  shown: null, // the slot on screen
  notice: '', // a lasting problem to show instead of a code
  timer: 0,
};

const now = () => Date.now() + state.offsetMs;

function showCode(slot) {
  const qr = $('qr');
  if (state.shown === slot) return;
  state.shown = slot;
  if (!slot) {
    qr.replaceChildren();
    qr.hidden = true;
    delete qr.dataset.validUntil;
    return;
  }
  // The server's SVG is parsed as XML, never run: it is only <rect> and <path>.
  const svg = new DOMParser().parseFromString(slot.svg, 'image/svg+xml').documentElement;
  qr.replaceChildren(document.importNode(svg, true));
  qr.dataset.validFrom = String(slot.from);
  qr.dataset.validUntil = String(slot.until);
  qr.hidden = false;
}

function showMessage(text) {
  const m = $('message');
  m.textContent = text;
  m.hidden = !text;
}

function renderInfo() {
  const info = state.info;
  if (!info) return;
  const s = info.session;
  $('meeting').textContent = info.meeting.name;
  $('title').textContent = s.title;
  const credit = t(`credit_${s.credit_kind}`, { u: s.units });
  $('details').textContent = `${s.room} · ${clockTime(s.starts_at)}–${clockTime(s.ends_at)} · ${credit}`;
  document.title = `${s.id} ${s.title}`;
}

// Runs every TICK_MS: the code for the current time, the countdown and the banners.
function tick() {
  const at = now();
  state.slots = state.slots.filter((s) => s.until > at);
  const current = state.slots.find((s) => s.from <= at && at < s.until) || null;
  showCode(current);

  const bar = $('countdown-bar');
  if (current) {
    const left = current.until - at;
    $('countdown').textContent = t('next_code', { s: Math.ceil(left / 1000) });
    bar.style.width = `${(100 * left) / (current.until - current.from)}%`;
    showMessage('');
  } else {
    $('countdown').textContent = '';
    bar.style.width = '0';
    const info = state.info;
    if (!state.online) {
      showMessage(t('display_offline_empty'));
    } else if (state.notice) {
      showMessage(t(state.notice));
    } else if (info && at < Date.parse(info.session.scan_opens_at)) {
      showMessage(t('not_open', { time: clockTime(info.session.scan_opens_at) }));
    } else if (info && at >= Date.parse(info.session.scan_closes_at)) {
      showMessage(t('closed'));
    } else {
      showMessage(t('loading'));
    }
  }

  const offline = $('offline');
  offline.hidden = state.online;
  if (!state.online) {
    const last = state.slots.length ? state.slots[state.slots.length - 1].until : at;
    offline.textContent = state.slots.length
      ? t('display_offline', { s: Math.max(0, Math.round((last - at) / 1000)) })
      : t('display_offline_empty');
  }
  const clock = $('clock');
  const off = Math.round(state.offsetMs / 1000);
  clock.hidden = Math.abs(state.offsetMs) <= CLOCK_WARNING_MS;
  clock.textContent = t('clock_off', { s: Math.abs(off) });
}

function needKey(rejected) {
  state.stopped = true;
  clearTimeout(state.timer);
  keys.clear();
  $('screen').hidden = true;
  askForKey($('key-form'), {
    rejected,
    onKey: (key) => {
      keys.set(key);
      state.stopped = false;
      fetchSlots();
    },
  });
}

async function fetchSlots() {
  clearTimeout(state.timer);
  if (state.stopped) return;
  let next = RETRY_MS;
  try {
    const sent = Date.now();
    const res = await apiGet(`/v1/display/${encodeURIComponent(sessionId)}/slots`, keys.get());
    const received = Date.now();
    const body = await res.json();
    // The server read its clock somewhere between sending and receiving: take the middle.
    state.offsetMs = Date.parse(body.server_time) - (sent + received) / 2;
    const fresh = body.slots.map((s) => ({
      from: Date.parse(s.valid_from),
      until: Date.parse(s.valid_until),
      svg: s.svg,
      text: s.qr_text,
    }));
    // Keep the slot on screen as it is (same object) when the answer repeats it.
    state.slots = fresh.map((f) => state.slots.find((s) => s.from === f.from && s.text === f.text) || f);
    const { slots, ...info } = body;
    state.info = info;
    state.online = true;
    state.notice = '';
    $('screen').hidden = false;
    renderInfo();
    next = REFRESH_MS;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      needKey(Boolean(keys.get()));
      return;
    }
    if (e instanceof ApiError && e.status === 503 && e.code === 'unavailable' && /signing key/.test(e.message)) {
      state.online = true;
      state.notice = 'no_signing_key';
      $('screen').hidden = false;
    } else {
      state.online = false;
    }
  }
  tick();
  state.timer = setTimeout(fetchSlots, next);
}

// A projector must not sleep; not every browser allows it, and that is fine.
async function keepAwake() {
  try {
    if ('wakeLock' in navigator && document.visibilityState === 'visible') {
      await navigator.wakeLock.request('screen');
    }
  } catch {
    // no wake lock: the screen's own settings decide
  }
}

applyStrings();
setupLanguageSwitch($('lang-switch'));
onLanguageChange(() => {
  renderInfo();
  tick();
});
$('fullscreen').addEventListener('click', () => document.documentElement.requestFullscreen?.());
document.addEventListener('visibilitychange', keepAwake);
keepAwake();
setInterval(() => {
  if (!state.stopped && !$('screen').hidden) tick();
}, TICK_MS);
if (keys.get()) {
  fetchSlots();
} else {
  needKey(false);
}

// The organizer dashboard: live counts and sync state per session (polled), a session's
// attendance table, CSV and poster downloads. Everything comes from the organizer JSON API.
import {
  ApiError, KeyStore, apiGet, applyStrings, askForKey, clockTime, monthDay, onLanguageChange,
  saveResponse, setupLanguageSwitch, t,
} from './venue.js';

const POLL_MS = 3000;

const $ = (id) => document.getElementById(id);
const keys = new KeyStore('dashboard');
const state = {
  sessions: null, // GET /v1/sessions
  sync: null, // GET /v1/sync/status
  selected: '', // session id whose attendance is open
  selectedCount: -1, // its count when the table was last loaded
  attendance: null,
  scrollToAttendance: false, // set by a click on a session, done once its table is shown
  timer: 0,
};

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function labelled(td, label) {
  td.dataset.label = t(label);
  return td;
}

// One word for where a session's batches stand (docs/sync.md, "Status").
function syncState(row, sinks) {
  if (!row || row.recorded === 0) return { text: t('sync_none'), cls: 'sync-none' };
  const tallies = Object.values(row.sinks || {});
  const failed = tallies.reduce((n, s) => n + s.failed, 0);
  const pending = tallies.reduce((n, s) => n + s.pending, 0);
  if (failed > 0) return { text: t('sync_failed', { n: failed }), cls: 'sync-failed' };
  if (pending > 0) return { text: t('sync_sending', { n: pending }), cls: 'sync-sending' };
  if (row.unsealed > 0) {
    return row.seal_due_at
      ? { text: t('sync_waiting', { time: clockTime(row.seal_due_at) }), cls: 'sync-waiting' }
      : { text: t('sync_waiting_soon'), cls: 'sync-waiting' };
  }
  if (sinks.length === 0) return { text: t('sync_sealed'), cls: 'sync-sealed' };
  return { text: t('sync_delivered'), cls: 'sync-delivered' };
}

function actionButton(label, className, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = className;
  b.textContent = t(label);
  b.addEventListener('click', onClick);
  return b;
}

// "11/26 09:00–10:00", or with both dates when the session ends on another day
// ("11/26 08:00 – 11/28 18:00"); dates and times in the meeting's offset, as the API gives them.
function sessionTime(s) {
  const from = monthDay(s.starts_at);
  const to = monthDay(s.ends_at);
  if (from === to) return `${from} ${clockTime(s.starts_at)}–${clockTime(s.ends_at)}`;
  return `${from} ${clockTime(s.starts_at)} – ${to} ${clockTime(s.ends_at)}`;
}

function renderSessions() {
  const data = state.sessions;
  if (!data) return;
  $('meeting-name').textContent = data.meeting_name;
  $('total').textContent = String(data.recorded_total);
  $('updated').textContent = t('updated', { time: clockTime(data.generated_at, true) });
  const syncRows = new Map((state.sync?.sessions || []).map((s) => [s.session_id, s]));
  const sinks = state.sync?.sinks || [];
  const rows = data.sessions.map((s) => {
    const tr = document.createElement('tr');
    tr.dataset.session = s.id;
    if (s.id === state.selected) tr.classList.add('selected');
    const title = document.createElement('td');
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'link session-open';
    open.textContent = s.title;
    open.addEventListener('click', () => selectSession(s.id));
    const id = document.createElement('span');
    id.className = 'session-id';
    id.textContent = s.id;
    const both = document.createElement('div');
    both.append(id, open);
    title.append(both);
    tr.append(labelled(title, 'col_session'));
    tr.append(labelled(cell(s.room), 'col_room'));
    tr.append(labelled(cell(sessionTime(s), 'time'), 'col_time'));
    tr.append(labelled(cell(t(`phase_${s.phase}`), `phase phase-${s.phase}`), 'col_phase'));
    tr.append(labelled(cell(String(s.recorded), 'num recorded'), 'col_recorded'));
    const sync = syncState(syncRows.get(s.id), sinks);
    tr.append(labelled(cell(sync.text, `sync ${sync.cls}`), 'col_sync'));
    const actions = labelled(document.createElement('td'), 'col_actions');
    actions.className = 'actions';
    const buttons = document.createElement('div');
    buttons.className = 'buttons';
    buttons.append(
      actionButton('csv', 'csv', () => download(`/v1/sessions/${encodeURIComponent(s.id)}/attendance?format=csv`, `${s.id}_attendance.csv`)),
      actionButton('poster', 'poster', () => download(`/v1/sessions/${encodeURIComponent(s.id)}/poster.pdf`, `${s.id}_poster.pdf`)),
    );
    const projector = document.createElement('a');
    projector.className = 'projector';
    projector.href = `/display/${encodeURIComponent(s.id)}`;
    projector.target = '_blank';
    projector.rel = 'noopener';
    projector.textContent = t('projector');
    buttons.append(projector);
    actions.append(buttons);
    tr.append(actions);
    return tr;
  });
  $('sessions').tBodies[0].replaceChildren(...rows);
}

function renderAttendance() {
  const section = $('attendance');
  const a = state.attendance;
  if (!state.selected || !a) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  $('attendance-title').textContent = t('attendance_of', { title: `${a.session_id} ${a.session_title}` });
  const rows = a.attendees.map((m, i) => {
    const tr = document.createElement('tr');
    tr.append(
      labelled(cell(String(i + 1), 'num'), 'col_no'),
      labelled(cell(m.member_no, 'member-no'), 'col_member_no'),
      labelled(cell(m.name), 'col_name'),
      labelled(cell(clockTime(m.scanned_at, true)), 'col_scanned_at'),
      labelled(cell(clockTime(m.recorded_at, true)), 'col_recorded_at'),
      labelled(cell(t(`code_${m.token_type}`)), 'col_code'),
    );
    return tr;
  });
  $('attendance-table').tBodies[0].replaceChildren(...rows);
  $('attendance-table').hidden = rows.length === 0;
  $('attendance-empty').hidden = rows.length !== 0;
  // The table sits below the sessions, often below the fold: bring it into view once, when it
  // first appears after a click (not on every poll that reloads it).
  if (state.scrollToAttendance) {
    state.scrollToAttendance = false;
    section.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }
}

function setStatus(ok) {
  const status = $('status');
  status.textContent = ok ? '' : t('offline');
  status.classList.toggle('offline', !ok);
}

function showNotice(text) {
  const notice = $('notice');
  notice.textContent = text;
  notice.hidden = !text;
}

function needKey(rejected) {
  clearTimeout(state.timer);
  keys.clear();
  $('content').hidden = true;
  $('forget-key').hidden = true;
  askForKey($('key-form'), {
    rejected,
    onKey: (key) => {
      keys.set(key);
      start();
    },
  });
}

async function loadAttendance() {
  const id = state.selected;
  const res = await apiGet(`/v1/sessions/${encodeURIComponent(id)}/attendance`, keys.get());
  const body = await res.json();
  if (state.selected !== id) return;
  state.attendance = body;
  renderAttendance();
}

async function refresh() {
  clearTimeout(state.timer);
  try {
    const key = keys.get();
    const [sessions, sync] = await Promise.all([
      apiGet('/v1/sessions', key).then((r) => r.json()),
      apiGet('/v1/sync/status', key).then((r) => r.json()),
    ]);
    state.sessions = sessions;
    state.sync = sync;
    $('content').hidden = false;
    $('forget-key').hidden = false;
    setStatus(true);
    renderSessions();
    // Reload the open attendance table only when its count moved.
    const selected = sessions.sessions.find((s) => s.id === state.selected);
    if (selected && selected.recorded !== state.selectedCount) {
      state.selectedCount = selected.recorded;
      await loadAttendance();
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      needKey(true);
      return;
    }
    setStatus(false);
  }
  state.timer = setTimeout(refresh, POLL_MS);
}

function selectSession(id) {
  state.selected = id;
  state.selectedCount = -1;
  state.attendance = null;
  state.scrollToAttendance = true;
  renderSessions();
  refresh();
}

async function download(path, fallbackName) {
  showNotice('');
  try {
    const res = await apiGet(path, keys.get());
    await saveResponse(res, fallbackName);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      needKey(true);
      return;
    }
    showNotice(t('download_failed', { status: e instanceof ApiError ? `${e.status} ${e.code}` : 'offline' }));
  }
}

function start() {
  if (!keys.get()) {
    needKey(false);
    return;
  }
  refresh();
}

applyStrings();
setupLanguageSwitch($('lang-switch'));
onLanguageChange(() => {
  renderSessions();
  renderAttendance();
});
$('forget-key').addEventListener('click', () => needKey(false));
$('attendance-close').addEventListener('click', () => {
  state.selected = '';
  state.attendance = null;
  renderSessions();
  renderAttendance();
});
$('attendance-csv').addEventListener('click', () => {
  if (state.selected) {
    download(`/v1/sessions/${encodeURIComponent(state.selected)}/attendance?format=csv`,
      `${state.selected}_attendance.csv`);
  }
});
start();

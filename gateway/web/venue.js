// Shared by the venue screens (dashboard.js, display.js): the page language, the API key
// (kept in sessionStorage, sent only as an Authorization header) and JSON requests.

const STRINGS = {
  en: {
    other_language: '日本語',
    key_label: 'Key',
    key_hint: 'Enter the key you were given (org_… or dsp_…).',
    key_submit: 'Open',
    key_rejected: 'The key was not accepted.',
    forget_key: 'Forget key',
    dashboard_title: 'Attendance',
    total_scans: 'Scans recorded',
    updated: 'updated {time}',
    offline: 'Cannot reach the gateway: retrying…',
    col_session: 'Session',
    col_room: 'Room',
    col_time: 'Time',
    col_phase: 'Status',
    col_recorded: 'Scans',
    col_sync: 'Sync',
    col_actions: 'Downloads',
    phase_upcoming: 'Upcoming',
    phase_in_progress: 'In progress',
    phase_ended: 'Ended',
    sync_none: '—',
    sync_waiting: 'Waiting (sealed {time})',
    sync_waiting_soon: 'Waiting',
    sync_sealed: 'Sealed (no sink)',
    sync_sending: 'Sending ({n} pending)',
    sync_failed: 'Failed ({n})',
    sync_delivered: 'Delivered',
    csv: 'CSV',
    poster: 'Poster PDF',
    projector: 'Projector',
    attendance_of: 'Attendance: {title}',
    download_csv: 'Download CSV',
    close: 'Close',
    no_attendees: 'No scans yet.',
    col_no: '#',
    col_member_no: 'Member no.',
    col_name: 'Name',
    col_scanned_at: 'Scanned',
    col_recorded_at: 'Recorded',
    col_code: 'Code',
    code_poster: 'Poster',
    code_slot: 'Projector',
    download_failed: 'The download failed ({status}).',
    scan_hint: 'Scan this code with the society app to record your attendance.',
    next_code: 'New code in {s} s',
    display_offline: 'Offline: showing codes held on this screen ({s} s left).',
    display_offline_empty: 'Offline: no valid code left. Check the network.',
    clock_off: "This screen's clock is off by {s} s; the server's time is used.",
    not_open: 'Scanning opens at {time}.',
    closed: 'Scanning for this session has closed.',
    loading: 'Loading…',
    no_signing_key: 'The gateway has no signing key: codes cannot be shown.',
    fullscreen: 'Full screen',
    credit_education: 'Education credit: {u} unit(s)',
    credit_attendance: 'Attendance credit: {u} unit(s)',
  },
  ja: {
    other_language: 'English',
    key_label: 'キー',
    key_hint: '配布されたキー（org_… または dsp_…）を入力してください。',
    key_submit: '開く',
    key_rejected: 'キーが正しくありません。',
    forget_key: 'キーを消去',
    dashboard_title: '出席状況',
    total_scans: '出席記録 合計',
    updated: '{time} 更新',
    offline: 'ゲートウェイに接続できません。再試行中…',
    col_session: 'セッション',
    col_room: '会場',
    col_time: '時間',
    col_phase: '状況',
    col_recorded: '出席者数',
    col_sync: '送信状況',
    col_actions: 'ダウンロード',
    phase_upcoming: '開始前',
    phase_in_progress: '進行中',
    phase_ended: '終了',
    sync_none: '—',
    sync_waiting: '待機中（{time} 確定）',
    sync_waiting_soon: '待機中',
    sync_sealed: '確定済（送信先なし）',
    sync_sending: '送信中（残り {n}）',
    sync_failed: '送信失敗（{n}）',
    sync_delivered: '送信済',
    csv: 'CSV',
    poster: 'ポスター PDF',
    projector: 'プロジェクター',
    attendance_of: '出席者一覧：{title}',
    download_csv: 'CSV ダウンロード',
    close: '閉じる',
    no_attendees: 'まだ記録はありません。',
    col_no: '#',
    col_member_no: '会員番号',
    col_name: '氏名',
    col_scanned_at: 'スキャン時刻',
    col_recorded_at: '記録時刻',
    col_code: 'コード',
    code_poster: 'ポスター',
    code_slot: 'プロジェクター',
    download_failed: 'ダウンロードできませんでした（{status}）。',
    scan_hint: '学会アプリでこのコードをスキャンすると出席が記録されます。',
    next_code: '{s} 秒後に新しいコード',
    display_offline: 'オフライン：この画面に保持したコードを表示中（残り {s} 秒）',
    display_offline_empty: 'オフライン：有効なコードがありません。ネットワークを確認してください。',
    clock_off: 'この端末の時計が {s} 秒ずれています（サーバーの時刻で表示中）。',
    not_open: '受付開始 {time}',
    closed: 'このセッションの受付は終了しました。',
    loading: '読み込み中…',
    no_signing_key: 'ゲートウェイに署名鍵がないため、コードを表示できません。',
    fullscreen: '全画面',
    credit_education: '教育講演単位 {u} 単位',
    credit_attendance: '出席単位 {u} 単位',
  },
};

const LANGUAGE_KEY = 'checkin.language';

// The first of the browser's languages that we have, else English; a choice made with the
// switch button wins.
function initialLanguage() {
  const chosen = localStorage.getItem(LANGUAGE_KEY);
  if (chosen && STRINGS[chosen]) return chosen;
  for (const tag of navigator.languages || [navigator.language || '']) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (STRINGS[base]) return base;
  }
  return 'en';
}

let language = initialLanguage();
const languageListeners = [];

export function currentLanguage() {
  return language;
}

// The string `id` in the page language, with {name} replaced from `vars`.
export function t(id, vars = {}) {
  const text = STRINGS[language][id] ?? STRINGS.en[id] ?? id;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

// Fills every element with data-i18n="id" (text) or data-i18n-label="id" (aria-label).
export function applyStrings(root = document) {
  document.documentElement.lang = language;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  }
}

export function onLanguageChange(fn) {
  languageListeners.push(fn);
}

// Wires the button that switches between Japanese and English.
export function setupLanguageSwitch(button) {
  const show = () => {
    button.textContent = t('other_language');
    button.lang = language === 'ja' ? 'en' : 'ja';
  };
  show();
  button.addEventListener('click', () => {
    language = language === 'ja' ? 'en' : 'ja';
    localStorage.setItem(LANGUAGE_KEY, language);
    applyStrings();
    show();
    for (const fn of languageListeners) fn();
  });
}

// The API key of this tab. A link may carry it in the fragment (#key=...), which the browser
// never sends; it is moved into sessionStorage and removed from the address bar at once.
export class KeyStore {
  constructor(name) {
    this.name = `checkin.key.${name}`;
    const match = /(?:^#|&)key=([^&]+)/.exec(location.hash);
    if (match) {
      sessionStorage.setItem(this.name, decodeURIComponent(match[1]));
      history.replaceState(null, '', location.pathname + location.search);
    }
  }
  get() {
    return sessionStorage.getItem(this.name) || '';
  }
  set(key) {
    sessionStorage.setItem(this.name, key.trim());
  }
  clear() {
    sessionStorage.removeItem(this.name);
  }
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

// GET `path` with the key; resolves to the Response on 2xx. Rejects with ApiError for an
// HTTP error answer, or with the fetch TypeError when the gateway cannot be reached.
export async function apiGet(path, key) {
  const res = await fetch(path, {
    headers: { Authorization: `Bearer ${key}` },
    cache: 'no-store',
  });
  if (!res.ok) {
    let code = '';
    let message = '';
    try {
      const body = await res.json();
      code = body.error || '';
      message = body.message || '';
    } catch {
      // not JSON: the status says enough
    }
    throw new ApiError(res.status, code, message);
  }
  return res;
}

// Shows the key form until a key is entered; `onKey` gets it.
export function askForKey(form, { rejected = false, onKey }) {
  const input = form.querySelector('input');
  const error = form.querySelector('.error');
  error.hidden = !rejected;
  if (rejected) error.textContent = t('key_rejected');
  form.hidden = false;
  input.value = '';
  input.focus();
  form.onsubmit = (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) return;
    form.hidden = true;
    onKey(key);
  };
}

// "2026-11-21T09:30:00+09:00" → "09:30": times stay in the meeting's own offset, whatever
// the time zone of the device showing them.
export function clockTime(rfc3339, withSeconds = false) {
  return rfc3339 ? rfc3339.slice(11, withSeconds ? 19 : 16) : '';
}

// "2026-11-21T09:30:00+09:00" → "11/21".
export function monthDay(rfc3339) {
  return rfc3339 ? `${rfc3339.slice(5, 7)}/${rfc3339.slice(8, 10)}` : '';
}

// Saves a fetched body as a download (a plain link could not carry the Authorization header).
export async function saveResponse(res, fallbackName) {
  const disposition = res.headers.get('Content-Disposition') || '';
  const match = /filename="([^"]+)"/.exec(disposition);
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = match ? match[1] : fallbackName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// The venue screens in a real browser: headless Debian Chromium driven by playwright-core,
// against a real `checkin-gateway serve` in a scratch folder. What a person sees is what is
// checked: the dashboard's counts move after scans, the CSV and the poster download, the
// projector's QR (captured from a screenshot and decoded with ZXing by `checkin-gateway
// verify`) records a scan, an old slot code is refused, the language follows the browser,
// and the projector says so when its clock is off or the gateway is gone.
//
// Run by ctest (tests/browser/CMakeLists.txt) or by hand:
//   CHECKIN_GATEWAY=build/bin/checkin-gateway node tests/browser/run.mjs
// Needs /usr/bin/chromium (Debian package chromium; CHECKIN_CHROMIUM overrides) and
// `npm ci --prefix tests/browser`. scripts/setup.sh test installs both. Missing either is a
// failure, not a skip: CI must not pass without having run these.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const gatewayBin = process.env.CHECKIN_GATEWAY;
const chromiumPath = process.env.CHECKIN_CHROMIUM || '/usr/bin/chromium';

if (!gatewayBin || !fs.existsSync(gatewayBin)) {
  throw new Error(`CHECKIN_GATEWAY must name the built checkin-gateway binary (got "${gatewayBin ?? ''}")`);
}
if (!fs.existsSync(chromiumPath)) {
  throw new Error(`${chromiumPath} not found: install Debian's chromium (scripts/setup.sh does)`);
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  throw new Error(`playwright-core is not installed: run npm ci --prefix tests/browser (scripts/setup.sh test does) [${e.message}]`);
}

const MEETING = 'TEST2026';
const SESSION = 'HALL-A';
const PASSWORD = 'pw-browser';
const MULTI_DAY = 'MEETING'; // runs from an hour ago to two days ahead
// Set CHECKIN_SCREENSHOTS=DIR to keep screenshots of the phone-width pages for a person to look at.
const screenshotDir = process.env.CHECKIN_SCREENSHOTS;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkin-browser-'));
const programFile = path.join(dir, 'program.json');
const configFile = path.join(dir, 'gateway.toml');
const keyDir = path.join(dir, 'keys');
let gateway = null; // { proc, base, exited: Promise<number>, stderr: string[] }
let browser = null;
let organizerKey = '';
let displayKey = '';
let displayPage = null; // the projector page, kept open for the offline check at the end

function cli(...args) {
  return execFileSync(gatewayBin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// "2026-11-21T09:30:00+09:00" for a Date, at +09:00 like the meeting.
function jst(date) {
  const shifted = new Date(date.getTime() + 9 * 3600_000);
  return `${shifted.toISOString().slice(0, 19)}+09:00`;
}

let programStart = 0; // Date.now() when the program was written

function writeProgram() {
  const now = Date.now();
  programStart = now;
  const at = (minutes) => jst(new Date(now + minutes * 60_000));
  const session = (id, title, from, to, kind, units) => ({
    id, title, room: '第1会場', starts_at: at(from), ends_at: at(to), credit_kind: kind, units,
  });
  fs.writeFileSync(programFile, JSON.stringify({
    meeting: { id: MEETING, name: 'ブラウザ試験学会 2026', utc_offset: '+09:00' },
    sessions: [
      session(SESSION, '教育講演 ブラウザ', -30, 30, 'education', 1.5),
      session('HALL-B', '一般演題 B', -30, 30, 'attendance', 1),
      session('LATER', '明日の講演', 24 * 60, 25 * 60, 'education', 1),
      session(MULTI_DAY, '学術総会 出席', -60, 2 * 24 * 60, 'attendance', 10),
    ],
  }));
}

// Prints "key: <key>", a blank line, then the TOML lines.
function makeKey(command, name) {
  const out = cli(command, '--name', name);
  const key = /^key: (\S+)/.exec(out)[1];
  assert.equal(out.includes(createHash('sha256').update(key).digest('hex')), true);
  return { key, toml: out.slice(out.indexOf('\n\n') + 2) };
}

function startGateway() {
  const proc = spawn(gatewayBin, [
    'serve', '--config', configFile, '--listen', '127.0.0.1:0', '--threads', '2',
    '--data-dir', dir, '--program', programFile, '--log-level', 'warn', '--no-access-log',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = [];
  proc.stderr.on('data', (d) => stderr.push(String(d)));
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? 15 : 0))));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${stderr.join('')}`)), 30_000);
    proc.stdout.on('data', (d) => {
      out += String(d);
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, base: `http://127.0.0.1:${m[1]}`, exited, stderr });
      }
    });
    proc.on('exit', () => reject(new Error(`gateway exited: ${stderr.join('')}`)));
  });
}

async function login(memberNo) {
  const res = await fetch(`${gateway.base}/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ member_no: memberNo, password: PASSWORD }),
  });
  assert.equal(res.status, 200, `login ${memberNo}`);
  return (await res.json()).token;
}

async function postScan(memberNo, qr) {
  const res = await fetch(`${gateway.base}/v1/scans`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await login(memberNo)}` },
    body: JSON.stringify({ qr }),
  });
  return { status: res.status, body: await res.json() };
}

function posterCode(session) {
  return cli('token', '--session', session, '--key', path.join(keyDir, 'signing.key'),
    '--program', programFile).trim();
}

// A page that fails the test on any script error or CSP violation it reports.
async function openPage(context, url) {
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') page.problems.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  return page;
}

const cellText = (page, selector) => page.locator(selector).textContent();

before(async () => {
  writeProgram();
  cli('keygen', '--out', keyDir);
  const roster = ['member_no,name,status,initial_password',
    ...[3001, 3002, 3003, 3004, 3005, 3006].map((n) => `${n},会員 ${n},active,${PASSWORD}`)].join('\n');
  fs.writeFileSync(path.join(dir, 'roster.csv'), `${roster}\n`);
  cli('members', 'import', path.join(dir, 'roster.csv'), '--data-dir', dir, '--pwhash-cost', 'test');
  const org = makeKey('organizer-key', 'browser-test');
  const dsp = makeKey('display-key', 'hall-a-projector');
  organizerKey = org.key;
  displayKey = dsp.key;
  fs.writeFileSync(configFile, `[display]\nslot_seconds = 30\nslots_ahead = 4\n\n${org.toml}\n${dsp.toml}`);
  gateway = await startGateway();
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
});

after(async () => {
  await browser?.close();
  if (gateway && gateway.proc.exitCode === null) gateway.proc.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('dashboard: live counts move after scans, without a reload', async () => {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await openPage(context, `${gateway.base}/dashboard#key=${organizerKey}`);
  const recorded = `tr[data-session="${SESSION}"] td.recorded`;
  await page.waitForSelector(recorded);
  assert.equal(new URL(page.url()).hash, '', 'the key leaves the address bar at once');
  assert.equal(await cellText(page, recorded), '0');
  assert.equal(await page.locator('#sessions tbody tr').count(), 4, 'every session of the program');
  await page.evaluate(() => { window.notReloaded = true; });

  const code = posterCode(SESSION);
  assert.equal((await postScan('3001', code)).status, 201);
  assert.equal((await postScan('3002', code)).status, 201);
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '2', recorded,
    { timeout: 15_000 });
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'updated in place');
  assert.equal(await cellText(page, '#total'), '2');
  assert.match(await cellText(page, `tr[data-session="${SESSION}"] td.sync`), /Waiting/);
  assert.equal(await cellText(page, 'tr[data-session="HALL-B"] td.recorded'), '0');

  // The attendance table of the session.
  await page.click(`tr[data-session="${SESSION}"] button.session-open`);
  await page.waitForSelector('#attendance-table tbody tr');
  const rows = await page.locator('#attendance-table tbody tr').allTextContents();
  assert.equal(rows.length, 2);
  assert.match(rows[0], /3001.*会員 3001/);
  assert.deepEqual(page.problems, []);
  await context.close();
});

// On a phone the attendance table is far below the session list: the click must bring it up.
test('dashboard on a phone: opening a session scrolls its attendee list into view', async () => {
  const context = await browser.newContext({
    locale: 'en-US', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
  });
  const page = await openPage(context, `${gateway.base}/dashboard#key=${organizerKey}`);
  await page.waitForSelector(`tr[data-session="${SESSION}"] button.session-open`);
  const tall = await page.evaluate(() => document.documentElement.scrollHeight - window.innerHeight);
  assert.ok(tall > 0, 'the session cards alone fill more than the screen');
  await page.click(`tr[data-session="${SESSION}"] button.session-open`);
  await page.waitForSelector('#attendance-table tbody tr');
  await page.waitForFunction(() => {
    const box = document.querySelector('#attendance-table').getBoundingClientRect();
    return box.top >= 0 && box.top < window.innerHeight - 40;
  }, null, { timeout: 5000 }).catch(() => {});
  const [top, height] = await page.evaluate(() => [
    document.querySelector('#attendance-table').getBoundingClientRect().top, window.innerHeight]);
  assert.ok(top >= 0 && top < height - 40, `attendee list at ${top} px in a ${height} px screen`);
  if (screenshotDir) await page.screenshot({ path: path.join(screenshotDir, 'dashboard-phone-attendance.png') });
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('dashboard: a session over several days shows both dates', async () => {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await openPage(context, `${gateway.base}/dashboard#key=${organizerKey}`);
  const time = `tr[data-session="${MULTI_DAY}"] td.time`;
  await page.waitForSelector(time);
  // "11/26 08:00 – 11/28 18:00", in the meeting's +09:00 like the program.
  const from = jst(new Date(programStart - 60 * 60_000));
  const to = jst(new Date(programStart + 2 * 24 * 3600_000));
  const md = (t) => `${t.slice(5, 7)}/${t.slice(8, 10)}`;
  assert.equal(await cellText(page, time), `${md(from)} ${from.slice(11, 16)} – ${md(to)} ${to.slice(11, 16)}`);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('dashboard: CSV and poster PDF download', async () => {
  const context = await browser.newContext({ locale: 'en-US', acceptDownloads: true });
  const page = await openPage(context, `${gateway.base}/dashboard#key=${organizerKey}`);
  await page.waitForSelector(`tr[data-session="${SESSION}"] button.csv`);

  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.click(`tr[data-session="${SESSION}"] button.csv`),
  ]);
  assert.equal(csv.suggestedFilename(), `${MEETING}_${SESSION}_attendance.csv`);
  const bytes = fs.readFileSync(await csv.path());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte order mark for Excel');
  const lines = bytes.subarray(3).toString('utf8').split('\r\n').filter(Boolean);
  assert.match(lines[0], /^member_no,name,session_id,session_title,credit_kind,units,scanned_at,recorded_at,token_type$/);
  assert.equal(lines.length, 3, 'header and two attendees');
  assert.match(lines[1], /^3001,会員 3001,HALL-A,教育講演 ブラウザ,education,1\.5,/);

  const [pdf] = await Promise.all([
    page.waitForEvent('download'),
    page.click(`tr[data-session="${SESSION}"] button.poster`),
  ]);
  assert.equal(pdf.suggestedFilename(), `${MEETING}_${SESSION}_poster.pdf`);
  assert.equal(fs.readFileSync(await pdf.path()).subarray(0, 5).toString(), '%PDF-');
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('projector: the QR on screen decodes, verifies and records a scan', async () => {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
  const page = await openPage(context, `${gateway.base}/display/${SESSION}#key=${displayKey}`);
  await page.waitForSelector('#qr svg');
  assert.equal(new URL(page.url()).hash, '');
  assert.equal(await cellText(page, '#title'), '教育講演 ブラウザ');
  assert.match(await cellText(page, '#countdown'), /^New code in \d+ s$/);
  assert.equal(await page.locator('#offline').isVisible(), false);
  assert.equal(await page.locator('#clock').isVisible(), false);
  // Not in the last seconds of a slot, so the capture is of the code that is current.
  const left = await page.evaluate(() => Number(document.querySelector('#qr').dataset.validUntil) - Date.now());
  if (left < 3000) await page.waitForTimeout(left + 500);

  const png = path.join(dir, 'projector.png');
  await page.locator('#qr').screenshot({ path: png });
  const verified = cli('verify', '--pub', path.join(keyDir, 'signing.pub'), '--program', programFile,
    '--at', 'now', '--print-text', png);
  assert.match(verified, /token type: +slot/);
  assert.match(verified, /window: +open/);
  const text = /^text: +(\S+)$/m.exec(verified)[1];
  const scan = await postScan('3003', text);
  assert.equal(scan.status, 201, JSON.stringify(scan.body));
  assert.equal(scan.body.token_type, 'slot');
  assert.equal(scan.body.status, 'recorded');
  assert.deepEqual(page.problems, []);
  displayPage = page; // stays open for the offline check
});

test('an expired slot code is rejected with outside_window', async () => {
  // The slot of a minute ago ended at least 30 s ago: beyond the 10 s grace.
  const old = cli('token', '--session', SESSION, '--slot', jst(new Date(Date.now() - 60_000)),
    '--slot-seconds', '30', '--key', path.join(keyDir, 'signing.key'), '--program', programFile).trim();
  const scan = await postScan('3004', old);
  assert.equal(scan.status, 422);
  assert.equal(scan.body.error, 'outside_window');
});

test('pages follow the browser language, and switch', async () => {
  const expected = {
    'ja-JP': { lang: 'ja', title: '出席状況', column: '出席者数', hint: /学会アプリ/ },
    'en-US': { lang: 'en', title: 'Attendance', column: 'Scans', hint: /society app/ },
  };
  for (const [locale, want] of Object.entries(expected)) {
    const context = await browser.newContext({ locale });
    const page = await openPage(context, `${gateway.base}/dashboard#key=${organizerKey}`);
    await page.waitForSelector(`tr[data-session="${SESSION}"]`);
    assert.equal(await page.evaluate(() => document.documentElement.lang), want.lang, locale);
    assert.equal(await cellText(page, 'h1'), want.title, locale);
    assert.equal(await cellText(page, '#sessions thead th:nth-child(5)'), want.column, locale);
    const display = await openPage(context, `${gateway.base}/display/${SESSION}#key=${displayKey}`);
    await display.waitForSelector('#qr svg');
    assert.match(await cellText(display, '.hint'), want.hint, locale);
    // The switch button turns the dashboard to the other language.
    await page.click('#lang-switch');
    const other = want.lang === 'ja' ? 'en' : 'ja';
    assert.equal(await page.evaluate(() => document.documentElement.lang), other);
    assert.equal(await cellText(page, 'h1'), other === 'ja' ? '出席状況' : 'Attendance');
    assert.deepEqual([...page.problems, ...display.problems], []);
    await context.close();
  }
});

test('dashboard on a phone: no sideways scrolling', async () => {
  const context = await browser.newContext({
    locale: 'ja-JP', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
  });
  const page = await openPage(context, `${gateway.base}/dashboard#key=${organizerKey}`);
  await page.waitForSelector(`tr[data-session="${SESSION}"]`);
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(widths[0] <= widths[1] + 1, `page ${widths[0]} px wide in a ${widths[1]} px screen`);
  await context.close();
});

test('projector on a phone: the buttons stay clear of the instructions', async () => {
  const context = await browser.newContext({
    locale: 'ja-JP', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
  });
  const page = await openPage(context, `${gateway.base}/display/${SESSION}#key=${displayKey}`);
  await page.waitForSelector('#qr svg');
  if (screenshotDir) await page.screenshot({ path: path.join(screenshotDir, 'projector-phone.png') });
  const box = (selector) => page.locator(selector).boundingBox();
  const overlap = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  for (const text of ['.hint', '#countdown', '#qr']) {
    const t = await box(text);
    assert.ok(t, `${text} is on screen`);
    for (const button of ['#lang-switch', '#fullscreen']) {
      const b = await box(button);
      assert.ok(!overlap(t, b), `${button} ${JSON.stringify(b)} covers ${text} ${JSON.stringify(t)}`);
    }
  }
  for (const button of ['#lang-switch', '#fullscreen']) {
    const b = await box(button);
    assert.ok(b.y + b.height <= 844 + 0.5 && b.x + b.width <= 390 + 0.5, `${button} is inside the screen`);
  }
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('projector: a wrong local clock is reported and the server time used', async () => {
  const context = await browser.newContext({ locale: 'en-US' });
  // This screen's clock is two minutes slow.
  await context.addInitScript(() => {
    const real = Date.now;
    Date.now = () => real() - 120_000;
  });
  const page = await openPage(context, `${gateway.base}/display/${SESSION}#key=${displayKey}`);
  await page.waitForSelector('#qr svg');
  await page.waitForSelector('#clock', { state: 'visible' });
  assert.match(await cellText(page, '#clock'), /clock is off by 1(19|20|21) s/);
  const [from, until] = await page.evaluate(() => {
    const d = document.querySelector('#qr').dataset;
    return [Number(d.validFrom), Number(d.validUntil)];
  });
  const now = Date.now();
  assert.ok(from <= now + 1000 && now < until + 1000, `the code on screen is current (${from}..${until}, now ${now})`);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('projector: offline banner when the gateway stops, held codes stay on screen', async () => {
  assert.ok(displayPage, 'the projector page of the earlier test');
  gateway.proc.kill('SIGTERM');
  assert.equal(await gateway.exited, 0, 'the gateway stops cleanly');
  await displayPage.waitForSelector('#offline', { state: 'visible', timeout: 15_000 });
  assert.match(await cellText(displayPage, '#offline'), /^Offline: showing codes held on this screen \(\d+ s left\)\.$/);
  assert.equal(await displayPage.locator('#qr svg').isVisible(), true);
});

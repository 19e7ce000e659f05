// CreditHub dashboard: every figure through the public GraphQL API, in one request per
// view (the statistics are batched into one operation), with the viewer's own token.
// Plain browser JavaScript, no build step; Chart.js (UMD, served by the gateway) draws.

const ENDPOINT = '/graphql';
// The departments come from the hub (Query.departments, the catalogue) when the page starts:
// their labels by domain, their domains by name (the name is also their fields' prefix).
const DOMAINS = {};
const DEPARTMENTS = {};
const CATALOGUE = '{ departments { name domain label } }';
const LIST_TYPES = { BLACK: '黑名单 Black', RED: '红名单 Red', KEY_ATTENTION: '重点关注 Key attention' };
const LIST_COLOURS = { BLACK: '#3b3b46', RED: '#c8372d', KEY_ATTENTION: '#e0a526' };
const EXIT_WAYS = {
  OBJECTION_UPHELD: '异议成立 Objection upheld', CREDIT_REPAIR: '信用修复 Credit repair', VALIDITY_EXPIRED: '有效期届满 Validity expired',
  STANDARD_CHANGED: '标准调整 Standard changed', LISTED_FOR_DISHONESTY: '失信被列入 Listed for dishonesty', INCENTIVE_ABUSE: '滥用激励 Incentive abuse',
  ESCALATED_TO_BLACK_LIST: '升级为黑名单 Escalated to black list', UNKNOWN: 'Unknown',
};
const OUTCOMES = { APPLIED: '已实施 Applied', INCENTIVE_GRANTED: '已激励 Incentive granted', NOT_APPLICABLE: '不适用 Not applicable' };
const PROVINCES = {
  11: '北京', 12: '天津', 13: '河北', 14: '山西', 15: '内蒙古', 21: '辽宁', 22: '吉林', 23: '黑龙江', 31: '上海', 32: '江苏', 33: '浙江',
  34: '安徽', 35: '福建', 36: '江西', 37: '山东', 41: '河南', 42: '湖北', 43: '湖南', 44: '广东', 45: '广西', 46: '海南', 50: '重庆',
  51: '四川', 52: '贵州', 53: '云南', 54: '西藏', 61: '陕西', 62: '甘肃', 63: '青海', 64: '宁夏', 65: '新疆', 71: '台湾', 81: '香港', 82: '澳门',
};

/** The figures' query: one objection-and-repair block per department (`names`, the catalogue's). */
function figuresQuery(names) {
  return `query Dashboard($from: Date!, $to: Date!, $filter: StatisticsFilter, $caseFilter: CaseStatisticsFilter, $regionBy: [EntryDimension!],
    ${names.map((name) => `$${name}: Boolean!, `).join('')}$loop: Boolean!,
    $listFilter: ConsolidatedListFilter, $consolidated: Boolean!) {
  entries: entryStatistics(from: $from, to: $to, filter: $filter) {
    recognised { count }
    exited { count }
    active { count }
    recognisedByMonth: recognised(by: [MONTH]) { month count }
    exitedByMonth: exited(by: [MONTH]) { month count }
    exitsByWay: exited(by: [EXIT_WAY]) { exitWay count }
    activeByDomain: active(by: [DOMAIN, LIST_TYPE]) { domain listType count }
    activeByRegion: active(by: $regionBy) { region listType count }
  }
  warning: warningListStatistics(from: $from, to: $to, filter: $filter) { current entered left byMonth { month count } }
  listed: listedSubjectStatistics(from: $from, to: $to, filter: $filter) { listType subjects multiDomainSubjects byIndustry { key name subjects } }
${names.map((name) => `  ${name}: ${name}ObjectionAndRepairStatistics(from: $from, to: $to, filter: $caseFilter) @include(if: $${name}) { ...cases }\n`).join('')}  loop: jointMeasureStatistics(from: $from, to: $to, filter: $filter) @include(if: $loop) {
    sharedCases recognisedEntries shareOfRecognised nationalTarget localTarget byOutcome { key cases }
  }
  warningList(first: 20) { edges { node { since domains subject { creditCode name } } } }
  consolidated: consolidatedList(filter: $listFilter, first: 20) @include(if: $consolidated) {
    listType personsIncluded edges { node { domains entries listedSince subject { creditCode name } } }
  }
}
fragment cases on ObjectionAndRepairStatistics {
  objectionsFiled { count } objectionOutcomes { key count } objectionsOpen repairApplications repairOutcomes { key count }
}`;
}

/** The roles the joint-measure loop's figures are open to (the hub refuses the others). */
const LOOP_ROLES = ['agency', 'officer', 'admin', 'auditor'];
/** The roles consolidated lists are open to (within their scopes). */
const LIST_ROLES = [...LOOP_ROLES, 'partner'];

/** The subject lookup: every department's record (`names`, the catalogue's). */
function lookupQuery(names) {
  return `query Lookup($code: ID!) {
  subject(creditCode: $code) {
    creditCode subjectType regionCode registered name industry { name }
    legalRepresentative { name idDocumentNumber }
    warningList { onList since domains }
    ${names.map((name) => `${name} { ...record }`).join(' ')}
  }
}
fragment record on DepartmentRecord {
  entries { id listType listName status recognisedOn validUntil recognisingAuthority creditCode subjectName linkedAs exit { way on } }
}`;
}

const $ = (selector) => document.querySelector(selector);
const storage = window.sessionStorage;
const charts = {};
const number = new Intl.NumberFormat('zh-CN');

// ---- talking to the API -------------------------------------------------------------

async function graphql(query, variables, extraHeaders = {}) {
  // CSRF prevention at the gateway: a JSON POST, never a simple request.
  const headers = { 'content-type': 'application/json', ...extraHeaders };
  const token = storage.getItem('credithub.token');
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(ENDPOINT, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new Error(`The hub answered HTTP ${response.status} without a GraphQL response`);
  }
  if (!body.data && body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body;
}

// ---- the viewer ---------------------------------------------------------------------

/** The token's claims, to choose what to ask and to display: the gateway verifies them. */
function claimsOf(token) {
  if (!token) return null;
  try {
    return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return null;
  }
}

/** What the token says about its holder, for display only: the gateway verifies it. */
function describeToken(token) {
  if (!token) return 'Public view: published lists, personal data masked';
  const claims = claimsOf(token);
  if (!claims) return 'Viewing with a token the page cannot read (the hub will say if it is valid)';
  const who = [claims.role, claims.department, claims.agency].filter(Boolean).join(' · ');
  const scopes = claims.scopes ? ` (${[].concat(claims.scopes).join(', ')})` : '';
  return `Viewing as ${who || 'unknown role'}${scopes}`;
}

function showViewer() {
  $('#viewer').textContent = describeToken(storage.getItem('credithub.token'));
}

// ---- the period and filters ---------------------------------------------------------

const iso = (date) => date.toISOString().slice(0, 10);

function defaultPeriod() {
  const today = new Date();
  const from = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 11, 1));
  return { from: iso(from), to: iso(today) };
}

function readFilters() {
  const filter = {};
  if ($('#domain').value) filter.domain = $('#domain').value;
  if ($('#list-type').value) filter.listType = $('#list-type').value;
  if ($('#region').value.trim()) filter.regionCode = $('#region').value.trim();
  return { from: $('#from').value, to: $('#to').value, filter };
}

/** The months of the period, so a month with nothing shows as 0, not as a gap. */
function monthsBetween(from, to) {
  const months = [];
  let [year, month] = [Number(from.slice(0, 4)), Number(from.slice(5, 7))];
  const last = to.slice(0, 7);
  for (let i = 0; i < 130; i++) {
    const key = `${year}-${String(month).padStart(2, '0')}`;
    if (key > last) break;
    months.push(key);
    month += 1;
    if (month > 12) [year, month] = [year + 1, 1];
  }
  return months;
}

// ---- drawing ------------------------------------------------------------------------

function draw(id, config) {
  if (!window.Chart) return; // the page still shows every number without the charts
  charts[id]?.destroy();
  charts[id] = new window.Chart(document.getElementById(id), {
    ...config,
    options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options },
  });
}

function stackedBars(id, cells, keyOf, labelOf) {
  const keys = [...new Set(cells.map(keyOf))].sort();
  const types = Object.keys(LIST_TYPES).filter((type) => cells.some((cell) => cell.listType === type));
  draw(id, {
    type: 'bar',
    data: {
      labels: keys.map(labelOf),
      datasets: types.map((type) => ({
        label: LIST_TYPES[type],
        backgroundColor: LIST_COLOURS[type],
        data: keys.map((key) => cells.filter((cell) => keyOf(cell) === key && cell.listType === type).reduce((sum, cell) => sum + cell.count, 0)),
      })),
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  });
}

const regionName = (code) => {
  const province = PROVINCES[code.slice(0, 2)];
  return province ? (code.length === 2 ? `${province} ${code}` : `${code} (${province})`) : code;
};

function fillTable(id, rows) {
  const body = document.querySelector(`#${id} tbody`);
  body.replaceChildren(
    ...rows.map((cells) => {
      const tr = document.createElement('tr');
      for (const cell of cells) {
        const td = document.createElement('td');
        if (cell instanceof Node) td.append(cell);
        else {
          td.textContent = typeof cell === 'number' ? number.format(cell) : (cell ?? '—');
          if (typeof cell === 'number') td.className = 'num';
        }
        tr.append(td);
      }
      return tr;
    }),
  );
  if (rows.length === 0) {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = document.querySelectorAll(`#${id} thead th`).length;
    td.className = 'empty';
    td.textContent = 'None';
    tr.append(td);
    body.append(tr);
  }
}

function setFigure(name, value) {
  const element = document.querySelector(`[data-figure="${name}"]`);
  element.textContent = value == null ? '–' : number.format(value);
  element.dataset.value = value == null ? '' : String(value);
}

function render(period, data, errors) {
  const { entries, warning, listed } = data;
  const sum = (cells) => (cells?.[0]?.count ?? null);
  setFigure('active', sum(entries?.active));
  setFigure('recognised', sum(entries?.recognised));
  setFigure('exited', sum(entries?.exited));
  setFigure('warning', warning?.current ?? null);
  setFigure('listed', listed?.subjects ?? null);
  setFigure('multi', listed?.multiDomainSubjects ?? null);
  $('#listed-type').textContent = (listed?.listType ?? 'BLACK').toLowerCase().replace('_', '-');
  const today = iso(new Date());
  $('#active-on').textContent = `on ${period.to < today ? period.to : 'today'}`;

  if (entries) {
    const months = monthsBetween(period.from, period.to);
    const byMonth = (cells) => months.map((month) => cells.find((cell) => cell.month === month)?.count ?? 0);
    draw('trend-chart', {
      type: 'line',
      data: {
        labels: months,
        datasets: [
          { label: 'Recognised', data: byMonth(entries.recognisedByMonth), borderColor: '#2f6fb3', backgroundColor: '#2f6fb3', tension: 0.2 },
          { label: 'Exited', data: byMonth(entries.exitedByMonth), borderColor: '#7a8a99', backgroundColor: '#7a8a99', tension: 0.2 },
          { label: 'On the warning list', data: warning ? byMonth(warning.byMonth) : [], borderColor: '#c8372d', backgroundColor: '#c8372d', borderDash: [6, 4], tension: 0.2 },
        ],
      },
      options: { interaction: { mode: 'index', intersect: false }, scales: { y: { beginAtZero: true } } },
    });
    stackedBars('domain-chart', entries.activeByDomain, (cell) => cell.domain, (domain) => DOMAINS[domain] ?? domain);
    stackedBars('region-chart', entries.activeByRegion, (cell) => cell.region, regionName);
    fillTable('exits', entries.exitsByWay.map((cell) => [EXIT_WAYS[cell.exitWay] ?? cell.exitWay, cell.count]));
  }
  if (listed) fillTable('industries', listed.byIndustry.map((row) => [row.key === 'UNKNOWN' ? 'No registered industry (e.g. natural persons)' : `${row.key} ${row.name ?? ''}`, row.subjects]));

  const loop = data.loop;
  $('#loop-panel').hidden = !loop;
  if (loop) {
    setFigure('loop-cases', loop.sharedCases);
    setFigure('loop-recognised', loop.recognisedEntries);
    const percent = (share) => (share == null ? '–' : `${(share * 100).toFixed(1)}%`);
    const share = $('[data-figure="loop-share"]');
    share.textContent = percent(loop.shareOfRecognised);
    share.dataset.value = loop.shareOfRecognised == null ? '' : String(loop.shareOfRecognised);
    $('#loop-targets').textContent = `targets: ${percent(loop.nationalTarget)} national, ${percent(loop.localTarget)} local`;
    fillTable('loop-outcomes', loop.byOutcome.map((row) => [OUTCOMES[row.key] ?? row.key, row.cases]));
  }

  const shownDepartments = Object.entries(DEPARTMENTS).filter(([, domain]) => !period.filter.domain || period.filter.domain === domain);
  fillTable('cases', shownDepartments.map(([field, domain]) => {
    const figures = data[field];
    if (!figures) {
      const why = errors.find((e) => e.path?.[0] === field);
      return [DOMAINS[domain], why?.extensions?.code === 'DOMAIN_UNAVAILABLE' ? 'unavailable' : 'not shown', null, null, null, null];
    }
    const outcome = (rows, key) => rows.find((row) => row.key === key)?.count ?? 0;
    return [
      DOMAINS[domain],
      figures.objectionsFiled.reduce((total, row) => total + row.count, 0),
      outcome(figures.objectionOutcomes, 'UPHELD'),
      figures.objectionsOpen,
      figures.repairApplications,
      outcome(figures.repairOutcomes, 'APPROVED'),
    ];
  }));

  renderConsolidated(data.consolidated, errors.find((e) => e.path?.[0] === 'consolidated'));

  const members = data.warningList?.edges ?? [];
  $('#warning-note').textContent = storage.getItem('credithub.token')
    ? ''
    : 'Organisations only: natural persons are listed to callers who may read personal data and state a purpose.';
  fillTable('warning-list', members.map(({ node }) => [subjectLink(node.subject), node.since.slice(0, 10), node.domains.map((d) => DOMAINS[d] ?? d).join('、')]));
}

/** A button that looks the subject up. */
function subjectLink(subject) {
  const link = document.createElement('button');
  link.type = 'button';
  link.className = 'link';
  link.textContent = `${subject.name ?? ''} ${subject.creditCode}`.trim();
  link.addEventListener('click', () => {
    $('#code').value = subject.creditCode;
    lookup();
  });
  return link;
}

/** The consolidated list's first page, or why the viewer does not get it. */
function renderConsolidated(list, error) {
  const panel = $('#consolidated-panel');
  panel.hidden = list === undefined && !error;
  if (panel.hidden) return;
  $('#consolidated-type').textContent = LIST_TYPES[list?.listType] ?? '';
  $('#consolidated-note').textContent = error
    ? error.message
    : list.personsIncluded
      ? 'Natural persons included: each one shown is registered with your stated purpose.'
      : 'Organisations only: natural persons are listed to roles that may read personal data and state a purpose.';
  fillTable('consolidated', (list?.edges ?? []).map(({ node }) => [
    subjectLink(node.subject),
    node.domains.map((d) => DOMAINS[d] ?? d).join('、'),
    node.entries,
    node.listedSince,
  ]));
}

function showError(message) {
  const element = $('#error');
  element.hidden = !message;
  element.textContent = message ?? '';
}

async function loadFigures() {
  const period = readFilters();
  const level = period.filter.regionCode?.length >= 4 ? 'DISTRICT' : period.filter.regionCode?.length >= 2 ? 'CITY' : 'PROVINCE';
  $('#region-level').textContent = { PROVINCE: 'province', CITY: 'city', DISTRICT: 'district' }[level];
  $('#status').textContent = 'Loading…';
  showError(null);
  try {
    const { listType, regionCode } = period.filter;
    const asked = (domain) => !period.filter.domain || period.filter.domain === domain;
    const role = String(claimsOf(storage.getItem('credithub.token'))?.role ?? '').toLowerCase();
    const { data, errors = [] } = await graphql(figuresQuery(Object.keys(DEPARTMENTS)), {
      ...period,
      caseFilter: { listType, regionCode },
      regionBy: [level, 'LIST_TYPE'],
      ...Object.fromEntries(Object.entries(DEPARTMENTS).map(([field, domain]) => [field, asked(domain)])),
      loop: LOOP_ROLES.includes(role),
      listFilter: { listType: listType ?? 'BLACK', domain: period.filter.domain, regionCode },
      consolidated: LIST_ROLES.includes(role),
    });
    render(period, data, errors);
    // Partial answers stay on screen; say what is missing and why.
    const problems = errors.filter((e) => e.path?.[0] !== 'consolidated' && (!Object.keys(DEPARTMENTS).includes(e.path?.[0]) || e.extensions?.code !== 'DOMAIN_UNAVAILABLE'));
    showError(problems.length ? problems.map((e) => e.message).join('; ') : null);
    $('#status').textContent = `Updated ${new Date().toLocaleTimeString('zh-CN')}`;
  } catch (error) {
    $('#status').textContent = '';
    showError(error.message);
  }
  document.body.dataset.loaded = 'true';
}

// ---- subject lookup -----------------------------------------------------------------

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text != null) node.textContent = text;
  if (className) node.className = className;
  return node;
}

async function lookup() {
  const code = $('#code').value.trim();
  const target = $('#subject');
  if (!code) return;
  target.replaceChildren(element('p', 'Looking up…', 'note'));
  const headers = {};
  const purpose = $('#purpose').value.trim();
  const reference = $('#reference').value.trim();
  if (purpose || reference) {
    headers['x-credithub-purpose'] = encodeURIComponent(purpose);
    headers['x-credithub-reference'] = encodeURIComponent(reference);
  }
  try {
    const { data, errors = [], extensions } = await graphql(lookupQuery(Object.keys(DEPARTMENTS)), { code }, headers);
    const subject = data?.subject;
    if (!subject) {
      target.replaceChildren(element('p', errors.map((e) => e.message).join('; ') || 'No such subject', 'error'));
      return;
    }
    const parts = [];
    parts.push(element('h3', `${subject.name ?? '(name not registered)'} · ${subject.creditCode}`));
    const facts = [
      subject.subjectType === 'NATURAL_PERSON' ? '自然人 Natural person' : '法人和其他组织 Organisation',
      regionName(subject.regionCode),
      subject.industry?.name,
      subject.legalRepresentative ? `法定代表人 ${subject.legalRepresentative.name ?? '—'} (${subject.legalRepresentative.idDocumentNumber ?? '—'})` : null,
      subject.registered ? null : 'not in the registry',
    ].filter(Boolean);
    parts.push(element('p', facts.join(' · '), 'note'));
    if (subject.warningList?.onList) {
      parts.push(element('p', `On the big-data warning list since ${subject.warningList.since.slice(0, 10)} (${subject.warningList.domains.map((d) => DOMAINS[d] ?? d).join('、')})`, 'warning'));
    }
    if (extensions?.personalData?.masked) parts.push(element('p', extensions.personalData.reason, 'note masked'));

    const table = element('table');
    table.id = 'subject-entries';
    const head = element('thead');
    const headRow = element('tr');
    for (const title of ['Department', 'List', 'Status', 'Recognised', 'Valid until', 'Exit', 'Listed as']) headRow.append(element('th', title));
    head.append(headRow);
    const body = element('tbody');
    for (const [field, domain] of Object.entries(DEPARTMENTS)) {
      const record = subject[field];
      if (!record) {
        const why = errors.find((e) => e.path?.[1] === field);
        const row = element('tr');
        row.append(element('td', DOMAINS[domain]));
        const cell = element('td', why ? why.message : 'not available', 'note');
        cell.colSpan = 6;
        row.append(cell);
        body.append(row);
        continue;
      }
      for (const entry of record.entries) {
        const row = element('tr');
        row.dataset.entry = entry.id;
        row.className = `status-${entry.status.toLowerCase()}`;
        row.append(
          element('td', DOMAINS[domain]),
          element('td', `${entry.listName} (${LIST_TYPES[entry.listType] ?? entry.listType})`),
          element('td', entry.status),
          element('td', entry.recognisedOn),
          element('td', entry.validUntil),
          element('td', entry.exit ? `${EXIT_WAYS[entry.exit.way] ?? entry.exit.way} ${entry.exit.on}` : '—'),
          element('td', entry.linkedAs ? `${entry.subjectName} ${entry.creditCode} (legal representative)` : `${entry.subjectName} ${entry.creditCode}`),
        );
        body.append(row);
      }
    }
    if (!body.children.length) {
      const row = element('tr');
      const cell = element('td', 'No entries on any department\'s lists that you may see', 'empty');
      cell.colSpan = 7;
      row.append(cell);
      body.append(row);
    }
    table.append(head, body);
    parts.push(table);
    target.replaceChildren(...parts);
  } catch (error) {
    target.replaceChildren(element('p', error.message, 'error'));
  }
}

// ---- wiring -------------------------------------------------------------------------

/** The departments of the hub's catalogue: the labels, the domain choice, the queries' fields. */
async function loadCatalogue() {
  const { data } = await graphql(CATALOGUE);
  const select = $('#domain');
  for (const { name, domain, label } of data.departments) {
    DOMAINS[domain] = label;
    DEPARTMENTS[name] = domain;
    const option = document.createElement('option');
    option.value = domain;
    option.textContent = label;
    select.append(option);
  }
}

async function start() {
  try {
    await loadCatalogue();
  } catch (error) {
    showError(`The hub's departments could not be read: ${error.message}`);
    document.body.dataset.loaded = 'true';
    return;
  }
  const period = defaultPeriod();
  $('#from').value = period.from;
  $('#to').value = period.to;
  $('#token').value = storage.getItem('credithub.token') ?? '';
  showViewer();
  $('#identity').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('#token').value.trim().replace(/^Bearer\s+/i, '');
    if (token) storage.setItem('credithub.token', token);
    else storage.removeItem('credithub.token');
    showViewer();
    loadFigures();
  });
  $('#clear-token').addEventListener('click', () => {
    $('#token').value = '';
    storage.removeItem('credithub.token');
    showViewer();
    loadFigures();
  });
  $('#filters').addEventListener('submit', (event) => {
    event.preventDefault();
    loadFigures();
  });
  $('#lookup').addEventListener('submit', (event) => {
    event.preventDefault();
    lookup();
  });
  loadFigures();
}

start();

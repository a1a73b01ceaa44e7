'use strict';
// @taskade/sdk: a client for Polytask's /v1 API (the Taskade developer API).
// One implementation, CommonJS; index.mjs re-exports it for `import`. No dependency beyond the
// platform's fetch (Node 18+, browsers, Deno); node:crypto only for the webhook verifier.

const DEFAULT_BASE_URL = 'https://api.taskade.com/v1';
const VERSION = '0.1.0';

// Every /v1 operation the client offers: namespace -> method -> [HTTP method, path under the
// base URL, kind]. Path parameters are the method's leading arguments, in order. Kind 'list'
// returns a Paginator (awaitable for the first page, async-iterable over every item).
const OPERATIONS = {
  workspaces: {
    list: ['GET', '/workspaces', 'list'],
    create: ['POST', '/workspaces'],
    get: ['GET', '/workspaces/{workspace_id}'],
    update: ['PATCH', '/workspaces/{workspace_id}'],
    put: ['PUT', '/workspaces/{workspace_id}'],
    delete: ['DELETE', '/workspaces/{workspace_id}'],
  },
  projects: {
    list: ['GET', '/projects', 'list'],
    create: ['POST', '/projects'],
    get: ['GET', '/projects/{project_id}'],
    update: ['PATCH', '/projects/{project_id}'],
    put: ['PUT', '/projects/{project_id}'],
    delete: ['DELETE', '/projects/{project_id}'],
    listForWorkspace: ['GET', '/workspaces/{workspace_id}/projects', 'list'],
    createInWorkspace: ['POST', '/workspaces/{workspace_id}/projects'],
    getInWorkspace: ['GET', '/workspaces/{workspace_id}/projects/{project_id}'],
    updateInWorkspace: ['PATCH', '/workspaces/{workspace_id}/projects/{project_id}'],
    putInWorkspace: ['PUT', '/workspaces/{workspace_id}/projects/{project_id}'],
    deleteInWorkspace: ['DELETE', '/workspaces/{workspace_id}/projects/{project_id}'],
  },
  tasks: {
    list: ['GET', '/tasks', 'list'],
    create: ['POST', '/tasks'],
    get: ['GET', '/tasks/{task_id}'],
    update: ['PATCH', '/tasks/{task_id}'],
    put: ['PUT', '/tasks/{task_id}'],
    delete: ['DELETE', '/tasks/{task_id}'],
    listForProject: ['GET', '/projects/{project_id}/tasks', 'list'],
    createInProject: ['POST', '/projects/{project_id}/tasks'],
    getInProject: ['GET', '/projects/{project_id}/tasks/{task_id}'],
    updateInProject: ['PATCH', '/projects/{project_id}/tasks/{task_id}'],
    putInProject: ['PUT', '/projects/{project_id}/tasks/{task_id}'],
    deleteInProject: ['DELETE', '/projects/{project_id}/tasks/{task_id}'],
    setCustomFields: ['PATCH', '/tasks/{task_id}/custom-fields'],
    putCustomFields: ['PUT', '/tasks/{task_id}/custom-fields'],
  },
  sections: {
    list: ['GET', '/projects/{project_id}/sections', 'list'],
    create: ['POST', '/projects/{project_id}/sections'],
    get: ['GET', '/projects/{project_id}/sections/{section_id}'],
    update: ['PATCH', '/projects/{project_id}/sections/{section_id}'],
    put: ['PUT', '/projects/{project_id}/sections/{section_id}'],
    delete: ['DELETE', '/projects/{project_id}/sections/{section_id}'],
  },
  customFields: {
    list: ['GET', '/projects/{project_id}/custom-fields', 'list'],
    create: ['POST', '/projects/{project_id}/custom-fields'],
    get: ['GET', '/projects/{project_id}/custom-fields/{field_id}'],
    update: ['PATCH', '/projects/{project_id}/custom-fields/{field_id}'],
    put: ['PUT', '/projects/{project_id}/custom-fields/{field_id}'],
    delete: ['DELETE', '/projects/{project_id}/custom-fields/{field_id}'],
    listForWorkspace: ['GET', '/workspaces/{workspace_id}/custom-fields', 'list'],
    createInWorkspace: ['POST', '/workspaces/{workspace_id}/custom-fields'],
    getInWorkspace: ['GET', '/workspaces/{workspace_id}/custom-fields/{workspace_field_id}'],
    updateInWorkspace: ['PATCH', '/workspaces/{workspace_id}/custom-fields/{workspace_field_id}'],
    putInWorkspace: ['PUT', '/workspaces/{workspace_id}/custom-fields/{workspace_field_id}'],
    deleteInWorkspace: ['DELETE', '/workspaces/{workspace_id}/custom-fields/{workspace_field_id}'],
    setForTask: ['PATCH', '/tasks/{task_id}/custom-fields'],
    putForTask: ['PUT', '/tasks/{task_id}/custom-fields'],
  },
  views: {
    list: ['GET', '/projects/{project_id}/views', 'list'],
    create: ['POST', '/projects/{project_id}/views'],
    get: ['GET', '/projects/{project_id}/views/{view_id}'],
    update: ['PATCH', '/projects/{project_id}/views/{view_id}'],
    put: ['PUT', '/projects/{project_id}/views/{view_id}'],
    delete: ['DELETE', '/projects/{project_id}/views/{view_id}'],
  },
  comments: {
    list: ['GET', '/tasks/{task_id}/comments', 'list'],
    create: ['POST', '/tasks/{task_id}/comments'],
    get: ['GET', '/tasks/{task_id}/comments/{comment_id}'],
    update: ['PATCH', '/tasks/{task_id}/comments/{comment_id}'],
    put: ['PUT', '/tasks/{task_id}/comments/{comment_id}'],
    delete: ['DELETE', '/tasks/{task_id}/comments/{comment_id}'],
  },
  users: {
    me: ['GET', '/me'],
    changePassword: ['POST', '/me/password'],
    requestPasswordReset: ['POST', '/password-resets'],
    confirmPasswordReset: ['POST', '/password-resets/confirm'],
    list: ['GET', '/users', 'list'],
    get: ['GET', '/users/{user_id}'],
    create: ['POST', '/users'],
    update: ['PATCH', '/users/{user_id}'],
    deactivate: ['DELETE', '/users/{user_id}'],
  },
  adminUsers: {
    list: ['GET', '/admin/users', 'list'],
    create: ['POST', '/admin/users'],
    get: ['GET', '/admin/users/{user_id}'],
    update: ['PATCH', '/admin/users/{user_id}'],
    disable: ['POST', '/admin/users/{user_id}/disable'],
    enable: ['POST', '/admin/users/{user_id}/enable'],
    mailPasswordReset: ['POST', '/admin/users/{user_id}/password-reset'],
    setPassword: ['POST', '/admin/users/{user_id}/password'],
    listApiKeys: ['GET', '/admin/users/{user_id}/api-keys', 'list'],
    revokeApiKey: ['DELETE', '/admin/users/{user_id}/api-keys/{key_id}'],
  },
  members: {
    list: ['GET', '/workspaces/{workspace_id}/users', 'list'],
    get: ['GET', '/workspaces/{workspace_id}/users/{user_id}'],
    update: ['PATCH', '/workspaces/{workspace_id}/users/{user_id}'],
    put: ['PUT', '/workspaces/{workspace_id}/users/{user_id}'],
    remove: ['DELETE', '/workspaces/{workspace_id}/users/{user_id}'],
  },
  invites: {
    list: ['GET', '/workspaces/{workspace_id}/invites', 'list'],
    create: ['POST', '/workspaces/{workspace_id}/invites'],
    get: ['GET', '/workspaces/{workspace_id}/invites/{invite_id}'],
    revoke: ['DELETE', '/workspaces/{workspace_id}/invites/{invite_id}'],
    accept: ['POST', '/invites/accept'],
    signup: ['POST', '/invites/signup'],
  },
  timeEntries: {
    list: ['GET', '/projects/{project_id}/time-entries', 'list'],
    create: ['POST', '/projects/{project_id}/time-entries'],
    get: ['GET', '/time-entries/{time_entry_id}'],
    update: ['PATCH', '/time-entries/{time_entry_id}'],
    put: ['PUT', '/time-entries/{time_entry_id}'],
    delete: ['DELETE', '/time-entries/{time_entry_id}'],
  },
  expenses: {
    list: ['GET', '/projects/{project_id}/expenses', 'list'],
    create: ['POST', '/projects/{project_id}/expenses'],
    get: ['GET', '/expenses/{expense_id}'],
    update: ['PATCH', '/expenses/{expense_id}'],
    put: ['PUT', '/expenses/{expense_id}'],
    delete: ['DELETE', '/expenses/{expense_id}'],
  },
  risks: {
    list: ['GET', '/projects/{project_id}/risks', 'list'],
    create: ['POST', '/projects/{project_id}/risks'],
    get: ['GET', '/risks/{risk_id}'],
    update: ['PATCH', '/risks/{risk_id}'],
    put: ['PUT', '/risks/{risk_id}'],
    delete: ['DELETE', '/risks/{risk_id}'],
  },
  templates: {
    list: ['GET', '/templates', 'list'],
    create: ['POST', '/templates'],
    get: ['GET', '/templates/{template_id}'],
    update: ['PATCH', '/templates/{template_id}'],
    put: ['PUT', '/templates/{template_id}'],
    delete: ['DELETE', '/templates/{template_id}'],
  },
  departments: {
    list: ['GET', '/workspaces/{workspace_id}/departments', 'list'],
    create: ['POST', '/workspaces/{workspace_id}/departments'],
    get: ['GET', '/departments/{department_id}'],
    update: ['PATCH', '/departments/{department_id}'],
    put: ['PUT', '/departments/{department_id}'],
    delete: ['DELETE', '/departments/{department_id}'],
  },
  apiKeys: {
    list: ['GET', '/api-keys', 'list'],
    create: ['POST', '/api-keys'],
    get: ['GET', '/api-keys/{key_id}'],
    revoke: ['DELETE', '/api-keys/{key_id}'],
    rotate: ['POST', '/api-keys/{key_id}/rotate'],
  },
  calendarFeeds: {
    list: ['GET', '/me/calendar-feeds', 'list'],
    create: ['POST', '/me/calendar-feeds'],
    listForProject: ['GET', '/projects/{project_id}/calendar-feeds', 'list'],
    createForProject: ['POST', '/projects/{project_id}/calendar-feeds'],
    get: ['GET', '/calendar-feeds/{feed_id}'],
    rotate: ['POST', '/calendar-feeds/{feed_id}/rotate'],
    delete: ['DELETE', '/calendar-feeds/{feed_id}'],
  },
  webhooks: {
    list: ['GET', '/webhooks', 'list'],
    create: ['POST', '/webhooks'],
    get: ['GET', '/webhooks/{webhook_id}'],
    update: ['PATCH', '/webhooks/{webhook_id}'],
    put: ['PUT', '/webhooks/{webhook_id}'],
    delete: ['DELETE', '/webhooks/{webhook_id}'],
    test: ['POST', '/webhooks/{webhook_id}/test'],
    listDeliveries: ['GET', '/webhooks/{webhook_id}/deliveries', 'list'],
    getDelivery: ['GET', '/webhooks/{webhook_id}/deliveries/{delivery_id}'],
    redeliver: ['POST', '/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver'],
  },
  automations: {
    list: ['GET', '/automations', 'list'],
    create: ['POST', '/automations'],
    listInWorkspace: ['GET', '/workspaces/{workspace_id}/automations', 'list'],
    createInWorkspace: ['POST', '/workspaces/{workspace_id}/automations'],
    listInProject: ['GET', '/projects/{project_id}/automations', 'list'],
    createInProject: ['POST', '/projects/{project_id}/automations'],
    get: ['GET', '/automations/{automation_id}'],
    update: ['PATCH', '/automations/{automation_id}'],
    put: ['PUT', '/automations/{automation_id}'],
    delete: ['DELETE', '/automations/{automation_id}'],
    enable: ['POST', '/automations/{automation_id}/enable'],
    disable: ['POST', '/automations/{automation_id}/disable'],
    test: ['POST', '/automations/{automation_id}/test'],
    listRuns: ['GET', '/automations/{automation_id}/runs', 'list'],
    trigger: ['POST', '/automations/hooks/{token}'],
  },
  events: {
    list: ['GET', '/events', 'list'],
    stream: ['GET', '/events/stream', 'stream'],
  },
  oauthClients: {
    list: ['GET', '/oauth/clients', 'list'],
    create: ['POST', '/oauth/clients'],
    get: ['GET', '/oauth/clients/{oauth_client_id}'],
    delete: ['DELETE', '/oauth/clients/{oauth_client_id}'],
  },
  audit: {
    list: ['GET', '/audit-log', 'list'],
    listForWorkspace: ['GET', '/workspaces/{workspace_id}/audit-log', 'list'],
    listForProject: ['GET', '/projects/{project_id}/activity', 'list'],
  },
  bulk: {
    createTasks: ['POST', '/projects/{project_id}/tasks/bulk'],
    tasks: ['POST', '/tasks/bulk'],
    createProjects: ['POST', '/workspaces/bulk/projects'],
  },
  batch: {
    run: ['POST', '/batch'],
  },
  analytics: {
    workspace: ['GET', '/workspaces/{workspace_id}/analytics'],
    project: ['GET', '/projects/{project_id}/analytics'],
    apiUsage: ['GET', '/analytics/api-usage'],
    myApiUsage: ['GET', '/me/api-usage'],
  },
  exports: {
    project: ['GET', '/projects/{project_id}/export'],
    workspace: ['GET', '/workspaces/{workspace_id}/export'],
  },
  imports: {
    list: ['GET', '/workspaces/{workspace_id}/imports', 'list'],
    create: ['POST', '/workspaces/{workspace_id}/imports', 'upload'],
    get: ['GET', '/imports/{import_id}'],
  },
};

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const KEYED_METHODS = new Set(['POST', 'PATCH']);
// Parameters the server reads as one comma-separated value rather than a repeated name.
const COMMA_LISTS = new Set(['include', 'fields', 'sort', 'types']);

class TaskadeError extends Error {
  constructor(message, init = {}) {
    super(message);
    this.name = 'TaskadeError';
    this.status = init.status;
    this.code = init.code;
    this.details = init.details || {};
    this.requestId = init.requestId;
    this.headers = init.headers;
    this.body = init.body;
    this.retryAfterSeconds = init.retryAfterSeconds;
    // Milliseconds, ready for setTimeout (the guide's `await delay(error.retryAfter)`).
    this.retryAfter = init.retryAfterSeconds === undefined ? undefined : init.retryAfterSeconds * 1000;
    if (init.cause !== undefined) this.cause = init.cause;
  }
}

class TaskadeConnectionError extends TaskadeError {
  constructor(message, cause) {
    super(message, { code: 'CONNECTION_ERROR', cause });
    this.name = 'TaskadeConnectionError';
  }
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done() {
      if (signal) signal.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(timer);
      reject(signal.reason);
    }
    if (signal) signal.addEventListener('abort', aborted, { once: true });
  });
}

function randomKey() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return require('node:crypto').randomUUID();
}

// Retry-After is seconds or an HTTP date; undefined when absent or unreadable.
function parseRetryAfter(value) {
  if (value == null || value === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const when = Date.parse(value);
  if (Number.isNaN(when)) return undefined;
  return Math.max(0, (when - Date.now()) / 1000);
}

function appendParam(search, name, value) {
  if (value === undefined) return;
  if (value === null) {
    search.append(name, '');
  } else if (Array.isArray(value)) {
    if (COMMA_LISTS.has(name)) search.append(name, value.join(','));
    else for (const v of value) appendParam(search, name, v);
  } else if (value instanceof Date) {
    search.append(name, value.toISOString());
  } else if (typeof value === 'object') {
    // { $gte: '2024-01-01' } -> name[gte]=2024-01-01; { $in: [a, b] } -> name[in]=a,b
    for (const [op, v] of Object.entries(value)) {
      const key = `${name}[${op.replace(/^\$/, '')}]`;
      if (Array.isArray(v)) search.append(key, v.join(','));
      else appendParam(search, key, v);
    }
  } else {
    search.append(name, String(value));
  }
}

function encodeParams(params) {
  const search = new URLSearchParams();
  if (params instanceof URLSearchParams) return params;
  for (const [name, value] of Object.entries(params || {})) appendParam(search, name, value);
  return search;
}

function isResource(value) {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof value.id === 'string' &&
    typeof value.type === 'string' &&
    value.attributes !== null &&
    typeof value.attributes === 'object'
  );
}

function hidden(target, name, value) {
  if (Object.prototype.hasOwnProperty.call(target, name)) return;
  Object.defineProperty(target, name, { value, enumerable: false, configurable: true, writable: true });
}

// A JSON:API resource as a plain object: id, its attributes, type (unless an attribute is
// called `type`, as on events; `resourceType` always has it), and each relationship under its
// name: the included object when the document has it, else the identifier.
function unwrapResource(res, included) {
  const out = { id: res.id, ...res.attributes };
  if (!Object.prototype.hasOwnProperty.call(out, 'type')) out.type = res.type;
  for (const [name, rel] of Object.entries(res.relationships || {})) {
    if (Object.prototype.hasOwnProperty.call(out, name) || !rel || !('data' in rel)) continue;
    const pick = (ident) => (ident && included ? included.get(`${ident.type}:${ident.id}`) : undefined) || ident;
    out[name] = Array.isArray(rel.data) ? rel.data.map(pick) : pick(rel.data);
  }
  hidden(out, 'resourceType', res.type);
  hidden(out, 'relationships', res.relationships || {});
  return out;
}

class ResourceList extends Array {
  static get [Symbol.species]() {
    return Array;
  }
  // The list is its own `data`, so code written for the raw document (`response.data`) works.
  get data() {
    return this;
  }
}

function unwrapDocument(body, headers) {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !('data' in body)) return body;
  let included;
  let includedList;
  if (Array.isArray(body.included)) {
    included = new Map();
    includedList = body.included.map((r) => {
      const plain = isResource(r) ? unwrapResource(r, null) : r;
      if (isResource(r)) included.set(`${r.type}:${r.id}`, plain);
      return plain;
    });
  }
  const one = (item) => (isResource(item) ? unwrapResource(item, included) : item);
  let out;
  if (Array.isArray(body.data)) {
    out = new ResourceList();
    for (const item of body.data) out.push(one(item));
  } else if (isResource(body.data)) {
    out = one(body.data);
    hidden(out, 'data', out);
    const etag = headers && headers.get('etag');
    if (etag) hidden(out, 'etag', etag);
  } else {
    return body;
  }
  hidden(out, 'meta', body.meta || {});
  hidden(out, 'links', body.links || {});
  hidden(out, 'included', includedList || []);
  hidden(out, 'raw', body);
  return out;
}

function etagOf(value) {
  if (value == null) return undefined;
  if (typeof value === 'string') return value;
  return value.etag;
}

// Awaitable for the first page (a ResourceList), async-iterable over every item of every
// page, following `links.next`.
class Paginator {
  constructor(client, path, params, options) {
    this._client = client;
    this._path = path;
    this._params = params;
    this._options = options || {};
    this._first = undefined;
  }

  firstPage() {
    if (!this._first) {
      this._first = this._client.request('GET', this._path, { ...this._options, params: this._params });
    }
    return this._first;
  }

  then(onFulfilled, onRejected) {
    return this.firstPage().then(onFulfilled, onRejected);
  }

  catch(onRejected) {
    return this.firstPage().catch(onRejected);
  }

  async *pages() {
    let page = await this.firstPage();
    for (;;) {
      yield page;
      const next = page.links && page.links.next;
      if (!next || page.length === 0) return;
      page = await this._client.request('GET', next, { ...this._options, params: undefined });
    }
  }

  async *[Symbol.asyncIterator]() {
    for await (const page of this.pages()) {
      for (const item of page) yield item;
    }
  }

  async toArray(limit = Infinity) {
    const all = [];
    for await (const item of this) {
      if (all.length >= limit) break;
      all.push(item);
    }
    return all;
  }
}

// Server-Sent Events from a fetch body: yields {id, event, data, retry} per dispatched event.
async function* parseEventStream(body) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let data = [];
  let event = '';
  let id;
  let retry;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let match;
      while ((match = /\r\n|\r|\n/.exec(buffer))) {
        // A lone \r at the end may be the first half of \r\n: wait for more.
        if (match[0] === '\r' && match.index === buffer.length - 1) break;
        const line = buffer.slice(0, match.index);
        buffer = buffer.slice(match.index + match[0].length);
        if (line === '') {
          if (data.length || id !== undefined || retry !== undefined) {
            yield { id, event: event || 'message', data: data.join('\n'), retry };
          }
          data = [];
          event = '';
          id = undefined;
          retry = undefined;
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        let val = colon === -1 ? '' : line.slice(colon + 1);
        if (val.startsWith(' ')) val = val.slice(1);
        if (field === 'data') data.push(val);
        else if (field === 'event') event = val;
        else if (field === 'id' && !val.includes('\0')) id = val;
        else if (field === 'retry' && /^\d+$/.test(val)) retry = Number(val);
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

class TaskadeAPI {
  constructor(options = {}) {
    if (typeof options === 'string') options = { apiKey: options };
    const env = (typeof process !== 'undefined' && process.env) || {};
    this.apiKey = options.apiKey !== undefined ? options.apiKey : env.TASKADE_API_KEY;
    this.baseURL = String(options.baseURL || env.TASKADE_API_BASE_URL || DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.maxRetries = options.maxRetries !== undefined ? options.maxRetries : 3;
    this.retryBaseDelay = options.retryBaseDelay !== undefined ? options.retryBaseDelay : 500;
    this.maxRetryDelay = options.maxRetryDelay !== undefined ? options.maxRetryDelay : 60000;
    this.timeout = options.timeout !== undefined ? options.timeout : 60000;
    this.headers = { ...(options.headers || {}) };
    this._fetch = options.fetch || globalThis.fetch;
    if (typeof this._fetch !== 'function') {
      throw new TypeError('@taskade/sdk needs fetch (Node 18+), or pass options.fetch');
    }
    for (const [namespace, methods] of Object.entries(OPERATIONS)) {
      const target = {};
      for (const [name, [method, template, kind]] of Object.entries(methods)) {
        target[name] = this._operation(method, template, kind);
      }
      this[namespace] = target;
    }
  }

  // One operation as a method: path parameters first, then the body (POST/PUT/PATCH) or the
  // query parameters (GET/DELETE), then per-call options.
  _operation(method, template, kind) {
    const names = [...template.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]);
    return (...args) => {
      const values = args.slice(0, names.length);
      if (values.length < names.length || values.some((v) => v === undefined || v === null || v === '')) {
        throw new TypeError(`${method} ${template} needs ${names.join(', ')}`);
      }
      let i = 0;
      const path = template.replace(/\{[a-z_]+\}/g, () => encodeURIComponent(String(values[i++])));
      const [first, options] = args.slice(names.length);
      if (kind === 'list') return new Paginator(this, path, first, options);
      if (kind === 'stream') return this._stream(path, first, options);
      if (kind === 'upload') return this.request(method, path, { ...options, form: uploadForm(first) });
      if (method === 'GET' || method === 'DELETE') return this.request(method, path, { ...options, params: first });
      return this.request(method, path, { ...options, data: first });
    };
  }

  // axios-style calls on any path: relative paths are under the base URL (a leading /v1 that
  // the base URL already ends with is dropped, so the developer document's '/v1/...' works).
  get(path, options) {
    return this.request('GET', path, options);
  }
  delete(path, options) {
    return this.request('DELETE', path, options);
  }
  post(path, data, options) {
    return this.request('POST', path, { ...options, data });
  }
  put(path, data, options) {
    return this.request('PUT', path, { ...options, data });
  }
  patch(path, data, options) {
    return this.request('PATCH', path, { ...options, data });
  }
  paginate(path, params, options) {
    return new Paginator(this, path, params, options);
  }
  etagOf(value) {
    return etagOf(value);
  }

  url(path, params) {
    let url;
    if (/^https?:\/\//i.test(path)) {
      url = new URL(path);
    } else {
      let rel = path.startsWith('/') ? path : `/${path}`;
      // The base URL's last segment (/v1) may be repeated by the caller (the developer
      // document's '/v1/tasks') and is in the server's own links (links.next: '/v1/tasks?...'),
      // also when the base URL has a prefix of its own (https://host/api/v1).
      const basePath = new URL(this.baseURL).pathname.replace(/\/+$/, '');
      const last = basePath.slice(basePath.lastIndexOf('/'));
      if (last.length > 1 && (rel === last || rel.startsWith(`${last}/`) || rel.startsWith(`${last}?`))) {
        rel = rel.slice(last.length);
      }
      url = new URL(this.baseURL + rel);
    }
    if (params) {
      for (const [k, v] of encodeParams(params)) url.searchParams.append(k, v);
    }
    return url.toString();
  }

  async request(method, path, options = {}) {
    method = String(method).toUpperCase();
    const res = await this._send(method, path, options);
    if (res.status === 204 || res.status === 205) return null;
    if (res.status === 304) {
      // Not modified: the caller's copy (when it passed the object) is still current.
      return typeof options.ifNoneMatch === 'object' ? options.ifNoneMatch : null;
    }
    const body = await readBody(res);
    if (options.raw) return { status: res.status, headers: res.headers, body };
    return unwrapDocument(body, res.headers);
  }

  // Sends with retries; resolves with a successful (or 304) Response, rejects with a
  // TaskadeError otherwise.
  async _send(method, path, options = {}) {
    const headers = { Accept: 'application/json', 'User-Agent': `taskade-sdk-js/${VERSION}`, ...this.headers };
    if (this.apiKey) headers.Authorization = `Bearer ${this.apiKey}`;
    let body;
    const data = options.data !== undefined ? options.data : options.body;
    if (options.form !== undefined) {
      body = options.form; // multipart: fetch writes the Content-Type with its boundary
    } else if (data !== undefined) {
      body = JSON.stringify(data);
      headers['Content-Type'] = 'application/json';
    }
    let keyed = false;
    if (KEYED_METHODS.has(method) && options.idempotencyKey !== false) {
      headers['Idempotency-Key'] = options.idempotencyKey || randomKey();
      keyed = true;
    }
    const ifMatch = etagOf(options.ifMatch);
    if (ifMatch) headers['If-Match'] = ifMatch;
    const ifNoneMatch = etagOf(options.ifNoneMatch);
    if (ifNoneMatch) headers['If-None-Match'] = ifNoneMatch;
    Object.assign(headers, options.headers || {});
    const url = this.url(path, options.params);
    // A call may be repeated after a failure that may have reached the server only when
    // repeating it cannot do it twice: safe methods, and writes carrying an Idempotency-Key.
    const retryable = IDEMPOTENT_METHODS.has(method) || keyed;
    const maxRetries = options.maxRetries !== undefined ? options.maxRetries : this.maxRetries;
    const timeout = options.timeout !== undefined ? options.timeout : this.timeout;
    for (let attempt = 0; ; attempt++) {
      const { signal, cancel, clearTimer } = linkSignals(options.signal, timeout);
      let res;
      try {
        res = await this._fetch(url, { method, headers, body, signal });
      } catch (err) {
        cancel();
        if (options.signal && options.signal.aborted) throw options.signal.reason || err;
        if (retryable && attempt < maxRetries) {
          await sleep(this._backoff(attempt), options.signal);
          continue;
        }
        throw new TaskadeConnectionError(`${method} ${url} failed: ${describe(err)}`, err);
      }
      if (options.stream) {
        // The caller reads the body: the timeout covered connecting and the headers only; the
        // caller's signal still aborts the read.
        clearTimer();
      }
      if (res.ok || res.status === 304) {
        if (!options.stream) res = await bufferedWithin(res, cancel);
        return res;
      }
      const errorBody = await readBody(res).catch(() => undefined);
      cancel();
      const wait = parseRetryAfter(res.headers.get('retry-after'));
      const inFlight =
        res.status === 409 && keyed && errorBody && errorBody.error && errorBody.error.details &&
        errorBody.error.details.field === 'Idempotency-Key';
      // 429 means nothing ran (whatever the method); a 5xx may have, so only retryable calls;
      // a 409 on our own Idempotency-Key means the first attempt is still running.
      const again = res.status === 429 || inFlight || (res.status >= 500 && retryable);
      if (again && attempt < maxRetries) {
        const delay = wait !== undefined ? wait * 1000 : this._backoff(attempt);
        await sleep(Math.min(delay, this.maxRetryDelay), options.signal);
        continue;
      }
      throw errorFrom(res, errorBody, wait);
    }
  }

  _backoff(attempt) {
    const ceiling = Math.min(this.retryBaseDelay * 2 ** attempt, this.maxRetryDelay);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  // The change stream: yields each event (the feed's resource, unwrapped: id, type = the event
  // name, data, ...) and reconnects with Last-Event-ID after a dropped connection.
  async *_stream(path, params, options = {}) {
    let lastEventId = options.lastEventId;
    let delay = options.reconnectDelay;
    let serverRetry = 2000;
    let reconnects = 0;
    const maxReconnects = options.maxReconnects !== undefined ? options.maxReconnects : Infinity;
    const signal = options.signal;
    for (;;) {
      const headers = { Accept: 'text/event-stream', 'Cache-Control': 'no-cache' };
      if (lastEventId) headers['Last-Event-ID'] = lastEventId;
      let res;
      try {
        res = await this._send('GET', path, { params, headers, signal, stream: true, timeout: options.timeout });
      } catch (err) {
        if ((signal && signal.aborted) || !(err instanceof TaskadeConnectionError) || reconnects >= maxReconnects) {
          throw err;
        }
        reconnects++;
        await sleep(delay !== undefined ? delay : serverRetry, signal);
        continue;
      }
      try {
        for await (const message of parseEventStream(res.body)) {
          if (message.retry !== undefined) serverRetry = message.retry;
          if (message.id !== undefined) lastEventId = message.id;
          if (!message.data) continue;
          let parsed;
          try {
            parsed = JSON.parse(message.data);
          } catch {
            parsed = message.data;
          }
          const event = isResource(parsed) ? unwrapResource(parsed, null) : parsed;
          if (event && typeof event === 'object') {
            hidden(event, 'eventId', message.id);
            hidden(event, 'eventName', message.event);
          }
          yield event;
          if (signal && signal.aborted) return;
        }
      } catch (err) {
        if (signal && signal.aborted) return;
        // A connection lost mid-stream: reconnect below.
      }
      if (signal && signal.aborted) return;
      if (reconnects >= maxReconnects) return;
      reconnects++;
      await sleep(delay !== undefined ? delay : serverRetry, signal);
    }
  }
}

function linkSignals(outer, timeout) {
  const controller = new AbortController();
  let timer;
  const onAbort = () => controller.abort(outer.reason);
  if (outer) {
    if (outer.aborted) controller.abort(outer.reason);
    else outer.addEventListener('abort', onAbort, { once: true });
  }
  if (timeout && Number.isFinite(timeout)) {
    timer = setTimeout(() => controller.abort(new Error(`timed out after ${timeout} ms`)), timeout);
  }
  return {
    signal: controller.signal,
    clearTimer() {
      if (timer) clearTimeout(timer);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      if (outer) outer.removeEventListener('abort', onAbort);
    },
  };
}

// Reads the whole body while the timeout still runs, then hands back an equivalent Response.
async function bufferedWithin(res, cancel) {
  try {
    const bytes = await res.arrayBuffer();
    const empty = res.status === 204 || res.status === 205 || res.status === 304;
    return new Response(empty ? null : bytes, { status: res.status, headers: res.headers });
  } finally {
    cancel();
  }
}

// An import's multipart body: `file` (a Blob, Buffer/Uint8Array or string) named `filename`,
// `format`, `dryRun`, and `mapping`/`options` objects sent as JSON text fields.
function uploadForm(input = {}) {
  const form = new FormData();
  const file = input.file instanceof Blob ? input.file : new Blob([input.file === undefined ? '' : input.file]);
  form.append('file', file, input.filename || 'import');
  if (input.format !== undefined) form.append('format', String(input.format));
  if (input.dryRun !== undefined) form.append('dry_run', input.dryRun ? 'true' : 'false');
  if (input.mapping !== undefined) form.append('mapping', JSON.stringify(input.mapping));
  if (input.options !== undefined) form.append('options', JSON.stringify(input.options));
  return form;
}

async function readBody(res) {
  const text = await res.text();
  if (!text) return null;
  const type = res.headers.get('content-type') || '';
  if (type.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function errorFrom(res, body, retryAfterSeconds) {
  const err = body && typeof body === 'object' && body.error && typeof body.error === 'object' ? body.error : {};
  const message = err.message || `HTTP ${res.status}`;
  return new TaskadeError(message, {
    status: res.status,
    code: err.code,
    details: err.details,
    requestId: err.request_id || res.headers.get('x-request-id') || undefined,
    headers: res.headers,
    body,
    retryAfterSeconds,
  });
}

function describe(err) {
  const cause = err && err.cause;
  return [err && err.message, cause && (cause.code || cause.message)].filter(Boolean).join(': ');
}

// Webhook signatures (docs/webhooks.md): X-Polytask-Signature is sha256=<hex HMAC-SHA256 of the
// raw body>; the Standard Webhooks headers sign "{webhook-id}.{webhook-timestamp}.{body}".
// The key is the secret's UTF-8 bytes, or the base64 part of a whsec_ secret.
function secretBytes(secret) {
  if (typeof secret !== 'string') return Buffer.from(secret);
  if (secret.startsWith('whsec_')) return Buffer.from(secret.slice(6), 'base64');
  return Buffer.from(secret, 'utf8');
}

function rawBytes(body) {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(body);
}

function safeEqual(a, b) {
  const { timingSafeEqual } = require('node:crypto');
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function headerOf(headers, name) {
  if (!headers) return undefined;
  if (typeof headers.get === 'function') return headers.get(name) || undefined;
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === wanted) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

function computeSignature(secret, body) {
  const { createHmac } = require('node:crypto');
  return 'sha256=' + createHmac('sha256', secretBytes(secret)).update(rawBytes(body)).digest('hex');
}

function verifySignature(secret, body, signature) {
  if (typeof signature !== 'string' || !signature) return false;
  return safeEqual(computeSignature(secret, body), signature.trim());
}

// Verifies a delivery from its raw body and headers (a Headers object or a plain object such
// as Node's req.headers). Accepts X-Polytask-Signature, X-Polytask-Signature-Previous (during a
// secret rotation) or a Standard Webhooks v1 signature within `toleranceSeconds` (300) of now.
// Returns the parsed payload; throws WebhookVerificationError otherwise.
function verifyWebhook(secret, body, headers, options = {}) {
  const tolerance = options.toleranceSeconds !== undefined ? options.toleranceSeconds : 300;
  const secrets = Array.isArray(secret) ? secret : [secret];
  const plain = [headerOf(headers, 'x-polytask-signature'), headerOf(headers, 'x-polytask-signature-previous')];
  let ok = secrets.some((s) => plain.some((h) => verifySignature(s, body, h)));
  if (!ok) {
    const id = headerOf(headers, 'webhook-id');
    const timestamp = headerOf(headers, 'webhook-timestamp');
    const signatures = headerOf(headers, 'webhook-signature');
    if (id && timestamp && signatures) {
      const now = options.now !== undefined ? options.now : Date.now() / 1000;
      if (!/^\d+$/.test(timestamp) || Math.abs(now - Number(timestamp)) > tolerance) {
        throw new WebhookVerificationError('webhook-timestamp is missing or too far from now');
      }
      const { createHmac } = require('node:crypto');
      const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), rawBytes(body)]);
      const given = signatures.split(' ').filter((s) => s.startsWith('v1,')).map((s) => s.slice(3));
      ok = secrets.some((s) => {
        const expected = createHmac('sha256', secretBytes(s)).update(signed).digest('base64');
        return given.some((g) => safeEqual(expected, g));
      });
    }
  }
  if (!ok) throw new WebhookVerificationError('no valid signature');
  return JSON.parse(rawBytes(body).toString('utf8'));
}

class WebhookVerificationError extends Error {
  constructor(message) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

module.exports = {
  TaskadeAPI,
  Taskade: TaskadeAPI,
  TaskadeError,
  TaskadeConnectionError,
  WebhookVerificationError,
  Paginator,
  ResourceList,
  OPERATIONS,
  DEFAULT_BASE_URL,
  VERSION,
  computeSignature,
  verifySignature,
  verifyWebhook,
  etagOf,
  default: TaskadeAPI,
};

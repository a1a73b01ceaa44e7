// Type declarations for @taskade/sdk (written by hand; tests/clients/js/test_operations.py
// checks that every method of the client is declared here).

/** A query parameter value: arrays repeat the name (comma-joined for include, fields, sort,
 * types); an object gives operators, `{ $gte: '2024-01-01' }` -> `name[gte]=2024-01-01`. */
export type ParamValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | Date
  | ParamValue[]
  | { [operator: string]: ParamValue };
export type Params = Record<string, ParamValue> | URLSearchParams;
export type Body = Record<string, unknown> | unknown[];

export interface ClientOptions {
  /** Sent as `Authorization: Bearer <apiKey>`; default: the TASKADE_API_KEY environment variable. */
  apiKey?: string;
  /** Default: the TASKADE_API_BASE_URL environment variable, else https://api.taskade.com/v1. */
  baseURL?: string;
  /** Retries after a 429, a 5xx or a lost connection (the last two for idempotent calls). Default 3. */
  maxRetries?: number;
  /** First backoff delay in ms, doubled per retry, with jitter. Default 500. */
  retryBaseDelay?: number;
  /** Longest wait between attempts in ms, Retry-After included. Default 60000. */
  maxRetryDelay?: number;
  /** Per attempt, in ms (the change stream: until its headers arrive). Default 60000. */
  timeout?: number;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** A fetch implementation; default globalThis.fetch. */
  fetch?: typeof fetch;
}

export interface RequestOptions {
  params?: Params;
  /** The JSON body (also accepted as `body`). */
  data?: unknown;
  body?: unknown;
  headers?: Record<string, string>;
  /** Default: a new random key on every POST and PATCH, reused by its retries. false: none. */
  idempotencyKey?: string | false;
  /** An ETag, or an object this client returned (its `etag`): the write runs only if unchanged (else 412). */
  ifMatch?: string | Resource;
  /** An ETag or an object: a 304 resolves to that object (or null when a string was given). */
  ifNoneMatch?: string | Resource;
  signal?: AbortSignal;
  timeout?: number;
  maxRetries?: number;
  /** Resolve with { status, headers, body } instead of the unwrapped document. */
  raw?: boolean;
}

export interface StreamOptions {
  /** Resume after this event id (sent as Last-Event-ID). */
  lastEventId?: string;
  /** Ms between reconnections; default: the server's `retry:` (2000). */
  reconnectDelay?: number;
  /** Reconnections allowed; default unlimited. */
  maxReconnects?: number;
  signal?: AbortSignal;
  timeout?: number;
}

/** A JSON:API resource unwrapped: id, type, the attributes, and each relationship by name
 * (the included object when the document has it, else its identifier). */
export interface Resource {
  id: string;
  type: string;
  /** The JSON:API type (`type` itself is an attribute on events). */
  readonly resourceType: string;
  readonly relationships: Record<string, { data: unknown }>;
  /** The ETag of a single-resource response. */
  readonly etag?: string;
  readonly meta?: Record<string, any>;
  [attribute: string]: any;
}

export interface Workspace extends Resource { name: string; }
export interface Project extends Resource { name: string; workspace_id: string; }
export interface Task extends Resource { name: string; project_id: string; status: string; }
export interface Section extends Resource { name: string; }
export interface CustomField extends Resource { name: string; }
export interface View extends Resource { name: string; }
export interface Comment extends Resource {}
export interface User extends Resource {}
export interface Member extends Resource {}
export interface Invite extends Resource {}
export interface TimeEntry extends Resource {}
export interface Expense extends Resource {}
export interface Risk extends Resource {}
export interface Department extends Resource {}
export interface Template extends Resource {}
export interface ApiKey extends Resource {}
export interface Webhook extends Resource { url: string; events: string[]; }
export interface Automation extends Resource { name: string; enabled: boolean; trigger: Record<string, unknown>; actions: Record<string, unknown>[]; }
export interface AutomationRun extends Resource { status: string; trigger_kind: string; attempts: number; }
export interface WebhookDelivery extends Resource {}
/** A change: `type` is the event's name (task.created), `data` its payload. */
export interface Event extends Resource {
  occurred_at: string;
  data: Record<string, any>;
  /** The SSE `id:` (stream only). */
  readonly eventId?: string;
}
export interface OAuthClient extends Resource {}
export interface AuditEntry extends Resource {}
/** Task analytics of a workspace or project: `totals`, a zero-filled `series` per day or week,
 * `groups` per assignee, section or label (`group_by`). */
export interface Analytics extends Resource {
  from: string;
  to: string;
  interval: 'day' | 'week';
  group_by: 'none' | 'assignee' | 'section' | 'label';
  time_zone: string;
  totals: Record<string, any>;
  series: Array<Record<string, any>>;
  groups: Array<Record<string, any>>;
}
export interface BatchResult {
  index: number;
  method: string;
  path: string;
  status: number;
  body: any;
  headers: Record<string, string>;
}
export type BatchResults = ResourceList<BatchResult>;

/** A page: an array of the items, which is also its own `data` (code written for the raw
 * document's `response.data` works), with the document's meta, links and included. */
export interface ResourceList<T> extends Array<T> {
  readonly data: ResourceList<T>;
  readonly meta: Record<string, any>;
  readonly links: Record<string, string | null>;
  readonly included: Resource[];
  readonly raw: any;
}

/** Awaitable for the first page; `for await` runs over every item of every page. */
export declare class Paginator<T> implements PromiseLike<ResourceList<T>>, AsyncIterable<T> {
  firstPage(): Promise<ResourceList<T>>;
  then<R1 = ResourceList<T>, R2 = never>(
    onFulfilled?: ((value: ResourceList<T>) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2>;
  catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<ResourceList<T> | R>;
  pages(): AsyncGenerator<ResourceList<T>, void, undefined>;
  toArray(limit?: number): Promise<T[]>;
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined>;
}

export declare class TaskadeError extends Error {
  /** HTTP status; undefined for a connection error. */
  status?: number;
  /** The error document's code (VALIDATION_ERROR, RESOURCE_NOT_FOUND, ...), or CONNECTION_ERROR. */
  code?: string;
  details: Record<string, any>;
  requestId?: string;
  headers?: Headers;
  body?: any;
  /** Retry-After in milliseconds (for setTimeout), when the server sent one. */
  retryAfter?: number;
  retryAfterSeconds?: number;
}
export declare class TaskadeConnectionError extends TaskadeError {}
export declare class WebhookVerificationError extends Error {}

export declare class TaskadeAPI {
  /** An API key, or the options. */
  constructor(options?: string | ClientOptions);
  readonly apiKey?: string;
  readonly baseURL: string;
  readonly workspaces: WorkspacesAPI;
  readonly projects: ProjectsAPI;
  readonly tasks: TasksAPI;
  readonly sections: SectionsAPI;
  readonly customFields: CustomFieldsAPI;
  readonly views: ViewsAPI;
  readonly comments: CommentsAPI;
  readonly users: UsersAPI;
  readonly adminUsers: AdminUsersAPI;
  readonly members: MembersAPI;
  readonly invites: InvitesAPI;
  readonly timeEntries: TimeEntriesAPI;
  readonly expenses: ExpensesAPI;
  readonly risks: RisksAPI;
  readonly departments: DepartmentsAPI;
  readonly templates: TemplatesAPI;
  readonly apiKeys: ApiKeysAPI;
  readonly calendarFeeds: CalendarFeedsAPI;
  readonly webhooks: WebhooksAPI;
  readonly automations: AutomationsAPI;
  readonly events: EventsAPI;
  readonly oauthClients: OauthClientsAPI;
  readonly audit: AuditAPI;
  readonly bulk: BulkAPI;
  readonly batch: BatchAPI;
  readonly analytics: AnalyticsAPI;
  readonly exports: ExportsAPI;
  readonly imports: ImportsAPI;
  /** Any path under the base URL (a leading /v1 is accepted): lists resolve to a ResourceList,
   * single resources to an unwrapped Resource, 204 to null. */
  request(method: string, path: string, options?: RequestOptions): Promise<any>;
  get(path: string, options?: RequestOptions): Promise<any>;
  delete(path: string, options?: RequestOptions): Promise<any>;
  post(path: string, data?: unknown, options?: RequestOptions): Promise<any>;
  put(path: string, data?: unknown, options?: RequestOptions): Promise<any>;
  patch(path: string, data?: unknown, options?: RequestOptions): Promise<any>;
  paginate<T = Resource>(path: string, params?: Params, options?: RequestOptions): Paginator<T>;
  etagOf(value: string | Resource | null | undefined): string | undefined;
  url(path: string, params?: Params): string;
}
export { TaskadeAPI as Taskade };
export default TaskadeAPI;

/** `api.workspaces` */
export interface WorkspacesAPI {
  /** GET /v1/workspaces */
  list(params?: Params, options?: RequestOptions): Paginator<Workspace>;
  /** POST /v1/workspaces */
  create(data?: Body, options?: RequestOptions): Promise<Workspace>;
  /** GET /v1/workspaces/{workspace_id} */
  get(workspaceId: string, params?: Params, options?: RequestOptions): Promise<Workspace>;
  /** PATCH /v1/workspaces/{workspace_id} */
  update(workspaceId: string, data?: Body, options?: RequestOptions): Promise<Workspace>;
  /** PUT /v1/workspaces/{workspace_id} */
  put(workspaceId: string, data?: Body, options?: RequestOptions): Promise<Workspace>;
  /** DELETE /v1/workspaces/{workspace_id} */
  delete(workspaceId: string, params?: Params, options?: RequestOptions): Promise<null>;
}

/** `api.projects` */
export interface ProjectsAPI {
  /** GET /v1/projects */
  list(params?: Params, options?: RequestOptions): Paginator<Project>;
  /** POST /v1/projects */
  create(data?: Body, options?: RequestOptions): Promise<Project>;
  /** GET /v1/projects/{project_id} */
  get(projectId: string, params?: Params, options?: RequestOptions): Promise<Project>;
  /** PATCH /v1/projects/{project_id} */
  update(projectId: string, data?: Body, options?: RequestOptions): Promise<Project>;
  /** PUT /v1/projects/{project_id} */
  put(projectId: string, data?: Body, options?: RequestOptions): Promise<Project>;
  /** DELETE /v1/projects/{project_id} */
  delete(projectId: string, params?: Params, options?: RequestOptions): Promise<null>;
  /** GET /v1/workspaces/{workspace_id}/projects */
  listForWorkspace(workspaceId: string, params?: Params, options?: RequestOptions): Paginator<Project>;
  /** POST /v1/workspaces/{workspace_id}/projects */
  createInWorkspace(workspaceId: string, data?: Body, options?: RequestOptions): Promise<Project>;
  /** GET /v1/workspaces/{workspace_id}/projects/{project_id} */
  getInWorkspace(workspaceId: string, projectId: string, params?: Params, options?: RequestOptions): Promise<Project>;
  /** PATCH /v1/workspaces/{workspace_id}/projects/{project_id} */
  updateInWorkspace(workspaceId: string, projectId: string, data?: Body, options?: RequestOptions): Promise<Project>;
  /** PUT /v1/workspaces/{workspace_id}/projects/{project_id} */
  putInWorkspace(workspaceId: string, projectId: string, data?: Body, options?: RequestOptions): Promise<Project>;
  /** DELETE /v1/workspaces/{workspace_id}/projects/{project_id} */
  deleteInWorkspace(workspaceId: string, projectId: string, params?: Params, options?: RequestOptions): Promise<null>;
}

/** `api.tasks` */
export interface TasksAPI {
  /** GET /v1/tasks */
  list(params?: Params, options?: RequestOptions): Paginator<Task>;
  /** POST /v1/tasks */
  create(data?: Body, options?: RequestOptions): Promise<Task>;
  /** GET /v1/tasks/{task_id} */
  get(taskId: string, params?: Params, options?: RequestOptions): Promise<Task>;
  /** PATCH /v1/tasks/{task_id} */
  update(taskId: string, data?: Body, options?: RequestOptions): Promise<Task>;
  /** PUT /v1/tasks/{task_id} */
  put(taskId: string, data?: Body, options?: RequestOptions): Promise<Task>;
  /** DELETE /v1/tasks/{task_id} */
  delete(taskId: string, params?: Params, options?: RequestOptions): Promise<null>;
  /** GET /v1/projects/{project_id}/tasks */
  listForProject(projectId: string, params?: Params, options?: RequestOptions): Paginator<Task>;
  /** POST /v1/projects/{project_id}/tasks */
  createInProject(projectId: string, data?: Body, options?: RequestOptions): Promise<Task>;
  /** GET /v1/projects/{project_id}/tasks/{task_id} */
  getInProject(projectId: string, taskId: string, params?: Params, options?: RequestOptions): Promise<Task>;
  /** PATCH /v1/projects/{project_id}/tasks/{task_id} */
  updateInProject(projectId: string, taskId: string, data?: Body, options?: RequestOptions): Promise<Task>;
  /** PUT /v1/projects/{project_id}/tasks/{task_id} */
  putInProject(projectId: string, taskId: string, data?: Body, options?: RequestOptions): Promise<Task>;
  /** DELETE /v1/projects/{project_id}/tasks/{task_id} */
  deleteInProject(projectId: string, taskId: string, params?: Params, options?: RequestOptions): Promise<null>;
  /** PATCH /v1/tasks/{task_id}/custom-fields */
  setCustomFields(taskId: string, data?: Body, options?: RequestOptions): Promise<Resource>;
  /** PUT /v1/tasks/{task_id}/custom-fields */
  putCustomFields(taskId: string, data?: Body, options?: RequestOptions): Promise<Resource>;
}

/** `api.sections` */
export interface SectionsAPI {
  /** GET /v1/projects/{project_id}/sections */
  list(projectId: string, params?: Params, options?: RequestOptions): Paginator<Section>;
  /** POST /v1/projects/{project_id}/sections */
  create(projectId: string, data?: Body, options?: RequestOptions): Promise<Section>;
  /** GET /v1/projects/{project_id}/sections/{section_id} */
  get(projectId: string, sectionId: string, params?: Params, options?: RequestOptions): Promise<Section>;
  /** PATCH /v1/projects/{project_id}/sections/{section_id} */
  update(projectId: string, sectionId: string, data?: Body, options?: RequestOptions): Promise<Section>;
  /** PUT /v1/projects/{project_id}/sections/{section_id} */
  put(projectId: string, sectionId: string, data?: Body, options?: RequestOptions): Promise<Section>;
  /** DELETE /v1/projects/{project_id}/sections/{section_id} */
  delete(projectId: string, sectionId: string, params?: Params, options?: RequestOptions): Promise<null>;
}

/** `api.customFields` */
export interface CustomFieldsAPI {
  /** GET /v1/projects/{project_id}/custom-fields */
  list(projectId: string, params?: Params, options?: RequestOptions): Paginator<CustomField>;
  /** POST /v1/projects/{project_id}/custom-fields */
  create(projectId: string, data?: Body, options?: RequestOptions): Promise<CustomField>;
  /** GET /v1/projects/{project_id}/custom-fields/{field_id} */
  get(projectId: string, fieldId: string, params?: Params, options?: RequestOptions): Promise<CustomField>;
  /** PATCH /v1/projects/{project_id}/custom-fields/{field_id} */
  update(projectId: string, fieldId: string, data?: Body, options?: RequestOptions): Promise<CustomField>;
  /** PUT /v1/projects/{project_id}/custom-fields/{field_id} */
  put(projectId: string, fieldId: string, data?: Body, options?: RequestOptions): Promise<CustomField>;
  /** DELETE /v1/projects/{project_id}/custom-fields/{field_id} */
  delete(projectId: string, fieldId: string, params?: Params, options?: RequestOptions): Promise<null>;
  /** GET /v1/workspaces/{workspace_id}/custom-fields */
  listForWorkspace(workspaceId: string, params?: Params, options?: RequestOptions): Paginator<CustomField>;
  /** POST /v1/workspaces/{workspace_id}/custom-fields */
  createInWorkspace(workspaceId: string, data?: Body, options?: RequestOptions): Promise<CustomField>;
  /** GET /v1/workspaces/{workspace_id}/custom-fields/{workspace_field_id} */
  getInWorkspace(workspaceId: string, workspaceFieldId: string, params?: Params, options?: RequestOptions): Promise<CustomField>;
  /** PATCH /v1/workspaces/{workspace_id}/custom-fields/{workspace_field_id} */
  updateInWorkspace(workspaceId: string, workspaceFieldId: string, data?: Body, options?: RequestOptions): Promise<CustomField>;
  /** PUT /v1/workspaces/{workspace_id}/custom-fields/{workspace_field_id} */
  putInWorkspace(workspaceId: string, workspaceFieldId: string, data?: Body, options?: RequestOptions): Promise<CustomField>;
  /** DELETE /v1/workspaces/{workspace_id}/custom-fields/{workspace_field_id} */
  deleteInWorkspace(workspaceId: string, workspaceFieldId: string, params?: Params, options?: RequestOptions): Promise<null>;
  /** PATCH /v1/tasks/{task_id}/custom-fields */
  setForTask(taskId: string, data?: Body, options?: RequestOptions): Promise<Resource>;
  /** PUT /v1/tasks/{task_id}/custom-fields */
  putForTask(taskId: string, data?: Body, options?: RequestOptions): Promise<Resource>;
}

/** `api.views` */
export interface ViewsAPI {
  /** GET /v1/projects/{project_id}/views */
  list(projectId: string, params?: Params, options?: RequestOptions): Paginator<View>;
  /** POST /v1/projects/{project_id}/views */
  create(projectId: string, data?: Body, options?: RequestOptions): Promise<View>;
  /** GET /v1/projects/{project_id}/views/{view_id} */
  get(projectId: string, viewId: string, params?: Params, options?: RequestOptions): Promise<View>;
  /** PATCH /v1/projects/{project_id}/views/{view_id} */
  update(projectId: string, viewId: string, data?: Body, options?: RequestOptions): Promise<View>;
  /** PUT /v1/projects/{project_id}/views/{view_id} */
  put(projectId: string, viewId: string, data?: Body, options?: RequestOptions): Promise<View>;
  /** DELETE /v1/projects/{project_id}/views/{view_id} */
  delete(projectId: string, viewId: string, params?: Params, options?: RequestOptions): Promise<null>;
}

/** `api.comments` */
export interface CommentsAPI {
  /** GET /v1/tasks/{task_id}/comments */
  list(taskId: string, params?: Params, options?: RequestOptions): Paginator<Comment>;
  /** POST /v1/tasks/{task_id}/comments */
  create(taskId: string, data?: Body, options?: RequestOptions): Promise<Comment>;
  /** GET /v1/tasks/{task_id}/comments/{comment_id} */
  get(taskId: string, commentId: string, params?: Params, options?: RequestOptions): Promise<Comment>;
  /** PATCH /v1/tasks/{task_id}/comments/{comment_id} */
  update(taskId: string, commentId: string, data?: Body, options?: RequestOptions): Promise<Comment>;
  /** PUT /v1/tasks/{task_id}/comments/{comment_id} */
  put(taskId: string, commentId: string, data?: Body, options?: RequestOptions): Promise<Comment>;
  /** DELETE /v1/tasks/{task_id}/comments/{comment_id} */
  delete(taskId: string, commentId: string, params?: Params, options?: RequestOptions): Promise<null>;
}

/** `api.users` */
export interface UsersAPI {
  /** GET /v1/me */
  me(params?: Params, options?: RequestOptions): Promise<User>;
  /** POST /v1/me/password (`{ current_password, new_password }`) */
  changePassword(data?: Body, options?: RequestOptions): Promise<null>;
  /** POST /v1/password-resets (`{ email }`; needs no key, always 202) */
  requestPasswordReset(data?: Body, options?: RequestOptions): Promise<null>;
  /** POST /v1/password-resets/confirm (`{ token, password }`; needs no key) */
  confirmPasswordReset(data?: Body, options?: RequestOptions): Promise<null>;
  /** GET /v1/users (the people you share a workspace with; server admins: everyone) */
  list(params?: Params, options?: RequestOptions): Paginator<User>;
  /** GET /v1/users/{user_id} */
  get(userId: string, params?: Params, options?: RequestOptions): Promise<User>;
  /** POST /v1/users (server admins) */
  create(data?: Body, options?: RequestOptions): Promise<User>;
  /** PATCH /v1/users/{user_id} (server admins: `role`, `active`, `name`) */
  update(userId: string, data?: Body, options?: RequestOptions): Promise<User>;
  /** DELETE /v1/users/{user_id} (server admins: deactivates, deletes nothing) */
  deactivate(userId: string, params?: Params, options?: RequestOptions): Promise<null>;
}

/** `api.adminUsers`: every account on the server (server admins with an unbound key) */
export interface AdminUsersAPI {
  /** GET /v1/admin/users */
  list(params?: Params, options?: RequestOptions): Paginator<User>;
  /** POST /v1/admin/users */
  create(data?: Body, options?: RequestOptions): Promise<User>;
  /** GET /v1/admin/users/{user_id} */
  get(userId: string, params?: Params, options?: RequestOptions): Promise<User>;
  /** PATCH /v1/admin/users/{user_id} */
  update(userId: string, data?: Body, options?: RequestOptions): Promise<User>;
  /** POST /v1/admin/users/{user_id}/disable */
  disable(userId: string, data?: Body, options?: RequestOptions): Promise<User>;
  /** POST /v1/admin/users/{user_id}/enable */
  enable(userId: string, data?: Body, options?: RequestOptions): Promise<User>;
  /** POST /v1/admin/users/{user_id}/password-reset (mails the account a reset link; 202) */
  mailPasswordReset(userId: string, data?: Body, options?: RequestOptions): Promise<null>;
  /** POST /v1/admin/users/{user_id}/password (`{ password }`; its browser sessions end) */
  setPassword(userId: string, data?: Body, options?: RequestOptions): Promise<null>;
  /** GET /v1/admin/users/{user_id}/api-keys */
  listApiKeys(userId: string, params?: Params, options?: RequestOptions): Paginator<ApiKey>;
  /** DELETE /v1/admin/users/{user_id}/api-keys/{key_id} */
  revokeApiKey(userId: string, keyId: string, params?: Params, options?: RequestOptions): Promise<null>;
}

/** `api.members` */
export interface MembersAPI {
  /** GET /v1/workspaces/{workspace_id}/users */
  list(workspaceId: string, params?: Params, options?: RequestOptions): Paginator<Member>;
  /** GET /v1/workspaces/{workspace_id}/users/{user_id} */
  get(workspaceId: string, userId: string, params?: Params, options?: RequestOptions): Promise<Member>;
  /** PATCH /v1/workspaces/{workspace_id}/users/{user_id} */
  update(workspaceId: string, userId: string, data?: Body, options?: RequestOptions): Promise<Member>;
  /** PUT /v1/workspaces/{workspace_id}/users/{user_id} */
  put(workspaceId: string, userId: string, data?: Body, options?: RequestOptions): Promise<Member>;
  /** DELETE /v1/workspaces/{workspace_id}/users/{user_id} */
  remove(workspaceId: string, userId: string, params?: Params, options?: RequestOptions): Promise<null>;
}

/** `api.invites` */
export interface InvitesAPI {
  /** GET /v1/workspaces/{workspace_id}/invites */
  list(workspaceId: string, params?: Params, options?: RequestOptions): Paginator<Invite>;
  /** POST /v1/workspaces/{workspace_id}/invites */
  create(workspaceId: string, data?: Body, options?: RequestOptions): Promise<ResourceList<Invite>>;
  /** GET /v1/workspaces/{workspace_id}/invites/{invite_id} */
  get(workspaceId: string, inviteId: string, params?: Params, options?: RequestOptions): Promise<Invite>;
  /** DELETE /v1/workspaces/{workspace_id}/invites/{invite_id} */
  revoke(workspaceId: string, inviteId: string, params?: Params, options?: RequestOptions): Promise<null>;
  /** POST /v1/invites/accept */
  accept(data?: Body, options?: RequestOptions): Promise<Invite>;
  /** POST /v1/invites/signup (`{ token, name, password, ... }`; needs no key) */
  signup(data?: Body, options?: RequestOptions): Promise<Resource>;
}

/** `api.timeEntries` */
export interface TimeEntriesAPI {
  /** GET /v1/projects/{project_id}/time-entries */
  list(projectId: string, params?: Params, options?: RequestOptions): Paginator<TimeEntry>;
  /** POST /v1/projects/{project_id}/time-entries */
  create(projectId: string, data?: Body, options?: RequestOptions): Promise<TimeEntry>;
  /** GET /v1/time-entries/{time_entry_id} */
  get(timeEntryId: string, params?: Params, options?: RequestOptions): Promise<TimeEntry>;
  /** PATCH /v1/time-entries/{time_entry_id} */
  update(timeEntryId: string, data?: Body, options?: RequestOptions): Promise<TimeEntry>;
  /** PUT /v1/time-entries/{time_entry_id} */
  put(timeEntryId: string, data?: Body, options?: RequestOptions): Promise<TimeEntry>;
  /** DELETE /v1/time-entries/{time_entry_id} */
  delete(timeEntryId: string, params?: Params, options?: RequestOptions): Promise<null>;
}

/** `api.expenses` */
export interface ExpensesAPI {
  /** GET /v1/projects/{project_id}/expenses */
  list(projectId: string, params?: Params, options?: RequestOptions): Paginator<Expense>;
  /** POST /v1/projects/{project_id}/expenses */
  create(projectId: string, data?: Body, options?: RequestOptions): Promise<Expense>;
  /** GET /v1/expenses/{expense_id} */
  get(expenseId: string, params?: Params, options?: RequestOptions): Promise<Expense>;
  /** PATCH /v1/expenses/{expense_id} */
  update(expenseId: string, data?: Body, options?: RequestOptions): Promise<Expense>;
  /** PUT /v1/expenses/{expense_id} */
  put(expenseId: string, data?: Body, options?: RequestOptions): Promise<Expense>;
  /** DELETE /v1/expenses/{expense_id} */
  delete(expenseId: string, params?: Params, options?: RequestOptions): Promise<null>;
}

/** `api.risks` */
export interface RisksAPI {
  /** GET /v1/projects/{project_id}/risks */
  list(projectId: string, params?: Params, options?: RequestOptions): Paginator<Risk>;
  /** POST /v1/projects/{project_id}/risks */
  create(projectId: string, data?: Body, options?: RequestOptions): Promise<Risk>;
  /** GET /v1/risks/{risk_id} */
  get(riskId: string, params?: Params, options?: RequestOptions): Promise<Risk>;
  /** PATCH /v1/risks/{risk_id} */
  update(riskId: string, data?: Body, options?: RequestOptions): Promise<Risk>;
  /** PUT /v1/risks/{risk_id} */
  put(riskId: string, data?: Body, options?: RequestOptions): Promise<Risk>;
  /** DELETE /v1/risks/{risk_id} */
  delete(riskId: string, params?: Params, options?: RequestOptions): Promise<null>;
}

/** `api.templates`: a project from one is `api.projects.create({name, template_id, workspace_id})` */
export interface TemplatesAPI {
  /** GET /v1/templates */
  list(params?: Params, options?: RequestOptions): Paginator<Template>;
  /** POST /v1/templates */
  create(data?: Body, options?: RequestOptions): Promise<Template>;
  /** GET /v1/templates/{template_id} */
  get(templateId: string, params?: Params, options?: RequestOptions): Promise<Template>;
  /** PATCH /v1/templates/{template_id} */
  update(templateId: string, data?: Body, options?: RequestOptions): Promise<Template>;
  /** PUT /v1/templates/{template_id} */
  put(templateId: string, data?: Body, options?: RequestOptions): Promise<Template>;
  /** DELETE /v1/templates/{template_id} */
  delete(templateId: string, params?: Params, options?: RequestOptions): Promise<null>;
}

/** `api.departments` */
export interface DepartmentsAPI {
  /** GET /v1/workspaces/{workspace_id}/departments */
  list(workspaceId: string, params?: Params, options?: RequestOptions): Paginator<Department>;
  /** POST /v1/workspaces/{workspace_id}/departments */
  create(workspaceId: string, data?: Body, options?: RequestOptions): Promise<Department>;
  /** GET /v1/departments/{department_id} */
  get(departmentId: string, params?: Params, options?: RequestOptions): Promise<Department>;
  /** PATCH /v1/departments/{department_id} */
  update(departmentId: string, data?: Body, options?: RequestOptions): Promise<Department>;
  /** PUT /v1/departments/{department_id} */
  put(departmentId: string, data?: Body, options?: RequestOptions): Promise<Department>;
  /** DELETE /v1/departments/{department_id} */
  delete(departmentId: string, params?: Params, options?: RequestOptions): Promise<null>;
}

/** `api.apiKeys` */
export interface ApiKeysAPI {
  /** GET /v1/api-keys */
  list(params?: Params, options?: RequestOptions): Paginator<ApiKey>;
  /** POST /v1/api-keys */
  create(data?: Body, options?: RequestOptions): Promise<ApiKey>;
  /** GET /v1/api-keys/{key_id} */
  get(keyId: string, params?: Params, options?: RequestOptions): Promise<ApiKey>;
  /** DELETE /v1/api-keys/{key_id} */
  revoke(keyId: string, params?: Params, options?: RequestOptions): Promise<null>;
  /** POST /v1/api-keys/{key_id}/rotate */
  rotate(keyId: string, data?: Body, options?: RequestOptions): Promise<ApiKey>;
}

/** `api.calendarFeeds`: your secret iCalendar feeds (`url` is shown once) */
export interface CalendarFeedsAPI {
  /** GET /v1/me/calendar-feeds */
  list(params?: Params, options?: RequestOptions): Paginator<Resource>;
  /** POST /v1/me/calendar-feeds (the tasks assigned to you) */
  create(data?: Body, options?: RequestOptions): Promise<Resource>;
  /** GET /v1/projects/{project_id}/calendar-feeds */
  listForProject(projectId: string, params?: Params, options?: RequestOptions): Paginator<Resource>;
  /** POST /v1/projects/{project_id}/calendar-feeds */
  createForProject(projectId: string, data?: Body, options?: RequestOptions): Promise<Resource>;
  /** GET /v1/calendar-feeds/{feed_id} */
  get(feedId: string, params?: Params, options?: RequestOptions): Promise<Resource>;
  /** POST /v1/calendar-feeds/{feed_id}/rotate (a new URL; the old one stops) */
  rotate(feedId: string, data?: Body, options?: RequestOptions): Promise<Resource>;
  /** DELETE /v1/calendar-feeds/{feed_id} */
  delete(feedId: string, params?: Params, options?: RequestOptions): Promise<null>;
}

/** `api.webhooks` */
export interface WebhooksAPI {
  /** GET /v1/webhooks */
  list(params?: Params, options?: RequestOptions): Paginator<Webhook>;
  /** POST /v1/webhooks */
  create(data?: Body, options?: RequestOptions): Promise<Webhook>;
  /** GET /v1/webhooks/{webhook_id} */
  get(webhookId: string, params?: Params, options?: RequestOptions): Promise<Webhook>;
  /** PATCH /v1/webhooks/{webhook_id} */
  update(webhookId: string, data?: Body, options?: RequestOptions): Promise<Webhook>;
  /** PUT /v1/webhooks/{webhook_id} */
  put(webhookId: string, data?: Body, options?: RequestOptions): Promise<Webhook>;
  /** DELETE /v1/webhooks/{webhook_id} */
  delete(webhookId: string, params?: Params, options?: RequestOptions): Promise<null>;
  /** POST /v1/webhooks/{webhook_id}/test */
  test(webhookId: string, data?: Body, options?: RequestOptions): Promise<WebhookDelivery>;
  /** GET /v1/webhooks/{webhook_id}/deliveries */
  listDeliveries(webhookId: string, params?: Params, options?: RequestOptions): Paginator<WebhookDelivery>;
  /** GET /v1/webhooks/{webhook_id}/deliveries/{delivery_id} */
  getDelivery(webhookId: string, deliveryId: string, params?: Params, options?: RequestOptions): Promise<WebhookDelivery>;
  /** POST /v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver */
  redeliver(webhookId: string, deliveryId: string, data?: Body, options?: RequestOptions): Promise<WebhookDelivery>;
}

/** `api.automations` */
export interface AutomationsAPI {
  /** GET /v1/automations */
  list(params?: Params, options?: RequestOptions): Paginator<Automation>;
  /** POST /v1/automations */
  create(data?: Body, options?: RequestOptions): Promise<Automation>;
  /** GET /v1/workspaces/{workspace_id}/automations */
  listInWorkspace(workspaceId: string, params?: Params, options?: RequestOptions): Paginator<Automation>;
  /** POST /v1/workspaces/{workspace_id}/automations */
  createInWorkspace(workspaceId: string, data?: Body, options?: RequestOptions): Promise<Automation>;
  /** GET /v1/projects/{project_id}/automations */
  listInProject(projectId: string, params?: Params, options?: RequestOptions): Paginator<Automation>;
  /** POST /v1/projects/{project_id}/automations */
  createInProject(projectId: string, data?: Body, options?: RequestOptions): Promise<Automation>;
  /** GET /v1/automations/{automation_id} */
  get(automationId: string, params?: Params, options?: RequestOptions): Promise<Automation>;
  /** PATCH /v1/automations/{automation_id} */
  update(automationId: string, data?: Body, options?: RequestOptions): Promise<Automation>;
  /** PUT /v1/automations/{automation_id} */
  put(automationId: string, data?: Body, options?: RequestOptions): Promise<Automation>;
  /** DELETE /v1/automations/{automation_id} */
  delete(automationId: string, params?: Params, options?: RequestOptions): Promise<null>;
  /** POST /v1/automations/{automation_id}/enable */
  enable(automationId: string, data?: Body, options?: RequestOptions): Promise<Automation>;
  /** POST /v1/automations/{automation_id}/disable */
  disable(automationId: string, data?: Body, options?: RequestOptions): Promise<Automation>;
  /** POST /v1/automations/{automation_id}/test */
  test(automationId: string, data?: Body, options?: RequestOptions): Promise<Resource>;
  /** GET /v1/automations/{automation_id}/runs */
  listRuns(automationId: string, params?: Params, options?: RequestOptions): Paginator<AutomationRun>;
  /** POST /v1/automations/hooks/{token} (no key needed) */
  trigger(token: string, data?: Body, options?: RequestOptions): Promise<any>;
}

/** `api.events` */
export interface EventsAPI {
  /** GET /v1/events */
  list(params?: Params, options?: RequestOptions): Paginator<Event>;
  /** GET /v1/events/stream */
  stream(params?: Params, options?: StreamOptions): AsyncGenerator<Event, void, undefined>;
}

/** `api.oauthClients` */
export interface OauthClientsAPI {
  /** GET /v1/oauth/clients */
  list(params?: Params, options?: RequestOptions): Paginator<OAuthClient>;
  /** POST /v1/oauth/clients */
  create(data?: Body, options?: RequestOptions): Promise<OAuthClient>;
  /** GET /v1/oauth/clients/{oauth_client_id} */
  get(oauthClientId: string, params?: Params, options?: RequestOptions): Promise<OAuthClient>;
  /** DELETE /v1/oauth/clients/{oauth_client_id} */
  delete(oauthClientId: string, params?: Params, options?: RequestOptions): Promise<null>;
}

/** `api.audit` */
export interface AuditAPI {
  /** GET /v1/audit-log */
  list(params?: Params, options?: RequestOptions): Paginator<AuditEntry>;
  /** GET /v1/workspaces/{workspace_id}/audit-log */
  listForWorkspace(workspaceId: string, params?: Params, options?: RequestOptions): Paginator<AuditEntry>;
  /** GET /v1/projects/{project_id}/activity */
  listForProject(projectId: string, params?: Params, options?: RequestOptions): Paginator<AuditEntry>;
}

/** `api.analytics` (params: `from`, `to`, `interval`, `group_by`, `assignee_id`, `project_id`) */
export interface AnalyticsAPI {
  /** GET /v1/workspaces/{workspace_id}/analytics */
  workspace(workspaceId: string, params?: Params, options?: RequestOptions): Promise<Analytics>;
  /** GET /v1/projects/{project_id}/analytics */
  project(projectId: string, params?: Params, options?: RequestOptions): Promise<Analytics>;
  /** GET /v1/analytics/api-usage: one resource per bucket and credential, the span's totals in `meta` */
  apiUsage(params?: Params, options?: RequestOptions): Promise<ResourceList<Resource>>;
  /** GET /v1/me/api-usage: your own API keys' and OAuth clients' usage, for anyone */
  myApiUsage(params?: Params, options?: RequestOptions): Promise<ResourceList<Resource>>;
}

/** `api.bulk` */
export interface BulkAPI {
  /** POST /v1/projects/{project_id}/tasks/bulk */
  createTasks(projectId: string, data?: Body, options?: RequestOptions): Promise<ResourceList<Task>>;
  /** POST /v1/tasks/bulk */
  tasks(data?: Body, options?: RequestOptions): Promise<ResourceList<Resource>>;
  /** POST /v1/workspaces/bulk/projects */
  createProjects(data?: Body, options?: RequestOptions): Promise<ResourceList<Project>>;
}

/** `api.exports`: the parsed JSON export document, or the CSV text (`{format: 'csv'}`). */
export interface ExportsAPI {
  /** GET /v1/projects/{project_id}/export */
  project(projectId: string, params?: { format?: 'json' | 'csv' }, options?: RequestOptions): Promise<any>;
  /** GET /v1/workspaces/{workspace_id}/export */
  workspace(workspaceId: string, params?: { format?: 'json' }, options?: RequestOptions): Promise<any>;
}

/** What `api.imports.create` uploads (multipart). */
export interface ImportUpload {
  file: Blob | Uint8Array | string;
  filename?: string;
  format: 'polytask' | 'csv' | 'trello' | 'todoist';
  dryRun?: boolean;
  mapping?: Record<string, string>;
  options?: Record<string, unknown>;
}

/** `api.imports` */
export interface ImportsAPI {
  /** GET /v1/workspaces/{workspace_id}/imports */
  list(workspaceId: string, params?: Params, options?: RequestOptions): Paginator<Resource>;
  /** POST /v1/workspaces/{workspace_id}/imports: the job, or with `dryRun` `{meta: report}` */
  create(workspaceId: string, upload: ImportUpload, options?: RequestOptions): Promise<any>;
  /** GET /v1/imports/{import_id} */
  get(importId: string, params?: Params, options?: RequestOptions): Promise<Resource>;
}

/** `api.batch` */
export interface BatchAPI {
  /** POST /v1/batch */
  run(data?: Body, options?: RequestOptions): Promise<BatchResults>;
}
/** Each namespace's methods: [HTTP method, path under the base URL, kind]. */
export declare const OPERATIONS: Record<string, Record<string, [string, string, string?]>>;
export declare const DEFAULT_BASE_URL: string;
export declare const VERSION: string;
export declare function etagOf(value: string | Resource | null | undefined): string | undefined;

/** `sha256=<hex HMAC-SHA256(secret, body)>`, as in X-Polytask-Signature. */
export declare function computeSignature(secret: string, body: string | Uint8Array): string;
/** True when `signature` is X-Polytask-Signature for this raw body and secret. */
export declare function verifySignature(secret: string, body: string | Uint8Array, signature: string | undefined): boolean;
/** Verifies a delivery by X-Polytask-Signature(-Previous) or its Standard Webhooks headers
 * and returns the parsed payload; throws WebhookVerificationError. */
export declare function verifyWebhook(
  secret: string | string[],
  body: string | Uint8Array,
  headers: Headers | Record<string, string | string[] | undefined>,
  options?: { toleranceSeconds?: number; now?: number },
): any;
